/// A named peer and what this store knows about it.
public struct PeerInfo: Sendable {
    public let name: String
    public let url: String
    /// The node key pinned for it (required for TCP), if any.
    public let key: [UInt8]?
    /// The node key it last presented (pinned or not).
    public let seenKey: [UInt8]?
    /// Namespaces this store offers it (nil: all).
    public let share: [String]?
    /// Unix milliseconds of the last sync that completed, if any.
    public let lastSync: UInt64?
    /// Changesets this store holds that the peer is not known to hold, and the reverse; nil while
    /// no key is known for it (none pinned, no sync yet): what it may be offered depends on its key.
    public let toSend: Int?
    public let toReceive: Int?
}
