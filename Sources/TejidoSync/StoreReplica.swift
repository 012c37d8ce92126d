import TejidoStore

/// A store as the replica of a sync session. Confined to the store's thread.
public final class StoreReplica: SyncReplica {
    public let store: Store
    private var cursor: OutgoingCursor?
    /// Namespaces offered to a peer key; nil offers every namespace. By default, what the peer list
    /// says for that key (`peer add ... --share`).
    public lazy var offered: ([UInt8]) throws -> Set<[UInt8]>? = { [unowned self] key in try self.store.sharedNamespaces(forPeerKey: key) }
    /// The namespaces named in this side's digests: the only ones it sends.
    private var offeredNow: Set<[UInt8]> = []
    /// The peer's key as known when the digests were made (empty: not known).
    private var peerKey: [UInt8] = []

    public init(store: Store) { self.store = store }

    public var networkID: [UInt8] { store.networkID }
    public var nodePublicKey: [UInt8] { store.nodeKey.publicKey.bytes }

    public func offeredHeads(for peer: [UInt8]) throws -> [(namespace: [UInt8], heads: [FeedHead])] {
        peerKey = peer
        var list = try store.heldNamespaces()
        if let allowed = try offered(peer) { list = list.filter { allowed.contains($0) } }
        // A private namespace is not even named to a node whose key holds no role in it.
        list = try list.filter { try store.mayReceive(namespace: $0, key: peer) }
        offeredNow = Set(list)
        return try list.map { ($0, try store.feedHeads(namespace: $0)) }
    }

    /// Heads of a namespace. For one this side holds but does not offer this peer, they are still
    /// sent when the peer offers it: the peer holds that namespace itself, and without them it would
    /// send all of it again in every session. Nothing of it is ever sent to the peer.
    /// A private namespace's heads go only to a peer whose key holds a role in it: to any other
    /// (or to a server whose key the client does not know yet) this side claims to hold nothing.
    public func heads(namespace: [UInt8]) throws -> [FeedHead] {
        guard try store.mayReceive(namespace: namespace, key: peerKey) else { return [] }
        return try store.feedHeads(namespace: namespace)
    }

    public func startSending(namespaces: [[UInt8]], theirHeads: [[UInt8]: [FeedHead]]) throws -> (count: Int, bytes: Int) {
        cursor?.close()
        // Only namespaces this side offered: the peer's digests may name others.
        let c = try store.outgoing(namespaces: namespaces.filter { offeredNow.contains($0) }, theirHeads: theirHeads)
        cursor = c
        return (c.total, c.bytes)
    }

    public func nextBatch(maxCount: Int, maxBytes: Int) throws -> [OutgoingChangeset] {
        guard let cursor else { return [] }
        let batch = try cursor.next(maxCount: maxCount, maxBytes: maxBytes)
        if batch.isEmpty { self.cursor = nil }
        return batch
    }

    public func receive(envelopes: [[UInt8]]) throws -> BatchOutcome {
        cursor?.close()
        cursor = nil
        return try store.receive(envelopes: envelopes)
    }

    /// Drops an unfinished stream (after a cut link).
    public func close() {
        cursor?.close()
        cursor = nil
    }
}
