import TejidoCore

/// What `verify` found.
public struct VerifyReport: Sendable {
    public struct Problem: Sendable, Equatable {
        /// Changeset id in hex.
        public let id: String
        public let finding: Finding
        /// One of: format, id, signature, network, chain, deps, authority, fork, row; database (`databaseProblems`).
        public var kind: String { finding.kind }
        /// The finding in English, for logs and `--json`.
        public var detail: String { finding.description }

        public init(id: String, finding: Finding) {
            self.id = id
            self.finding = finding
        }
    }

    /// What exactly is wrong with one changeset (or, for `database`, with the file). Typed, so
    /// that a user interface can say it in its own language; `description` is the English.
    public enum Finding: Sendable, Equatable, CustomStringConvertible {
        case format(FormatError)
        case idMismatch
        case rowMismatch
        case otherNetwork
        case badSignature
        case chainBreak(seq: UInt64)
        case depMissing(String)
        /// Applied, but its author's roles at the time do not allow it: the stored reason, as a
        /// quarantine gives it (`QuarantineReason`).
        case notCounted(String)
        case pastFork(seq: UInt64)
        /// SQLite's integrity check, in its own words.
        case database(String)

        /// The stable name of the finding's kind (`verify --json`'s `kind`).
        public var kind: String {
            switch self {
            case .format: "format"
            case .idMismatch: "id"
            case .rowMismatch: "row"
            case .otherNetwork: "network"
            case .badSignature: "signature"
            case .chainBreak: "chain"
            case .depMissing: "deps"
            case .notCounted: "authority"
            case .pastFork: "fork"
            case .database: "database"
            }
        }

        public var description: String {
            switch self {
            case .format(let e): e.description
            case .idMismatch: "stored id differs from SHA-256 of the body"
            case .rowMismatch: "index columns differ from the envelope"
            case .otherNetwork: "changeset of another network"
            case .badSignature: "signature does not verify"
            case .chainBreak(let seq): "seq \(seq) does not follow the feed's head"
            case .depMissing(let dep): "dep \(dep) is not held"
            case .notCounted(let reason): "applied, but does not count: \(reason)"
            case .pastFork(let seq): "applied past the fork of its feed at seq \(seq)"
            case .database(let text): text
            }
        }
    }

    public var checked = 0
    public var applied = 0
    public var pending = 0
    public var quarantined = 0
    public var problems: [Problem] = []
    /// Not problems (verify still passes): changesets that arrived with a clock more than a day ahead.
    public var clockFlags: [ClockFlag] = []

    public var ok: Bool { problems.isEmpty }
}
