/// What `verify` found.
public struct VerifyReport: Sendable {
    public struct Problem: Sendable, Equatable {
        /// Changeset id in hex.
        public let id: String
        /// One of: format, id, signature, network, chain, deps, authority, row.
        public let kind: String
        public let detail: String
    }

    public var checked = 0
    public var applied = 0
    public var pending = 0
    public var quarantined = 0
    public var problems: [Problem] = []

    public var ok: Bool { problems.isEmpty }
}
