import ArgumentParser
import TejidoCore
import TejidoCrypto
import TejidoStore

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: Msg.helpLog.localized)

    @OptionGroup var options: GlobalOptions
    @Flag(name: .long, help: Msg.optEnvelopes.help) var envelopes = false
    @Option(name: [.short, .customLong("limit")], help: Msg.optLimit.help) var limit: Int?

    func run() throws {
        try options.withStore { store, console in
            if envelopes {
                guard let limit else {
                    try store.forEachEnvelope { console.out(Hex.encode($0)) }
                    return
                }
                // The last N in the same order: a ring of N, so memory stays bounded by N.
                var last: [[UInt8]] = []
                var next = 0
                if limit > 0 {
                    try store.forEachEnvelope { env in
                        if last.count < limit { last.append(env) } else { last[next] = env }
                        next = (next + 1) % limit
                    }
                }
                let start = last.count < limit ? 0 : next
                for k in 0..<last.count { console.out(Hex.encode(last[(start + k) % last.count])) }
                return
            }
            let entries = try store.log(limit: limit)
            if console.json {
                console.out(json: .array(entries.map { e in
                    .object([
                        ("id", .string(e.id.hex)), ("namespace", .string(e.namespace)), ("author", .string(Rendering.key(e.author))),
                        ("seq", .int(Int64(e.seq))), ("hlc", .number(e.hlc.rawValue)), ("time", .string(e.hlc.description)),
                        ("ops", .int(Int64(e.ops))), ("message", e.message.map(JSONValue.string) ?? .null), ("state", .string(e.state)),
                        ("reason", e.reason.map(JSONValue.string) ?? .null),
                    ])
                }))
            } else {
                for e in entries {
                    var line = "\(e.id.hex.prefix(16))  \(e.hlc)  \(e.namespace)  \(KeyText.fingerprint(e.author)) #\(e.seq)  \(console.t(.logOps, String(e.ops)))"
                    if let m = e.message { line += "  \(Rendering.visible(m))" }
                    if e.state == "pending" { line += "  [\(console.t(.logPending))]" }
                    if e.state == "quarantined" { line += "  [\(console.t(.logQuarantined)): \(HeldRendering.localized(e.reason ?? "", console: console))]" }
                    console.out(line)
                }
            }
        }
    }
}
