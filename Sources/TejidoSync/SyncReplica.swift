import TejidoStore

/// What a sync session needs from the store on its side. `StoreReplica` is the real one.
public protocol SyncReplica: AnyObject {
    var networkID: [UInt8] { get }
    var nodePublicKey: [UInt8] { get }
    /// Digests of the namespaces this side offers to `peer`.
    func digests(for peer: [UInt8]) throws -> [NamespaceDigest]
    func heads(namespace: [UInt8]) throws -> [FeedHead]
    /// Starts streaming what the peer lacks; returns how many changesets and envelope bytes that is.
    func startSending(namespaces: [[UInt8]], theirHeads: [[UInt8]: [FeedHead]]) throws -> (count: Int, bytes: Int)
    /// The next batch of the stream; empty at its end.
    func nextBatch(maxCount: Int, maxBytes: Int) throws -> [OutgoingChangeset]
    /// Takes in one batch in one transaction.
    func receive(envelopes: [[UInt8]]) throws -> BatchOutcome
}
