import ArgumentParser
import TejidoCore
import TejidoStore

struct Inc: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inc", abstract: Msg.helpInc.localized)

    @OptionGroup var options: GlobalOptions
    @Argument(help: Msg.argRecordPath.help) var path: String
    @Argument(help: Msg.argCounterField.help) var field: String
    @Argument(help: Msg.argDelta.help) var delta: String?
    @Option(name: .long, parsing: .unconditional, help: Msg.optBy.help) var by: String?
    @Option(name: [.short, .customLong("message")], help: Msg.optMessage.help) var message: String?

    func run() throws {
        let console = options.console
        let target = try RecordPath.forWriting(path, fields: [field], console: console)
        // Both given: which one was meant is not for this program to guess.
        if let by, let delta { throw console.fail(.errIncTwoAmounts, delta, by, code: Console.usage) }
        let text = by ?? delta ?? "1"
        guard let d = Int64(text) else { throw console.fail(.errBadDelta, text, code: Console.usage) }
        try options.withStore { store, console in
            Committed.print(
                try store.increment(namespace: target.namespace, record: target.record, field: field, by: d, message: message),
                console)
        }
    }
}
