import ArgumentParser
import TejidoCore
import TejidoStore

struct Inc: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inc", abstract: Msg.helpInc.localized)

    @OptionGroup var options: GlobalOptions
    @Argument(help: Msg.argRecordPath.help) var path: String
    @Argument(help: Msg.argCounterField.help) var field: String
    @Argument(help: Msg.argDelta.help) var delta: String = "1"
    @Option(name: .long, parsing: .unconditional, help: Msg.optBy.help) var by: String?
    @Option(name: [.short, .customLong("message")], help: Msg.optMessage.help) var message: String?

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
