import TejidoCore
import TejidoCrypto

/// A namespace as the store knows it.
public struct NamespaceInfo: Sendable, Equatable {
    /// The root public key, which is the namespace id.
    public let id: [UInt8]
    /// The name learned from the namespace's signed name op, if any.
    public let name: String?
    public let changesets: Int
    public let records: Int
    /// This node's role here, if any (root counts as admin).
    public let myRole: Role?

    public var idText: String { KeyText.namespace(bytes: id) }
    public var displayName: String { name ?? idText }
}
