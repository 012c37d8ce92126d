import ArgumentParser
import TejidoCore
import TejidoStore

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: Msg.helpVerify.localized)

    @OptionGroup var options: GlobalOptions
    @Flag(name: .long, help: Msg.optDeep.help)
    var database = false

    func run() throws {
        try options.withStore { store, console in
            var report = try store.verify { n in console.progress(console.t(.verifyProgress, String(n))) }
            if database { report.problems += try store.databaseProblems() }
            console.endProgress()
            let held = try store.quarantined()
            let waiting = try store.pending()
            if console.json {
                console.out(json: .object([
                    ("ok", .bool(report.ok)), ("checked", .int(Int64(report.checked))), ("applied", .int(Int64(report.applied))),
                    ("pending", .int(Int64(report.pending))), ("quarantined", .int(Int64(report.quarantined))),
                    ("problems", .array(report.problems.map {
                        .object([("id", .string($0.id)), ("kind", .string($0.kind)), ("detail", .string($0.detail))])
                    })),
                    ("flags", .array(report.clockFlags.map(ClockFlagRendering.json))),
                    ("quarantined_changesets", .array(held.map(HeldRendering.json))),
                    ("pending_changesets", .array(waiting.map(HeldRendering.json))),
                ]))
            } else {
                console.out(console.t(
                    .verifyCounts, String(report.checked), String(report.applied), String(report.pending), String(report.quarantined)))
                for p in report.problems { console.out("  \(Self.label(p.kind, console))  \(p.id)  \(Self.detail(p, console))") }
                for line in ClockFlagRendering.lines(report.clockFlags, console: console) { console.out(line) }
                for line in HeldRendering.lines(held, console: console) { console.out(line) }
                for line in HeldRendering.pendingLines(waiting, console: console) { console.out(line) }
                console.out(report.ok ? console.t(.verifyOK) : console.t(.verifyFailed, String(report.problems.count)))
            }
            if !report.ok { throw Console.verifyFailed }
        }
    }

    /// A problem's kind in the user's language (JSON keeps the stable `kind`).
    static func label(_ kind: String, _ console: Console) -> String {
        let m: Msg? = switch kind {
        case "format": .problemFormat
        case "id": .problemID
        case "signature": .problemSignature
        case "chain": .problemChain
        case "deps": .problemDeps
        case "authority": .problemAuthority
        case "fork": .problemFork
        case "database": .problemDatabase
        default: nil
        }
        return m.map { console.t($0) } ?? kind
    }

    /// A problem's detail in the user's language; what it quotes from the store is escaped.
    static func detail(_ p: VerifyReport.Problem, _ console: Console) -> String {
        Rendering.visible(DetailText.text(p.finding, console))
    }
}
