import ArgumentParser
import Foundation
import Synchronization
import TejidoCore
import TejidoStore

/// Changesets the running import has committed, for the message when a signal stops it.
let importCommitted = Atomic<Int>(0)

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: Msg.helpImport.localized)

    @OptionGroup var options: GlobalOptions
    @Argument(help: Msg.argImportFile.help) var file: String
    @Option(name: .long, help: Msg.optReplica.help) var replica: String?
    @Option(name: .long, help: Msg.optImportNamespace.help) var namespace: String?
    @Flag(name: .long, help: Msg.optResume.help) var resume = false
    @Option(name: .long, help: Msg.optAfterLine.help) var afterLine: Int = 0
    @Option(name: .long, help: Msg.optBatch.help) var batch: Int = ImportOptions.defaultChangesetsPerCommit

    func run() throws {
        try options.withStore { store, console in
            let start = Date()
            func rate(_ ops: Int) -> String { String(Int(Double(ops) / max(Date().timeIntervalSince(start), 1e-6))) }
            var opts = ImportOptions(replica: replica, namespace: namespace, changesetsPerCommit: max(1, batch))
            opts.afterLine = max(0, afterLine)
            opts.resume = resume
            let summary: ImportSummary
            var committed = false
            // Ctrl-C or SIGTERM ends the import as it always did (what is not committed is rolled
            // back when the store is next opened), but first says what the store holds and how to
            // go on. The count is at least what was committed: a commit may land just after it.
            let file = self.file
            StopSignal.watch { [console] in
                let changesets = String(importCommitted.load(ordering: .relaxed))
                console.endProgress()
                console.report(file == "-" ? .errImportStoppedStdin : .errImportStopped, file == "-" ? [changesets] : [changesets, file])
                _exit(130)
            }
            do { summary = try store.importJSONLines(path: file == "-" ? nil : file, options: opts) { s in
                committed = true
                importCommitted.store(s.changesets, ordering: .relaxed)
                if console.json {
                    console.out(json: .object([
                        ("event", .string("committed")), ("changesets", .int(Int64(s.changesets))), ("ops", .int(Int64(s.ops))),
                        ("lines", .int(Int64(s.lines))), ("last", s.lastID.map(JSONValue.string) ?? .null),
                    ]))
                } else {
                    console.progress(console.t(.importProgress, String(s.changesets), String(s.ops), rate(s.ops)))
                }
            } } catch StoreError.diskFull where file != "-" {
                // A file goes on from its last commit; standard input cannot be read again.
                console.endProgress()
                // --resume only goes on from a commit: with none, the same import is run again.
                throw console.fail(committed ? .errDiskFullImport : .errDiskFullImportNothing, file)
            }
            console.endProgress()
            let seconds = Date().timeIntervalSince(start)
            if console.json {
                console.out(json: .object([
                    ("event", .string("done")), ("changesets", .int(Int64(summary.changesets))), ("ops", .int(Int64(summary.ops))),
                    ("seconds", .double(seconds)),
                ]))
            } else {
                console.out(console.t(
                    .importDone, String(summary.changesets), String(summary.ops), String(format: "%.2f", seconds), rate(summary.ops)))
            }
        }
    }
}
