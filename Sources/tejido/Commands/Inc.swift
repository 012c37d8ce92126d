import ArgumentParser
import TejidoCore
import TejidoStore

struct Inc: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: Msg.helpInc.localized)

    @OptionGroup var options: GlobalOptions
    @Argument(help: "NAMESPACE/COLLECTION/ID") var path: String
    @Argument(help: "The counter field.") var field: String
    @Argument(help: "How much to add (default 1; may be negative).") var delta: String = "1"
    @Option(name: [.short, .customLong("message")], help: "A note kept in the changeset.") var message: String?

    func run() throws {
        try options.withStore { store, console in
            guard let target = RecordPath(path) else { throw console.fail(.errBadPath, path, code: Console.usage) }
            guard let d = Int64(delta) else { throw console.fail(.errBadDelta, delta, code: Console.usage) }
            Committed.print(
                try store.increment(namespace: target.namespace, record: target.record, field: field, by: d, message: message),
                console)
        }
    }
}
