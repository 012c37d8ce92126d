import TejidoCore
import TejidoCrypto
import TejidoSQLite

/// Who may write where. Every authorization decision of the store is made here, from the
/// namespace's `AuthorityState`.
extension Store {
    /// The authority state of a namespace, computed at most once per write transaction (another
    /// process may add grants or revocations between transactions).
    func authority(nsID: Int64, root: [UInt8]) throws -> AuthorityState {
        if let s = authorityStates[nsID] { return s }
        let s = AuthorityState(root: root, candidates: try authorityCandidates(nsID))
        authorityStates[nsID] = s
        return s
    }

    /// The grant, revoke and name changesets of a namespace that take part in the computation:
    /// every one held, except those quarantined for their form (a broken chain or a forked feed)
    /// and those whose prev is not held here as the author's previous changeset. Deps do not
    /// matter: the order is by stamp.
    func authorityCandidates(_ ns: Int64) throws -> [AuthorityState.Candidate] {
        let st = try statement(
            "SELECT c.seqno, c.state, c.reason FROM authority_cs a JOIN changesets c ON c.seqno = a.seqno WHERE a.ns = ?")
        st.bind(1, ns)
        var seqnos: [Int64] = []
        while try st.step() {
            if st.int64(1) == ChangesetState.quarantined.rawValue, !st.isNull(2), Self.isStructural(st.text(2)) { continue }
            seqnos.append(st.int64(0))
        }
        st.reset()
        if parsedAuthority.count > 100_000 { parsedAuthority.removeAll(keepingCapacity: true) }
        let envelope = try statement("SELECT envelope FROM changesets WHERE seqno=?")
        let prevRow = try statement("SELECT ns, author, seq FROM changesets WHERE id=?")
        var out: [AuthorityState.Candidate] = []
        for seqno in seqnos {
            // Parsed once per store: a stored envelope never changes.
            var parsed: ParsedAuthority
            if let p = parsedAuthority[seqno] { parsed = p } else {
                envelope.bind(1, seqno)
                guard try envelope.step() else { envelope.reset(); continue }
                let env = try ChangesetEnvelope(bytes: envelope.blob(0))
                envelope.reset()
                let body = env.body
                parsed = ParsedAuthority(
                    candidate: .init(seqno: seqno, id: env.id.bytes, author: body.author, seq: body.seq, hlc: body.hlc.rawValue, ops: body.ops),
                    prev: body.prev, authorID: try keyID(body.author), chained: body.prev == nil)
            }
            if !parsed.chained, let prev = parsed.prev {
                // The prev must be held and be this author's seq - 1 here (else the chain is broken,
                // whether or not the store has noticed yet).
                prevRow.bind(blob: 1, prev.bytes)
                let found = try prevRow.step()
                parsed.chained = found && prevRow.int64(0) == ns && prevRow.int64(1) == parsed.authorID
                    && prevRow.int64(2) == Int64(parsed.candidate.seq) - 1
                prevRow.reset()
            }
            parsedAuthority[seqno] = parsed
            if parsed.chained { out.append(parsed.candidate) }
        }
        return out
    }

    /// A grant, revoke, name or visibility changeset as the authority computation reads it.
    struct ParsedAuthority {
        let candidate: AuthorityState.Candidate
        let prev: ChangesetID?
        let authorID: Int64
        /// Its prev is held as its author's previous changeset (once true, true for good).
        var chained: Bool
    }

    /// Quarantine reasons about a changeset's form rather than its author's rights: such a
    /// changeset can never become valid.
    static func isStructural(_ reason: String) -> Bool { QuarantineReason(stored: reason).isStructural }

    /// The role this store's own (or any) key holds for its next changeset in a namespace: nil
    /// when it holds none, or when its feed is cut off.
    /// `fresh`: outside a write transaction, where another process may have changed the roles
    /// since the cached state was computed.
    func role(of author: [UInt8], authorID: Int64, namespace root: [UInt8], nsID: Int64, fresh: Bool = false) throws -> Role? {
        let state = fresh ? try currentAuthority(nsID: nsID, root: root) : try authority(nsID: nsID, root: root)
        var head: UInt64 = 0
        if case .integer(let s)? = try db.scalar("SELECT max(seq) FROM changesets WHERE ns=? AND author=?", [.integer(nsID), .integer(authorID)]) {
            head = UInt64(s)
        }
        return state.role(of: author, at: head + 1)
    }

    /// The role a changeset's ops require: admin for grants, revocations and names, writer for data.
    static func requiredRole(for ops: [Op]) -> Role {
        Op.anyAuthority(in: ops) ? .admin : .writer
    }

    /// Nil if a data changeset's author may write at its seq, else the reason.
    func authorizationFailure(body: ChangesetBody, seqno: Int64?, nsID: Int64) throws -> String? {
        let state = try authority(nsID: nsID, root: body.namespace)
        if let seqno { return state.failure(seqno: seqno, body: body) }
        return state.failure(author: body.author, seq: body.seq, needed: Self.requiredRole(for: body.ops))
    }

    /// Writes a namespace's computed roles to the `roles` table (what `members` shows).
    /// With `old` (the state the table holds now), only the keys that changed are written.
    func saveRoles(_ state: AuthorityState, nsID: Int64, old: AuthorityState? = nil) throws {
        if let old {
            for key in old.entries.keys where state.entries[key] == nil {
                try run("DELETE FROM roles WHERE ns=? AND key=?", [.integer(nsID), .integer(try keyID(key))])
            }
        } else {
            try run("DELETE FROM roles WHERE ns=?", [.integer(nsID)])
        }
        let ins = try statement(
            "INSERT OR REPLACE INTO roles(ns, key, role, granted_by, grant_cs, cutoff, revoked_by, revoke_cs) VALUES(?,?,?,?,?,?,?,?)")
        for (key, e) in state.entries.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) where old?.entries[key] != e {
            try ins.run([
                .integer(nsID), .integer(try keyID(key)), e.role.map { .integer(Int64($0.rawValue)) } ?? .null,
                try e.grantedBy.map { .integer(try keyID($0)) } ?? .null, e.grantSeqno.map(SQLiteValue.integer) ?? .null,
                e.cutoff.map { .integer(Int64(clamping: $0)) } ?? .null,
                try e.revokedBy.map { .integer(try keyID($0)) } ?? .null, e.revokeSeqno.map(SQLiteValue.integer) ?? .null,
            ])
        }
    }

    /// Everyone with a role (or a cut-off) in a namespace: the root first, then the other keys by role and key.
    public func members(namespace text: String) throws -> [Member] {
        let (root, ns) = try resolveNamespace(text)
        var out = [Member(key: root, role: .admin, isRoot: true)]
        let st = try db.prepare(
            """
            SELECT k.key, r.role, g.key, c.id, c.hlc, r.cutoff, v.key, rc.id, rc.hlc,
                (SELECT max(seq) FROM changesets s WHERE s.ns = r.ns AND s.author = r.key AND s.state = 0)
            FROM roles r JOIN keys k ON k.k = r.key LEFT JOIN keys g ON g.k = r.granted_by LEFT JOIN changesets c ON c.seqno = r.grant_cs
            LEFT JOIN keys v ON v.k = r.revoked_by LEFT JOIN changesets rc ON rc.seqno = r.revoke_cs
            WHERE r.ns = ? ORDER BY r.role DESC, k.key
            """)
        st.bind(1, ns)
        while try st.step() {
            let key = st.blob(0)
            if key == root { continue }
            let role = try st.uint64OrNil(1).flatMap(Role.init(rawValue:))
            out.append(Member(
                key: key, role: role, isRoot: false,
                grantedBy: st.isNull(2) ? nil : st.blob(2), changeset: st.isNull(3) ? nil : Hex.encode(st.blob(3)),
                grantedAt: st.isNull(4) ? nil : HLC(rawValue: UInt64(bitPattern: st.int64(4))),
                cutoff: try st.uint64OrNil(5), revokedBy: st.isNull(6) ? nil : st.blob(6),
                revocation: st.isNull(7) ? nil : Hex.encode(st.blob(7)),
                revokedAt: st.isNull(8) ? nil : HLC(rawValue: UInt64(bitPattern: st.int64(8))),
                lastApplied: try st.uint64OrNil(9)))
        }
        return out
    }

    /// Fingerprints of the keys that hold admin in a namespace (who can grant a role there).
    func adminFingerprints(nsID: Int64, root: [UInt8]) throws -> [String] {
        var out = [KeyText.fingerprint(root)]
        let st = try db.prepare(
            "SELECT k.key FROM roles r JOIN keys k ON k.k = r.key WHERE r.ns=? AND r.role=? AND r.cutoff IS NULL ORDER BY k.key")
        st.bind(1, nsID)
        st.bind(2, Int64(Role.admin.rawValue))
        while try st.step() {
            let key = st.blob(0)
            if key != root { out.append(KeyText.fingerprint(key)) }
        }
        return out
    }

    /// Whether the node with `key` may be sent namespace `root` (protocol/authority.md, section 9).
    public func mayReceive(namespace root: [UInt8], key: [UInt8]) throws -> Bool {
        guard let ns = try namespaceID(root, create: false) else { return false }
        return try currentAuthority(nsID: ns, root: root).mayReceive(key)
    }

    /// Whether a namespace is private.
    public func isPrivate(namespace root: [UInt8]) throws -> Bool {
        guard let ns = try namespaceID(root, create: false) else { return false }
        return try currentAuthority(nsID: ns, root: root).isPrivate
    }

    /// The authority state for a read outside a write transaction: the cached one unless another
    /// connection has committed since (SQLite's `data_version` moved).
    private func currentAuthority(nsID: Int64, root: [UInt8]) throws -> AuthorityState {
        if case .integer(let v)? = try db.scalar("PRAGMA data_version"), v != authorityDataVersion {
            authorityStates.removeAll()
            authorityDataVersion = v
        }
        return try authority(nsID: nsID, root: root)
    }

    /// The highest seq of `key`'s feed held here in a namespace (the default cut-off of `revoke`).
    func lastHeldSeq(nsID: Int64, key: [UInt8]) throws -> UInt64 {
        if case .integer(let s)? = try db.scalar(
            "SELECT max(c.seq) FROM changesets c JOIN keys k ON k.k = c.author WHERE c.ns=? AND k.key=?", [.integer(nsID), .blob(key)]) {
            return UInt64(s)
        }
        return 0
    }
}
