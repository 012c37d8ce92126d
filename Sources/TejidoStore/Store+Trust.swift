import TejidoSQLite

extension Store {
    /// Whether `key` is pinned for a named peer.
    public func isPinnedPeer(_ key: [UInt8]) throws -> Bool {
        try db.scalar("SELECT 1 FROM peers WHERE key=?", [.blob(key)]) != nil
    }

    /// Whether `key` is known here: pinned for a peer, this node's own, a namespace root, or granted
    /// a role in a namespace this store holds.
    public func isKnownKey(_ key: [UInt8]) throws -> Bool {
        if key == nodeKey.publicKey.bytes { return true }
        if try isPinnedPeer(key) { return true }
        return try db.scalar(
            """
            SELECT 1 FROM keys k WHERE k.key=? AND (EXISTS (SELECT 1 FROM namespaces n WHERE n.root = k.k)
            OR EXISTS (SELECT 1 FROM roles r WHERE r.key = k.k AND r.role IS NOT NULL AND r.cutoff IS NULL))
            """, [.blob(key)]) != nil
    }
}
