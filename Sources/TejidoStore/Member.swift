import TejidoCore

/// A key with a role (or a cut-off) in a namespace, and where both come from.
public struct Member: Sendable, Equatable {
    public let key: [UInt8]
    /// Nil for a key that was revoked without ever holding a role.
    public let role: Role?
    /// True for the namespace's root key (admin by definition, granted by no one, never revoked).
    public let isRoot: Bool
    /// The key whose grant is in force, and the changeset that holds it (hex id) with its clock.
    public var grantedBy: [UInt8]? = nil
    public var changeset: String? = nil
    public var grantedAt: HLC? = nil
    /// Changesets of this key's feed past `cutoff` do not count; who revoked it, in which changeset, when.
    public var cutoff: UInt64? = nil
    public var revokedBy: [UInt8]? = nil
    public var revocation: String? = nil
    public var revokedAt: HLC? = nil
    /// The highest seq of the key's feed applied here.
    public var lastApplied: UInt64? = nil
}
