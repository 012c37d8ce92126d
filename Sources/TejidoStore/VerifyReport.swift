/// What `verify` found.
public struct VerifyReport: Sendable {
    public struct Problem: Sendable, Equatable {
        /// Changeset id in hex.
        public let id: String
        /// One of: format, id, signature, network, chain, deps, authority, fork, row; database (`databaseProblems`).
        public let kind: String
        public let detail: String
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
