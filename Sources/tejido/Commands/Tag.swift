import ArgumentParser
import TejidoCore
import TejidoStore

struct Tag: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tag", abstract: Msg.helpTag.localized, subcommands: [Add.self, Remove.self])

    /// What both subcommands take.
    struct Target: ParsableArguments {
        @OptionGroup var options: GlobalOptions
        @Argument(help: Msg.argRecordPath.help) var path: String
        @Argument(help: Msg.argSetField.help) var field: String
        @Argument(help: Msg.argElement.help) var value: String
        @Option(name: [.short, .customLong("message")], help: Msg.optMessage.help) var message: String?

        /// Parses the path and runs one set edit, printing the changeset it made.
        func run(_ edit: (Store, RecordPath) throws -> ChangesetID) throws {
            let target = try RecordPath.forWriting(path, fields: [field], console: options.console)
            try options.withStore { store, console in
                Committed.print(try edit(store, target), console)
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: Msg.helpTagAdd.localized)
        @OptionGroup var target: Target

        func run() throws {
            try target.run { store, t in
                try store.tagAdd(namespace: t.namespace, record: t.record, field: target.field, element: .text(target.value), message: target.message)
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: Msg.helpTagRemove.localized)
        @OptionGroup var target: Target

        func run() throws {
            try target.run { store, t in
                try store.tagRemove(namespace: t.namespace, record: t.record, field: target.field, element: .text(target.value), message: target.message)
            }
        }
    }
}
