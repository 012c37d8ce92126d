import TejidoCore

/// Why a changeset is quarantined. The store keeps the reason as English text in the changeset's
/// row (`stored`), which `verify --json` shows as is; `init(stored:)` reads it back, so that tools
/// can name the case (`kind`) and show it in the user's language without parsing text themselves.
/// Writing and reading the text live here together, and a test turns every case around.
public enum QuarantineReason: Equatable, Sendable {
    /// The author holds no role in the namespace.
    case noRole
    /// The author's role is below what the changeset needs (grants and revocations need admin).
    case roleTooLow(held: Role, needed: Role)
    /// An authority changeset whose prev did not count: it counts only after it.
    case prevDoesNotCount
    /// An authority changeset that the computation has not accepted (yet).
    case notYetAccepted
    /// Past the author's cut-off seq; `by` is the fingerprint of the revoking key, when known.
    case revoked(cutoff: UInt64?, by: String?)
    /// The author's feed has two different changesets at `seq`.
    case fork(seq: UInt64)
    /// Its prev is held, but is not its author's changeset at `seq`.
    case brokenChain(seq: UInt64)
    /// Text this version does not know (written by a later one).
    case other(String)

    public var stored: String {
        switch self {
        case .noRole: "unauthorized: author holds no role in the namespace"
        case .roleTooLow(let held, let needed): "unauthorized: author is \(held.name), needs \(needed.name)"
        case .prevDoesNotCount: "unauthorized: its prev does not count"
        case .notYetAccepted: "unauthorized: not yet accepted"
        case .revoked(let cutoff, let by):
            "revoked: past the author's cut-off seq \(cutoff.map(String.init) ?? "?")" + (by.map { " (revoked by \($0))" } ?? "")
        case .fork(let seq): "fork: the author's feed has two different changesets at seq \(seq); it stops before them"
        case .brokenChain(let seq): "broken chain: prev is not this author's seq \(seq)"
        case .other(let text): text
        }
    }

    public init(stored text: String) {
        // The fork text of stores made before schema 4, which marked the same thing.
        if text.hasPrefix(Self.legacyForkPrefix), let seq = UInt64(text.dropFirst(Self.legacyForkPrefix.count)) {
            self = .fork(seq: seq)
            return
        }
        func number(after marker: String) -> UInt64? {
            guard let r = text.range(of: marker) else { return nil }
            return UInt64(text[r.upperBound...].prefix { $0.isNumber })
        }
        let parsed: QuarantineReason
        switch text {
        case Self.noRole.stored: parsed = .noRole
        case Self.prevDoesNotCount.stored: parsed = .prevDoesNotCount
        case Self.notYetAccepted.stored: parsed = .notYetAccepted
        case _ where text.hasPrefix("unauthorized: author is "):
            let parts = text.dropFirst("unauthorized: author is ".count).components(separatedBy: ", needs ")
            if parts.count == 2, let held = Role(name: parts[0]), let needed = Role(name: parts[1]) {
                parsed = .roleTooLow(held: held, needed: needed)
            } else {
                parsed = .other(text)
            }
        case _ where text.hasPrefix("revoked: "):
            var by: String?
            if let r = text.range(of: " (revoked by "), text.hasSuffix(")") { by = String(text[r.upperBound..<text.index(before: text.endIndex)]) }
            parsed = .revoked(cutoff: number(after: "cut-off seq "), by: by)
        case _ where text.hasPrefix("fork: "):
            parsed = number(after: "at seq ").map { .fork(seq: $0) } ?? .other(text)
        case _ where text.hasPrefix("broken chain: "):
            parsed = number(after: "author's seq ").map { .brokenChain(seq: $0) } ?? .other(text)
        default:
            parsed = .other(text)
        }
        // Only text that this very code writes is read as a case; anything else stays as it was.
        self = parsed.stored == text ? parsed : .other(text)
    }

    /// How stores before schema 4 worded a fork.
    static let legacyForkPrefix = "fork: another changeset holds this author's seq "

    /// A stable code: unauthorized, revoked, fork, broken_chain or other.
    public var kind: String {
        switch self {
        case .noRole, .roleTooLow, .prevDoesNotCount, .notYetAccepted: "unauthorized"
        case .revoked: "revoked"
        case .fork: "fork"
        case .brokenChain: "broken_chain"
        case .other: "other"
        }
    }

    /// About the changeset's form rather than its author's rights: it can never become valid.
    public var isStructural: Bool {
        switch self {
        case .fork, .brokenChain: true
        default: false
        }
    }
}
