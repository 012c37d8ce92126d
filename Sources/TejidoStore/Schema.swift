import TejidoCore
import TejidoCrypto
import TejidoSQLite

/// Versioned schema. Each migration runs once, in order, inside one transaction; the version
/// is SQLite's `user_version` and the file is marked with Tejido's `application_id`.
enum Schema {
    /// "TJDO" in ASCII: marks a SQLite file as a Tejido store.
    static let applicationID: Int32 = 0x544A_444F

    static let migrations: [String] = [
        // 1: the first layout.
        """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
        CREATE TABLE keys(k INTEGER PRIMARY KEY, key BLOB NOT NULL UNIQUE);
        CREATE TABLE namespaces(
            ns INTEGER PRIMARY KEY, root INTEGER NOT NULL UNIQUE, name TEXT, name_stamp BLOB, petname TEXT);
        CREATE TABLE changesets(
            seqno INTEGER PRIMARY KEY,
            id BLOB NOT NULL UNIQUE,
            ns INTEGER NOT NULL, author INTEGER NOT NULL, seq INTEGER NOT NULL, hlc INTEGER NOT NULL,
            state INTEGER NOT NULL,
            applied INTEGER,
            reason TEXT,
            envelope BLOB NOT NULL);
        CREATE INDEX changesets_feed ON changesets(ns, author, seq);
        CREATE UNIQUE INDEX changesets_applied ON changesets(applied) WHERE applied IS NOT NULL;
        CREATE TABLE feeds(
            ns INTEGER NOT NULL, author INTEGER NOT NULL, seq INTEGER NOT NULL, head BLOB NOT NULL,
            PRIMARY KEY(ns, author)) WITHOUT ROWID;
        CREATE TABLE waiting(needed BLOB NOT NULL, seqno INTEGER NOT NULL, PRIMARY KEY(needed, seqno)) WITHOUT ROWID;
        CREATE TABLE grants(
            ns INTEGER NOT NULL, key INTEGER NOT NULL, role INTEGER NOT NULL, granted_by INTEGER NOT NULL,
            cs INTEGER NOT NULL, PRIMARY KEY(ns, key)) WITHOUT ROWID;
        CREATE TABLE records(
            rec INTEGER PRIMARY KEY, ns INTEGER NOT NULL, collection TEXT NOT NULL, rid TEXT NOT NULL,
            deleted BLOB, written INTEGER NOT NULL DEFAULT 0, UNIQUE(ns, collection, rid));
        CREATE TABLE columns(collection TEXT NOT NULL, field TEXT NOT NULL, crdt INTEGER NOT NULL,
            PRIMARY KEY(collection, field, crdt)) WITHOUT ROWID;
        CREATE TABLE history(
            rec INTEGER NOT NULL, field TEXT NOT NULL, stamp BLOB NOT NULL, kind INTEGER NOT NULL, value,
            cs INTEGER NOT NULL, PRIMARY KEY(rec, field, stamp)) WITHOUT ROWID;
        CREATE TABLE counters(
            rec INTEGER NOT NULL, field TEXT NOT NULL, stamp BLOB NOT NULL, delta INTEGER NOT NULL,
            cs INTEGER NOT NULL, PRIMARY KEY(rec, field, stamp)) WITHOUT ROWID;
        CREATE TABLE set_adds(
            rec INTEGER NOT NULL, field TEXT NOT NULL, stamp BLOB NOT NULL, kind INTEGER NOT NULL, elem,
            ecbor BLOB NOT NULL, cs_id BLOB NOT NULL, op INTEGER NOT NULL, PRIMARY KEY(rec, field, stamp)) WITHOUT ROWID;
        CREATE TABLE set_removes(
            rec INTEGER NOT NULL, field TEXT NOT NULL, cs_id BLOB NOT NULL, op INTEGER NOT NULL, ecbor BLOB NOT NULL,
            PRIMARY KEY(rec, field, cs_id, op, ecbor)) WITHOUT ROWID;
        """,
        // 2: peers. A peer is a name and a URL, with the node key pinned for it (if any). What a
        // node key is known to hold (its feed heads) is learned in syncs and from bundle receipts.
        """
        CREATE TABLE peers(name TEXT PRIMARY KEY, url TEXT NOT NULL, key BLOB, seen_key BLOB, share TEXT,
            added INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE peer_state(key BLOB PRIMARY KEY, last_sync INTEGER, last_url TEXT, sent INTEGER NOT NULL DEFAULT 0,
            received INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
        CREATE TABLE peer_heads(peer BLOB NOT NULL, ns BLOB NOT NULL, author BLOB NOT NULL, seq INTEGER NOT NULL,
            PRIMARY KEY(peer, ns, author)) WITHOUT ROWID;
        """,
        // 3: changesets that arrived stamped more than a day ahead of this store's clock: applied
        // (a group's data is never dropped) but flagged, with how far ahead they were.
        """
        CREATE TABLE clock_flags(seqno INTEGER PRIMARY KEY, ahead_ms INTEGER NOT NULL, received INTEGER NOT NULL);
        """,
        // 4: revocation. `roles` replaces `grants`: it is the output of the authority computation
        // (protocol/authority.md), rewritten whenever a grant, revoke or name changeset arrives,
        // and it can hold a cut-off. `authority_cs` lists those changesets; `forks` the first seq
        // at which a feed was seen forked.
        """
        CREATE TABLE roles(ns INTEGER NOT NULL, key INTEGER NOT NULL, role INTEGER, granted_by INTEGER, grant_cs INTEGER,
            cutoff INTEGER, revoked_by INTEGER, revoke_cs INTEGER, PRIMARY KEY(ns, key)) WITHOUT ROWID;
        INSERT INTO roles(ns, key, role, granted_by, grant_cs) SELECT ns, key, role, granted_by, cs FROM grants;
        DROP TABLE grants;
        CREATE TABLE authority_cs(ns INTEGER NOT NULL, seqno INTEGER NOT NULL, PRIMARY KEY(ns, seqno)) WITHOUT ROWID;
        CREATE TABLE forks(ns INTEGER NOT NULL, author INTEGER NOT NULL, seq INTEGER NOT NULL,
            PRIMARY KEY(ns, author)) WITHOUT ROWID;
        """,
        // 5: quarantined changesets by namespace: what a change of authority tries again.
        """
        CREATE INDEX changesets_quarantined ON changesets(ns) WHERE state = 2;
        """,
        // 6: names that read as an id are merged as no name; those merged before are worked out again.
        """
        -- no table changes: see afterMigration
        """,
        // 7: a peer's share list holds namespace ids, not names (a rename here must not change
        // what the peer is offered).
        """
        -- no table changes: see afterMigration
        """,
    ]

    /// Steps that need more than SQL, run right after the migration of the same index.
    static func afterMigration(_ index: Int, _ db: SQLiteConnection) throws {
        switch index {
        case 3:
            // Finds the grant and name changesets already stored, so the authority computation sees them.
            let rows = try db.prepare("SELECT seqno, ns, envelope FROM changesets")
            let add = try db.prepare("INSERT OR IGNORE INTO authority_cs(ns, seqno) VALUES(?,?)")
            while try rows.step() {
                guard let env = try? ChangesetEnvelope(bytes: rows.blob(2)), env.body.hasAuthorityOps else { continue }
                try add.run([.integer(rows.int64(1)), .integer(rows.int64(0))])
            }
        case 5:
            try renameIDLikeNamespaces(db)
        case 6:
            try shareListsByID(db)
        default:
            return
        }
    }

    /// A namespace name that reads as a key or an id is merged as no name (protocol/merge.md). A
    /// store that merged one before that rule gets the name the rule gives: the greatest-stamped
    /// name op of its applied changesets that does not read so, or none.
    static func renameIDLikeNamespaces(_ db: SQLiteConnection) throws {
        var affected: [Int64] = []
        let named = try db.prepare("SELECT ns, name FROM namespaces WHERE name IS NOT NULL")
        while try named.step() {
            if KeyText.looksLikeKeyText(named.text(1)) { affected.append(named.int64(0)) }
        }
        let rows = try db.prepare(
            "SELECT c.envelope FROM authority_cs a JOIN changesets c ON c.seqno = a.seqno WHERE a.ns = ? AND c.state = ?")
        let update = try db.prepare("UPDATE namespaces SET name=?, name_stamp=? WHERE ns=?")
        for ns in affected {
            var best: (name: String, stamp: [UInt8])?
            rows.bind(1, ns)
            rows.bind(2, ChangesetState.applied.rawValue)
            while try rows.step() {
                guard let env = try? ChangesetEnvelope(bytes: rows.blob(0)) else { continue }
                let prefix = Stamp.prefix(hlc: env.body.hlc, author: env.body.author, seq: env.body.seq)
                for (i, op) in env.body.ops.enumerated() {
                    guard case .name(let name) = op, !KeyText.looksLikeKeyText(name) else { continue }
                    let stamp = Stamp.finish(prefix, opIndex: i)
                    if best.map({ $0.stamp.lexicographicallyPrecedes(stamp) }) ?? true { best = (name, stamp) }
                }
            }
            rows.reset()
            try update.run([best.map { .text($0.name) } ?? .null, best.map { .blob($0.stamp) } ?? .null, .integer(ns)])
        }
    }

    /// Share lists written by name become lists of namespace ids: each name resolved as it stands
    /// now (a petname first, as the store resolves names). A name that no namespace or several
    /// hold is dropped, so that the peer is offered less, never another group's data.
    static func shareListsByID(_ db: SQLiteConnection) throws {
        var lists: [(name: String, share: String)] = []
        let peers = try db.prepare("SELECT name, share FROM peers WHERE share IS NOT NULL")
        while try peers.step() { lists.append((peers.text(0), peers.text(1))) }
        let named = try db.prepare(
            """
            SELECT k.key FROM namespaces n JOIN keys k ON k.k = n.root
            WHERE COALESCE(n.petname, n.name) = ? AND EXISTS (SELECT 1 FROM feeds f WHERE f.ns = n.ns)
            """)
        let update = try db.prepare("UPDATE peers SET share=? WHERE name=?")
        for (peer, share) in lists {
            var ids: [String] = []
            for entry in share.split(separator: ",").map(String.init) {
                if entry.hasPrefix(KeyText.namespacePrefix + "1") || KeyText.looksLikeKeyText(entry) {
                    if let key = KeyText.parseKey(entry) { ids.append(KeyText.namespace(bytes: key.bytes)) }
                    continue
                }
                named.bind(1, entry)
                var roots: [[UInt8]] = []
                while try named.step() { roots.append(named.blob(0)) }
                named.reset()
                if roots.count == 1 { ids.append(KeyText.namespace(bytes: roots[0])) }
            }
            try update.run([.text(ids.joined(separator: ",")), .text(peer)])
        }
    }

    static var currentVersion: Int { migrations.count }

    /// Brings a fresh or older database up to the current version.
    /// `seed` runs inside the same transaction when the database is new, so a crash never leaves
    /// a schema without its first rows.
    static func migrate(_ db: SQLiteConnection, seed: ((SQLiteConnection) throws -> Void)? = nil) throws {
        let seen = Int(try intPragma(db, "user_version"))
        if seen > currentVersion { throw StoreError.newerSchema(found: seen, supported: currentVersion) }
        guard seen < currentVersion else { return }
        try db.transaction {
            // Read again under the write lock: another process may have migrated meanwhile.
            let version = Int(try intPragma(db, "user_version"))
            guard version < currentVersion else { return }
            for v in version..<currentVersion {
                try db.execute(migrations[v])
                try afterMigration(v, db)
            }
            if version == 0, let seed { try seed(db) }
            try db.execute("PRAGMA user_version = \(currentVersion); PRAGMA application_id = \(applicationID);")
        }
    }

    static func intPragma(_ db: SQLiteConnection, _ name: String) throws -> Int64 {
        if case .integer(let v)? = try db.scalar("PRAGMA \(name)") { return v }
        return 0
    }
}

/// SQL condition on a `records` row aliased `r`: the record is visible. It needs one write ever,
/// and, if deleted, a write, counter add or set add stamped after its latest delete.
let visibleRecordSQL = """
    r.written = 1 AND (r.deleted IS NULL
    OR EXISTS (SELECT 1 FROM main.history h WHERE h.rec = r.rec AND h.stamp > r.deleted)
    OR EXISTS (SELECT 1 FROM main.counters c WHERE c.rec = r.rec AND c.stamp > r.deleted)
    OR EXISTS (SELECT 1 FROM main.set_adds a WHERE a.rec = r.rec AND a.stamp > r.deleted))
    """

/// SQL condition on a `set_adds` row aliased `a`: no remove that observed it, for the same element.
let setAddNotRemovedSQL = """
    NOT EXISTS (SELECT 1 FROM main.set_removes x WHERE x.rec = a.rec AND x.field = a.field
    AND x.cs_id = a.cs_id AND x.op = a.op AND x.ecbor = a.ecbor)
    """

/// Changeset states in the `changesets` table.
enum ChangesetState: Int64 {
    case applied = 0
    case pending = 1
    case quarantined = 2
}

/// How a field merges; recorded per (collection, field) for the query views.
enum CRDTKind: Int64 {
    case register = 0
    case counter = 1
    case set = 2
}
