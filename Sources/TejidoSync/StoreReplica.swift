import TejidoStore

/// A store as the replica of a sync session. Confined to the store's thread.
public final class StoreReplica: SyncReplica {
    public let store: Store
    private var cursor: OutgoingCursor?
    /// Namespaces offered to a peer key; nil offers every namespace.
    public var offered: ([UInt8]) throws -> Set<[UInt8]>? = { _ in nil }

    public init(store: Store) { self.store = store }

    public var networkID: [UInt8] { store.networkID }
    public var nodePublicKey: [UInt8] { store.nodeKey.publicKey.bytes }

    public func digests(for peer: [UInt8]) throws -> [NamespaceDigest] {
        let all = try store.namespaceDigests()
        guard let allowed = try offered(peer) else { return all }
        return all.filter { allowed.contains($0.namespace) }
    }

    public func heads(namespace: [UInt8]) throws -> [FeedHead] { try store.feedHeads(namespace: namespace) }

    public func startSending(namespaces: [[UInt8]], theirHeads: [[UInt8]: [FeedHead]]) throws -> (count: Int, bytes: Int) {
        cursor?.close()
        // Only namespaces this side offered: the peer's digests may name others.
        let mine = Set(try store.namespaceDigests().map(\.namespace))
        let c = try store.outgoing(namespaces: namespaces.filter { mine.contains($0) }, theirHeads: theirHeads)
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
