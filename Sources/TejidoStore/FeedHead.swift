/// The newest applied changeset of one author in one namespace: what a store holds of that feed.
public struct FeedHead: Hashable, Sendable {
    /// The author's public key (32 bytes).
    public let author: [UInt8]
    /// The feed's last applied seq; every seq below it is held too.
    public let seq: UInt64
    /// Id of the changeset at `seq` (32 bytes).
    public let head: [UInt8]

    public init(author: [UInt8], seq: UInt64, head: [UInt8]) {
        self.author = author
        self.seq = seq
        self.head = head
    }
}
