import ArgumentParser
import TejidoCore
import TejidoCrypto
import TejidoStore

struct Grant: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "grant", abstract: Msg.helpGrant.localized)

    @OptionGroup var options: GlobalOptions
    @Argument(help: Msg.argNamespace.help) var namespace: String
    @Argument(help: Msg.argGrantKey.help) var key: String
    @Option(name: .long, help: Msg.optRole.help) var role = "writer"

    func run() throws {
        try options.withStore { store, console in
            guard let role = Role(name: role) else { throw console.fail(.errBadRole, role, code: Console.usage) }
            guard let k = KeyText.parseKey(key) else { throw StoreError.invalidKey(key) }
            // Roles only go up: a grant of the role a key holds, or a lower one, would change
            // nothing, so none is written (a revoked key's grant does change something).
            if let held = try store.members(namespace: namespace).first(where: { $0.key == k.bytes }),
               let current = held.role, held.cutoff == nil, current >= role {
                if console.json {
                    console.out(json: .object([
                        ("namespace", .string(namespace)), ("key", .string(KeyText.key(k))),
                        ("fingerprint", .string(KeyText.fingerprint(k.bytes))), ("role", .string(current.name)),
                        ("changeset", .null), ("unchanged", .bool(true)),
                    ]))
                } else {
                    console.out(console.t(.grantUnchanged, KeyText.key(k), current.name, namespace))
                }
                return
            }
            let id = try store.grant(namespace: namespace, key: k, role: role)
            if console.json {
                console.out(json: .object([
                    ("namespace", .string(namespace)), ("key", .string(KeyText.key(k))),
                    ("fingerprint", .string(KeyText.fingerprint(k.bytes))), ("role", .string(role.name)),
                    ("changeset", .string(id.hex)),
                ]))
            } else {
                console.out(console.t(.granted, role.name, KeyText.key(k), namespace, id.hex))
                console.out(console.t(.fingerprintLine, KeyText.fingerprint(k.bytes)))
            }
        }
    }
}
