import TejidoCore
import TejidoCrypto
import TejidoStore

/// How quarantined changesets look in `verify` and `status`.
enum HeldRendering {
    static func json(_ h: HeldChangeset) -> JSONValue {
        .object([
            ("id", .string(h.id)), ("namespace", .string(h.namespace)), ("author", .string(KeyText.key(bytes: h.author))),
            ("fingerprint", .string(KeyText.fingerprint(h.author))), ("seq", .int(Int64(clamping: h.seq))), ("reason", .string(h.reason)),
            ("kind", .string(kind(h.reason))),
        ])
    }

    /// A stable code for a stored reason: unauthorized, revoked, fork, broken_chain, waiting or other.
    static func kind(_ reason: String) -> String {
        for (prefix, code) in [("unauthorized", "unauthorized"), ("revoked", "revoked"), ("fork", "fork"), ("broken chain", "broken_chain"),
                               ("waiting", "waiting")] where reason.hasPrefix(prefix) {
            return code
        }
        return "other"
    }

    /// A stored reason (English, written by the store) in the user's language.
    static func localized(_ reason: String, console: Console) -> String {
        func number(after marker: String) -> String {
            guard let r = reason.range(of: marker) else { return "?" }
            return String(reason[r.upperBound...].prefix { $0.isNumber })
        }
        if reason.hasPrefix("unauthorized: author holds no role") { return console.t(.reasonNoRole) }
        if reason.hasPrefix("unauthorized: author is "), let r = reason.range(of: ", needs ") {
            let held = reason[reason.index(reason.startIndex, offsetBy: "unauthorized: author is ".count)..<r.lowerBound]
            return console.t(.reasonRoleTooLow, String(held), String(reason[r.upperBound...]))
        }
        if reason.hasPrefix("revoked:") {
            var by = "-"
            if let r = reason.range(of: "(revoked by ") { by = String(reason[r.upperBound...].prefix { $0 != ")" }) }
            return console.t(.reasonRevoked, number(after: "cut-off seq "), by)
        }
        if reason.hasPrefix("fork:") { return console.t(.reasonFork, number(after: "at seq ")) }
        if reason.hasPrefix("broken chain") { return console.t(.reasonBrokenChain) }
        return reason
    }

    static func lines(_ held: [HeldChangeset], console: Console) -> [String] {
        guard !held.isEmpty else { return [] }
        return [console.t(.quarantinedHeader, String(held.count))] + held.map { h in
            "  \(h.id.prefix(16))  \(h.namespace)  \(KeyText.fingerprint(h.author)) #\(h.seq)  \(localized(h.reason, console: console))"
        }
    }

    static func pendingLines(_ held: [HeldChangeset], console: Console) -> [String] {
        guard !held.isEmpty else { return [] }
        return [console.t(.pendingHeader, String(held.count))] + held.map { h in
            "  \(h.id.prefix(16))  \(h.namespace)  \(KeyText.fingerprint(h.author)) #\(h.seq)  \(h.reason)"
        }
    }
}
