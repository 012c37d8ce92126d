import TejidoCore

/// A key with a role in a namespace, and where the role comes from.
public struct Member: Sendable, Equatable {
    public let key: [UInt8]
    public let role: Role
    /// True for the namespace's root key (admin by definition, granted by no one).
    public let isRoot: Bool
    /// The key whose grant is in force, and the changeset that holds it (hex id) with its clock.
    public let grantedBy: [UInt8]?
    public let changeset: String?
    public let grantedAt: HLC?
}
