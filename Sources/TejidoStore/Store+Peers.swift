import Foundation
import TejidoCore
import TejidoCrypto
import TejidoSQLite

extension Store {
    // MARK: The peer list

    /// Names a peer. `share` (names or ids of namespaces held here) is resolved now and kept as
    /// namespace ids: what the peer is offered must not change when a namespace is renamed here,
    /// or when another namespace takes a shared one's name.
    public func addPeer(name: String, url: String, key: [UInt8]?, share: [String]?) throws {
        guard Names.isValidName(name) else { throw StoreError.invalidName(name) }
        // `--for` and `sync` take a key as well as a peer's name: a name that reads as a key would
        // hide the key it spells (a bundle for it would leave out what another peer holds).
        guard !KeyText.looksLikeKeyText(name) else { throw StoreError.nameLooksLikeKey(name) }
        let shared = try share.map { try $0.map { KeyText.namespace(bytes: try resolveNamespace($0).root) } }
        try write {
            if try db.scalar("SELECT 1 FROM peers WHERE name=?", [.text(name)]) != nil { throw StoreError.peerExists(name) }
            try run("INSERT INTO peers(name, url, key, share, added) VALUES(?,?,?,?,?)", [
                .text(name), .text(url), key.map { .blob($0) } ?? .null,
                shared.map { .text($0.joined(separator: ",")) } ?? .null, .integer(Int64(now())),
            ])
        }
    }

    public func removePeer(name: String) throws {
        try write {
            try run("DELETE FROM peers WHERE name=?", [.text(name)])
            if db.changes == 0 { throw StoreError.unknownPeer(name) }
        }
    }

    public func peer(named name: String) throws -> PeerInfo? { try peers().first { $0.name == name } }

    /// Every named peer, by name, with what is known to be waiting in each direction.
    public func peers() throws -> [PeerInfo] {
        let st = try db.prepare(
            """
            SELECT p.name, p.url, p.key, p.seen_key, p.share, s.last_sync FROM peers p
            LEFT JOIN peer_state s ON s.key = COALESCE(p.key, p.seen_key) ORDER BY p.name
            """)
        var out: [PeerInfo] = []
        while try st.step() {
            let key = st.isNull(2) ? nil : st.blob(2)
            let seen = st.isNull(3) ? nil : st.blob(3)
            let waiting = try (key ?? seen).map { try self.waiting(peer: $0) }
            out.append(PeerInfo(
                name: st.text(0), url: st.text(1), key: key, seenKey: seen,
                share: st.isNull(4) ? nil : st.text(4).split(separator: ",").map(String.init),
                lastSync: try st.uint64OrNil(5), toSend: waiting?.toSend, toReceive: waiting?.toReceive))
        }
        return out
    }

    /// The namespaces a peer's entries limit it to (`peer add ... --share`), by its node key; nil if
    /// no entry for that key limits it.
    public func sharedNamespaces(forPeerKey key: [UInt8]) throws -> Set<[UInt8]>? {
        let st = try db.prepare("SELECT share FROM peers WHERE (key=?1 OR (key IS NULL AND seen_key=?1)) AND share IS NOT NULL")
        st.bind(blob: 1, key)
        var out: Set<[UInt8]>?
        while try st.step() { out = (out ?? []).union(Self.sharedRoots(st.text(0).split(separator: ","))) }
        return out
    }

    /// The namespaces a named peer is limited to, or nil.
    public func sharedNamespaces(forPeer name: String) throws -> Set<[UInt8]>? {
        try peer(named: name)?.share.map(Self.sharedRoots)
    }

    /// The namespace ids of a stored share list. An entry that is not an id (a name that the
    /// migration to ids could not resolve) shares nothing: never whatever holds that name now.
    static func sharedRoots<Entries: Sequence>(_ entries: Entries) -> Set<[UInt8]> where Entries.Element: StringProtocol {
        Set(entries.compactMap { entry -> [UInt8]? in
            guard entry.hasPrefix(KeyText.namespacePrefix + "1") else { return nil }
            return KeyText.parseKey(String(entry))?.bytes
        })
    }

    // MARK: What a peer is known to hold

    /// The feed heads a node key was last known to hold, per namespace.
    public func knownHeads(peer: [UInt8]) throws -> [[UInt8]: [[UInt8]: UInt64]] {
        let st = try db.prepare("SELECT ns, author, seq FROM peer_heads WHERE peer=?")
        st.bind(blob: 1, peer)
        var out: [[UInt8]: [[UInt8]: UInt64]] = [:]
        while try st.step() { out[st.blob(0), default: [:]][st.blob(1)] = try st.uint64(2) }
        return out
    }

    /// Records what a peer holds after a sync or from a receipt. For the namespaces in `exact`,
    /// `heads` is the complete list and replaces what was known (a restored or re-created peer
    /// holds less than before); elsewhere heads only move forward. `completed` marks a sync that
    /// ran to its end.
    public func recordPeer(key: [UInt8], url: String?, heads: [[UInt8]: [[UInt8]: UInt64]], exact: Set<[UInt8]> = [], sent: Int,
                           received: Int, completed: Bool, peerName: String? = nil) throws {
        try write {
            for ns in exact { try run("DELETE FROM peer_heads WHERE peer=? AND ns=?", [.blob(key), .blob(ns)]) }
            let st = try statement(
                """
                INSERT INTO peer_heads(peer, ns, author, seq) VALUES(?,?,?,?)
                ON CONFLICT(peer, ns, author) DO UPDATE SET seq=excluded.seq WHERE excluded.seq > peer_heads.seq
                """)
            // Namespaces this store does not hold serve only `status` ("waiting to receive"), and a
            // peer may name any number of them: a record that names some replaces all that was
            // known of them, and keeps at most `maxUnheldHeadsPerPeer` heads. Held namespaces keep
            // the rules above.
            let held = Set(try namespaceRows().map(\.root))
            let unheld = heads.keys.filter { !held.contains($0) }.sorted { $0.lexicographicallyPrecedes($1) }
            if !unheld.isEmpty {
                var stored: [[UInt8]] = []
                let known = try statement("SELECT DISTINCT ns FROM peer_heads WHERE peer=?")
                known.bind(blob: 1, key)
                while try known.step() { stored.append(known.blob(0)) }
                known.reset()
                for ns in stored where !held.contains(ns) { try run("DELETE FROM peer_heads WHERE peer=? AND ns=?", [.blob(key), .blob(ns)]) }
            }
            for (ns, feeds) in heads where held.contains(ns) {
                for (author, seq) in feeds { try st.run([.blob(key), .blob(ns), .blob(author), .integer(Int64(clamping: seq))]) }
            }
            // A key that no named peer has is kept within tighter bounds: a server that lets any
            // key in (`--allow any`) meets keys a client can make without end.
            let named = try peerName != nil
                || db.scalar("SELECT EXISTS(SELECT 1 FROM peers WHERE key=?1 OR seen_key=?1)", [.blob(key)]) == .integer(1)
            let limit = named ? Self.maxUnheldHeadsPerPeer : Self.maxHeadsPerUnnamedPeer
            var budget = limit
            for ns in unheld where budget > 0 {
                for (author, seq) in heads[ns]!.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                    guard budget > 0 else { break }
                    budget -= 1
                    try st.run([.blob(key), .blob(ns), .blob(author), .integer(Int64(clamping: seq))])
                }
            }
            try run(
                """
                INSERT INTO peer_state(key, last_sync, last_url, sent, received) VALUES(?,?,?,?,?)
                ON CONFLICT(key) DO UPDATE SET last_sync=COALESCE(excluded.last_sync, peer_state.last_sync),
                last_url=COALESCE(excluded.last_url, peer_state.last_url),
                sent=peer_state.sent+excluded.sent, received=peer_state.received+excluded.received
                """, [.blob(key), completed ? .integer(Int64(now())) : .null, url.map { .text($0) } ?? .null,
                      .integer(Int64(sent)), .integer(Int64(received))])
            if let peerName { try run("UPDATE peers SET seen_key=? WHERE name=?", [.blob(key), .text(peerName)]) }
            if !named {
                // At most `limit` heads in all, those of namespaces held here first.
                try run(
                    """
                    DELETE FROM peer_heads WHERE peer=?1 AND (ns, author) IN (
                      SELECT ns, author FROM peer_heads WHERE peer=?1
                      ORDER BY ns IN (SELECT k.key FROM namespaces n JOIN keys k ON k.k = n.root) DESC, ns, author
                      LIMIT -1 OFFSET ?2)
                    """, [.blob(key), .integer(Int64(limit))])
                // And at most `maxUnnamedPeers` such keys, the ones that last completed a sync.
                let evicted = """
                    SELECT s.key FROM peer_state s
                    WHERE s.key != ?1 AND NOT EXISTS (SELECT 1 FROM peers p WHERE p.key = s.key OR p.seen_key = s.key)
                    ORDER BY COALESCE(s.last_sync, 0) DESC, s.key LIMIT -1 OFFSET ?2
                    """
                let args: [SQLiteValue] = [.blob(key), .integer(Int64(Self.maxUnnamedPeers - 1))]
                try run("DELETE FROM peer_heads WHERE peer IN (\(evicted))", args)
                try run("DELETE FROM peer_state WHERE key IN (\(evicted))", args)
            }
        }
    }

    /// Heads kept for a key that no named peer has, in all namespaces.
    static let maxHeadsPerUnnamedPeer = 4_096
    /// Keys with no named peer whose knowledge is kept: the most recently synced.
    static let maxUnnamedPeers = 256

    /// The most heads kept per peer for namespaces this store does not hold.
    static let maxUnheldHeadsPerPeer = 100_000

    /// Saturating addition: what a peer claims must not be able to trap a count.
    static func add(_ a: Int, _ b: UInt64) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(Int(clamping: b))
        return overflow ? Int.max : sum
    }

    /// Changesets this store holds that `peer` is not known to hold, and those it is known to hold
    /// that this store lacks (counted from feed heads).
    public func waiting(peer: [UInt8]) throws -> (toSend: Int, toReceive: Int) {
        let theirs = try knownHeads(peer: peer)
        let shared = try sharedNamespaces(forPeerKey: peer)
        var toSend = 0
        var toReceive = 0
        let rows = try namespaceRows()
        for ns in rows {
            let mine = try feedHeads(namespace: ns.root)
            let known = theirs[ns.root] ?? [:]
            // What a sync would offer it: the namespaces shared with it, and of the private ones
            // only those its key holds a role in.
            if shared?.contains(ns.root) ?? true, try mayReceive(namespace: ns.root, key: peer) {
                for h in mine where h.seq > known[h.author] ?? 0 { toSend = Self.add(toSend, h.seq - (known[h.author] ?? 0)) }
            }
            let mineByAuthor = Dictionary(uniqueKeysWithValues: mine.map { ($0.author, $0.seq) })
            for (author, seq) in known where seq > mineByAuthor[author] ?? 0 { toReceive = Self.add(toReceive, seq - (mineByAuthor[author] ?? 0)) }
        }
        let held = Set(rows.map(\.root))
        for (ns, known) in theirs where !held.contains(ns) {
            for seq in known.values { toReceive = Self.add(toReceive, seq) }
        }
        return (toSend, toReceive)
    }
}
