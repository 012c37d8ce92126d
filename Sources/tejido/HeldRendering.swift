import TejidoCore
import TejidoCrypto
import TejidoStore

/// How quarantined changesets look in `verify` and `status`.
enum HeldRendering {
    static func json(_ h: HeldChangeset) -> JSONValue {
        .object([
            ("id", .string(h.id)), ("namespace", .string(h.namespace)), ("author", .string(KeyText.key(bytes: h.author))),
            ("fingerprint", .string(KeyText.fingerprint(h.author))), ("seq", .int(Int64(clamping: h.seq))), ("reason", .string(h.reason)),
        ])
    }

    static func lines(_ held: [HeldChangeset], console: Console) -> [String] {
        guard !held.isEmpty else { return [] }
        return [console.t(.quarantinedHeader, String(held.count))] + held.map { h in
            "  \(h.id.prefix(16))  \(h.namespace)  \(KeyText.fingerprint(h.author)) #\(h.seq)  \(h.reason)"
        }
    }
}
