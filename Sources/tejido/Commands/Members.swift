import ArgumentParser
import TejidoCore
import TejidoCrypto
import TejidoStore

struct Members: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "members", abstract: Msg.helpMembers.localized)

    @OptionGroup var options: GlobalOptions
    @Argument(help: Msg.argNamespace.help) var namespace: String

    func run() throws {
        try options.withStore { store, console in
            let members = try store.members(namespace: namespace)
            let me = store.nodeKey.publicKey.bytes
            if console.json {
                console.out(json: .array(members.map { m in
                    .object([
                        ("key", .string(KeyText.key(bytes: m.key))), ("fingerprint", .string(KeyText.fingerprint(m.key))),
                        ("role", m.role.map { .string($0.name) } ?? .null), ("root", .bool(m.isRoot)), ("this_node", .bool(m.key == me)),
                        ("granted_by", m.grantedBy.map { .string(KeyText.key(bytes: $0)) } ?? .null),
                        ("changeset", m.changeset.map(JSONValue.string) ?? .null),
                        ("granted_at", m.grantedAt.map { .string(HLC.iso8601(milliseconds: $0.rawValue >> 16)) } ?? .null),
                        ("cutoff", m.cutoff.map { .int(Int64(clamping: $0)) } ?? .null),
                        ("revoked_by", m.revokedBy.map { .string(KeyText.key(bytes: $0)) } ?? .null),
                        ("revocation", m.revocation.map(JSONValue.string) ?? .null),
                        ("revoked_at", m.revokedAt.map { .string(HLC.iso8601(milliseconds: $0.rawValue >> 16)) } ?? .null),
                        ("last_applied_seq", m.lastApplied.map { .int(Int64(clamping: $0)) } ?? .null),
                    ])
                }))
                return
            }
            let rows = members.map { m -> [String] in
                let who = KeyText.fingerprint(m.key) + (m.key == me ? " *" : "")
                let by = m.isRoot ? console.t(.memberRoot) : m.grantedBy.map { KeyText.fingerprint($0) } ?? "-"
                let when = m.grantedAt.map { HLC.iso8601(milliseconds: $0.rawValue >> 16) } ?? "-"
                let cut = m.cutoff.map { console.t(.memberRevoked, String($0), m.revokedBy.map { KeyText.fingerprint($0) } ?? "-") } ?? "-"
                let role = m.role?.name ?? console.t(.memberNoRole)
                return [who, role, by, when, cut, KeyText.key(bytes: m.key)]
            }
            console.out(Rendering.table(header: console.t(.membersHeader), rows: rows))
        }
    }
}
