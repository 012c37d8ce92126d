import ArgumentParser
import TejidoCore
import TejidoStore

struct Tag: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: Msg.helpTag.localized, subcommands: [Add.self, Remove.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: Msg.helpTagAdd.localized)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "NAMESPACE/COLLECTION/ID") var path: String
        @Argument(help: "The set field.") var field: String
        @Argument(help: "The element (text).") var value: String
        @Option(name: [.short, .customLong("message")], help: "A note kept in the changeset.") var message: String?

        func run() throws {
            try options.withStore { store, console in
                guard let target = RecordPath(path) else { throw console.fail(.errBadPath, path, code: Console.usage) }
                Committed.print(
                    try store.tagAdd(namespace: target.namespace, record: target.record, field: field, element: .text(value), message: message),
                    console)
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: Msg.helpTagRemove.localized)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "NAMESPACE/COLLECTION/ID") var path: String
        @Argument(help: "The set field.") var field: String
        @Argument(help: "The element (text).") var value: String
        @Option(name: [.short, .customLong("message")], help: "A note kept in the changeset.") var message: String?

        func run() throws {
            try options.withStore { store, console in
                guard let target = RecordPath(path) else { throw console.fail(.errBadPath, path, code: Console.usage) }
                Committed.print(
                    try store.tagRemove(namespace: target.namespace, record: target.record, field: field, element: .text(value), message: message),
                    console)
            }
        }
    }
}
