import ArgumentParser
import TejidoCore
import TejidoStore

struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: Msg.helpDelete.localized)

    @OptionGroup var options: GlobalOptions
    @Argument(help: Msg.argRecordPath.help) var path: String
    @Option(name: [.short, .customLong("message")], help: Msg.optMessage.help) var message: String?

    func run() throws {
        let target = try RecordPath.forWriting(path, fields: [], console: options.console)
        try options.withStore { store, console in
            Committed.print(try store.delete(namespace: target.namespace, record: target.record, message: message), console)
        }
    }
}
