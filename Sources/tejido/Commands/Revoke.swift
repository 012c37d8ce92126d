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
            let standing = try store.members(namespace: namespace).first { $0.key == k.bytes }
            // Revoked already, and the default would cut no earlier (the lower cut-off counts): a
            // second changeset would say nothing new. With --after it is written all the same.
            if after == nil, let cutoff = standing?.cutoff, try store.defaultCutoff(namespace: namespace, key: k) >= cutoff {
                if console.json {
                    console.out(json: .object([
                        ("namespace", .string(namespace)), ("key", .string(KeyText.key(k))),
                        ("fingerprint", .string(KeyText.fingerprint(k.bytes))), ("after", .int(Int64(clamping: cutoff))),
                        ("changeset", .null), ("unchanged", .bool(true)),
                    ]))
                } else {
                    console.out(console.t(.revokedAlready, KeyText.key(k), namespace, String(cutoff)))
                }
                return
            }
            // A key with no role here may hold one granted elsewhere that has not arrived yet: the
            // revocation is written, and the admin is told, in case the key was mistyped.
            if standing?.role == nil && !console.json { console.err(console.t(.warnRevokeNoRole, KeyText.fingerprint(k.bytes), namespace)) }
            let (id, cut) = try store.revoke(namespace: namespace, key: k, after: after)
            // An earlier, lower cut-off stays in force: said, so that N is not taken for it.
            if let cutoff = standing?.cutoff, cutoff < cut, !console.json { console.err(console.t(.warnRevokeLowerCutoff, String(cutoff))) }
            if console.json {
                console.out(json: .object([
                    ("namespace", .string(namespace)), ("key", .string(KeyText.key(k))),
                    ("fingerprint", .string(KeyText.fingerprint(k.bytes))), ("after", .int(Int64(clamping: cut))),
                    ("changeset", .string(id.hex)), ("held_role", .bool(standing?.role != nil)),
                ]))
            } else {
                console.out(console.t(.revoked, KeyText.key(k), namespace, String(cut), id.hex))
                console.out(console.t(.fingerprintLine, KeyText.fingerprint(k.bytes)))
            }
        }
    }
}
