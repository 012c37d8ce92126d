import ArgumentParser
import TejidoCore
import TejidoCrypto
import TejidoStore

struct Revoke: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: Msg.helpRevoke.localized)

    @OptionGroup var options: GlobalOptions
    @Argument(help: Msg.argNamespace.help) var namespace: String
    @Argument(help: Msg.argRevokeKey.help) var key: String
    @Option(name: .long, help: Msg.optRevokeAfter.help)
    var after: UInt64?

    func run() throws {
        try options.withStore { store, console in
            guard let k = KeyText.parseKey(key) else { throw StoreError.invalidKey(key) }
            let (id, cut) = try store.revoke(namespace: namespace, key: k, after: after)
            if console.json {
                console.out(json: .object([
                    ("namespace", .string(namespace)), ("key", .string(KeyText.key(k))),
                    ("fingerprint", .string(KeyText.fingerprint(k.bytes))), ("after", .int(Int64(clamping: cut))),
                    ("changeset", .string(id.hex)),
                ]))
            } else {
                console.out(console.t(.revoked, KeyText.key(k), namespace, String(cut), id.hex))
                console.out(console.t(.fingerprintLine, KeyText.fingerprint(k.bytes)))
            }
        }
    }
}
