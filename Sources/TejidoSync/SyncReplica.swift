import TejidoStore

/// What a sync session needs from the store on its side. `StoreReplica` is the real one.
public protocol SyncReplica: AnyObject {
    var networkID: [UInt8] { get }
    var nodePublicKey: [UInt8] { get }
    /// The feed heads of each namespace this side offers to `peer`, sorted by namespace id. The
    /// session sends their digests and, where the peer's digests agree, records these very heads
    /// as what the peer holds.
    func offeredHeads(for peer: [UInt8]) throws -> [(namespace: [UInt8], heads: [FeedHead])]
    func heads(namespace: [UInt8]) throws -> [FeedHead]
    /// Starts streaming what the peer lacks; returns how many changesets and envelope bytes that is.
    func startSending(namespaces: [[UInt8]], theirHeads: [[UInt8]: [FeedHead]]) throws -> (count: Int, bytes: Int)
    /// The next batch of the stream; empty at its end.
    func nextBatch(maxCount: Int, maxBytes: Int) throws -> [OutgoingChangeset]
    /// Takes in one batch in one transaction.
    func receive(envelopes: [[UInt8]]) throws -> BatchOutcome
}
