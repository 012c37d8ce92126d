import TejidoCrypto

/// A short summary of what a store holds of one namespace: SHA-256 over its sorted feed heads.
/// Two stores with equal digests hold the same applied changesets of that namespace.
public struct NamespaceDigest: Hashable, Sendable {
    /// The namespace id (its root public key, 32 bytes).
    public let namespace: [UInt8]
    /// SHA-256 of the feed heads sorted by author: for each, author (32) || seq (8, big-endian) || head (32).
    public let digest: [UInt8]
    /// Number of feeds summed up.
    public let feeds: Int

    public init(namespace: [UInt8], digest: [UInt8], feeds: Int) {
        self.namespace = namespace
        self.digest = digest
        self.feeds = feeds
    }

    /// The digest of a list of heads, in any order.
    public static func of(namespace: [UInt8], heads: [FeedHead]) -> NamespaceDigest {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(heads.count * 72)
        for h in heads.sorted(by: { $0.author.lexicographicallyPrecedes($1.author) }) {
            bytes += h.author
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: h.seq >> UInt64(shift))) }
            bytes += h.head
        }
        return NamespaceDigest(namespace: namespace, digest: SHA256.hash(bytes), feeds: heads.count)
    }
}
