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

    /// A stable code for a stored reason: unauthorized, revoked, fork, broken_chain, waiting (a
    /// pending changeset) or other.
    static func kind(_ reason: String) -> String {
        reason.hasPrefix("waiting for ") ? "waiting" : QuarantineReason(stored: reason).kind
    }

    /// A stored reason in the user's language.
    static func localized(_ reason: String, console: Console) -> String {
        switch QuarantineReason(stored: reason) {
        case .noRole: console.t(.reasonNoRole)
        case .roleTooLow(let held, let needed): console.t(.reasonRoleTooLow, held.name, needed.name)
        case .revoked(let cutoff, let by): console.t(.reasonRevoked, cutoff.map(String.init) ?? "?", by ?? "-")
        case .fork(let seq): console.t(.reasonFork, String(seq))
        case .brokenChain: console.t(.reasonBrokenChain)
        case .prevDoesNotCount: console.t(.reasonPrevDoesNotCount)
        case .notYetAccepted: console.t(.reasonNotYetAccepted)
        case .other: reason
        }
    }

    /// A pending changeset's reason ("waiting for ID") in the user's language.
    static func waiting(_ reason: String, console: Console) -> String {
        let prefix = "waiting for "
        return reason.hasPrefix(prefix) ? console.t(.waitingFor, String(reason.dropFirst(prefix.count))) : reason
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
            "  \(h.id.prefix(16))  \(h.namespace)  \(KeyText.fingerprint(h.author)) #\(h.seq)  \(waiting(h.reason, console: console))"
        }
    }
}
