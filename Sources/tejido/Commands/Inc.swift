import ArgumentParser
import TejidoCore
import TejidoStore

struct Inc: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inc", abstract: Msg.helpInc.localized)

    @OptionGroup var options: GlobalOptions
    @Argument(help: "NAMESPACE/COLLECTION/ID") var path: String
    @Argument(help: "The counter field.") var field: String
    @Argument(help: "How much to add (default 1).") var delta: String = "1"
    @Option(name: .long, parsing: .unconditional, help: "How much to add; may be negative, e.g. --by -3.") var by: String?
    @Option(name: [.short, .customLong("message")], help: "A note kept in the changeset.") var message: String?

    func run() throws {
        let console = options.console
        let target = try RecordPath.forWriting(path, fields: [field], console: console)
        let text = by ?? delta
        guard let d = Int64(text) else { throw console.fail(.errBadDelta, text, code: Console.usage) }
        try options.withStore { store, console in
            Committed.print(
                try store.increment(namespace: target.namespace, record: target.record, field: field, by: d, message: message),
                console)
        }
    }
}
