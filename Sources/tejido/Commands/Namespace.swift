import ArgumentParser
import Foundation
import TejidoCore
import TejidoCrypto
import TejidoStore

struct Namespace: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "namespace", abstract: Msg.helpNamespace.localized, subcommands: [Create.self, List.self, Petname.self, ExportRoot.self, ImportRoot.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: Msg.helpNamespaceCreate.localized)

        @OptionGroup var options: GlobalOptions
        @Argument(help: Msg.argNamespaceName.help) var name: String
        @Option(name: .long, help: Msg.optAdmins.help) var admins: String?
        @Flag(name: .long, help: Msg.optPrivate.help) var `private` = false

        func run() throws {
            try options.withStore { store, console in
                var keys: [Ed25519PublicKey] = []
                for text in (admins ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !text.isEmpty {
                    guard let k = KeyText.parseKey(text) else { throw StoreError.invalidKey(text) }
                    keys.append(k)
                }
                let info = try store.createNamespace(name: name, admins: keys, isPrivate: `private`)
                if console.json {
                    console.out(json: .object([("namespace", .string(info.idText)), ("name", .string(name)), ("private", .bool(`private`))]))
                } else {
                    console.out(console.t(.namespaceCreated, name, info.idText))
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: Msg.helpNamespaceList.localized)

        @OptionGroup var options: GlobalOptions

        func run() throws {
            try options.withStore { store, console in
                let all = try store.namespaces()
                if console.json {
                    console.out(json: .array(try all.map { ns in
                        .object([
                            ("namespace", .string(ns.idText)), ("name", ns.name.map(JSONValue.string) ?? .null),
                            ("role", ns.myRole.map { .string($0.name) } ?? .null), ("changesets", .int(Int64(ns.changesets))),
                            ("records", .int(Int64(ns.records))), ("private", .bool(try store.isPrivate(namespace: ns.id))),
                        ])
                    }))
                } else if all.isEmpty {
                    console.out(console.t(.noNamespaces))
                } else {
                    console.out(Rendering.table(
                        header: console.t(.namespaceHeader),
                        rows: all.map { [$0.name ?? "-", $0.idText, $0.myRole?.name ?? "-", String($0.changesets), String($0.records)] }))
                }
            }
        }
    }

    struct Petname: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "petname", abstract: Msg.helpNamespacePetname.localized)

        @OptionGroup var options: GlobalOptions
        @Argument(help: Msg.argNamespace.help) var namespace: String
        @Argument(help: Msg.argPetname.help) var petname: String?

        func run() throws {
            try options.withStore { store, console in
                let (root, _) = try store.resolveNamespace(namespace)
                try store.setPetname(namespace: namespace, to: petname)
                let info = try store.namespaceInfo(root)
                if console.json {
                    console.out(json: .object([("namespace", .string(info.idText)), ("name", info.name.map(JSONValue.string) ?? .null)]))
                } else {
                    console.out(console.t(.petnameSet, info.idText, info.name ?? "-"))
                }
            }
        }
    }

    struct ExportRoot: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "export-root", abstract: Msg.helpExportRoot.localized)

        @OptionGroup var options: GlobalOptions
        @Argument(help: Msg.argNamespace.help) var namespace: String
        @Argument(help: Msg.argRootFile.help) var file: String
        @Flag(name: .long, help: Msg.optForgetRoot.help) var forgetRoot = false
        @Option(name: .long, help: Msg.optPassphraseFile.help) var passphraseFile: String?

        func run() throws {
            try options.withStore { store, console in
                let (root, _) = try store.resolveNamespace(namespace)
                // Before the passphrase is asked for twice: a store without the root has nothing to export.
                guard try store.holdsRootKey(namespace: namespace) else { throw StoreError.noRootKey(namespace) }
                let passphrase = try Passphrase.read(file: passphraseFile, confirm: true, console: console)
                try store.exportRoot(namespace: namespace, to: file, passphrase: passphrase, forget: forgetRoot)
                let id = KeyText.namespace(bytes: root)
                if console.json {
                    console.out(json: .object([("namespace", .string(id)), ("file", .string(file)), ("forgotten", .bool(forgetRoot))]))
                } else {
                    console.out(console.t(.rootExported, namespace, file))
                    if forgetRoot { console.out(console.t(.rootForgotten)) }
                }
            }
        }
    }

    struct ImportRoot: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "import-root", abstract: Msg.helpImportRoot.localized)

        @OptionGroup var options: GlobalOptions
        @Argument(help: Msg.argRootImportFile.help) var file: String
        @Option(name: .long, help: Msg.optPassphraseFile.help) var passphraseFile: String?

        func run() throws {
            try options.withStore { store, console in
                // A file that cannot be read is said before a passphrase is asked for.
                let fd = open(file, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw console.fail(.errCannotReadFile, file, String(cString: strerror(errno))) }
                close(fd)
                let passphrase = try Passphrase.read(file: passphraseFile, confirm: false, console: console)
                let root = try store.importRoot(from: file, passphrase: passphrase)
                let id = KeyText.namespace(bytes: root)
                if console.json {
                    console.out(json: .object([("namespace", .string(id)), ("file", .string(file))]))
                } else {
                    console.out(console.t(.rootImported, id))
                }
            }
        }
    }
}
