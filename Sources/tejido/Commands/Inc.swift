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

    /// Why `text` is no amount: out of range, or not a whole number.
    static func badAmount(_ text: String, _ console: Console) -> any Error {
        let digits = text.drop { $0 == "-" || $0 == "+" }
        if !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), text.filter({ $0 == "-" || $0 == "+" }).count <= 1 {
            return console.fail(.errDeltaOutOfRange, text, code: Console.usage)
        }
        return console.fail(.errBadDelta, text, code: Console.usage)
    }

    func run() throws {
        let console = options.console
        let target = try RecordPath.forWriting(path, fields: [field], console: console)
        // `--by` takes the next word whatever it is (so that `--by -3` works): an option there
        // (`--by --store DIR`) is the amount missing, not an amount.
        if let by, Int64(by) == nil { throw Self.badAmount(by, console) }
        // Both given: which one was meant is not for this program to guess.
        if let by, let delta { throw console.fail(.errIncTwoAmounts, delta, by, code: Console.usage) }
        let text = by ?? delta ?? "1"
        guard let d = Int64(text) else { throw Self.badAmount(text, console) }
        try options.withStore { store, console in
            Committed.print(
                try store.increment(namespace: target.namespace, record: target.record, field: field, by: d, message: message),
                console)
        }
    }
}
