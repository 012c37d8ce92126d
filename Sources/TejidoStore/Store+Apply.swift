import TejidoCore
import TejidoCrypto
import TejidoSQLite

extension Store {
    // MARK: Receiving

    /// Takes in one envelope from elsewhere, in its own transaction.
    @discardableResult
    public func receive(_ bytes: [UInt8]) throws -> ApplyOutcome {
        let env: ChangesetEnvelope
        do { env = try ChangesetEnvelope(bytes: bytes) } catch { throw error.storeError }
        return try write { try receive(env, trusted: false) }
    }

    /// Takes in many envelopes in one transaction; returns one outcome each.
    public func receive(batch: [[UInt8]]) throws -> [ApplyOutcome] {
        var parsed: [ChangesetEnvelope] = []
        for bytes in batch {
            do { parsed.append(try ChangesetEnvelope(bytes: bytes)) } catch { throw error.storeError }
        }
        return try write { try parsed.map { try receive($0, trusted: false) } }
    }

    /// The single entry of every changeset, local or remote. Must run inside `write`.
    /// `trusted` skips the signature check for an envelope this store has just signed, or one
    /// whose signature is being checked elsewhere: then `verdict` throws if it does not verify,
    /// and is called before anything costly or logged that only a counted changeset deserves
    /// (a fork and the rebuild it brings, a quarantine, a change of authority).
    func receive(_ env: ChangesetEnvelope, trusted: Bool, verdict: () throws -> Void = {}) throws -> ApplyOutcome {
        let body = env.body
        let exists = try statement("SELECT 1 FROM changesets WHERE id=?")
        exists.bind(blob: 1, env.id.bytes)
        let known = try exists.step()
        exists.reset()
        if known { return .duplicate }
        guard body.network == networkID else { throw StoreError.wrongNetwork }
        if !trusted && !env.hasValidSignature { throw StoreError.invalidChangeset(.badSignature) }

        // A pending grant, revoke or name changeset that waited for this one becomes an input of
        // its namespace's authority once this one is held, whatever becomes of this one.
        let awaiting = try awaitedByAuthority(env.id)
        if !awaiting.isEmpty { try verdict() }
        var before: [(ns: Int64, root: [UInt8], state: AuthorityState)] = []
        for ns in awaiting.sorted() {
            guard let root = try namespaceRoot(ns) else { continue }
            before.append((ns, root, try authority(nsID: ns, root: root)))
        }
        let outcome = try place(env, verdict: verdict)
        // Whatever became of it, it is now held: changesets that named it as a dep go on, and
        // those that need it as their prev are checked again (they wait on if it is not applied).
        try settle(try unblocked(by: env.id))
        for b in before { try authorityChanged(nsID: b.ns, root: b.root, old: b.state, also: []) }
        return before.isEmpty ? outcome : try self.outcome(seqno: try seqno(of: env.id) ?? 0)
    }

    /// Stores a new, signed changeset of this network and takes it as far as it can go.
    private func place(_ env: ChangesetEnvelope, verdict: () throws -> Void) throws -> ApplyOutcome {
        let body = env.body
        let nsID = try namespaceID(body.namespace, create: true)!
        let authorID = try keyID(body.author)

        // A feed that forked stops at the fork on every store: nothing of it from there on counts.
        if let f = try forkPoint(ns: nsID, author: authorID), body.seq >= f {
            try verdict()
            let reason = Self.forkReason(f)
            _ = try insert(env, ns: nsID, author: authorID, state: .quarantined, reason: reason)
            return .quarantined(reason)
        }
        // Two different changesets at one (namespace, author, seq): both are kept as the proof,
        // and the namespace is rebuilt without that feed from the fork on.
        let fork = try statement("SELECT 1 FROM changesets WHERE ns=? AND author=? AND seq=? LIMIT 1")
        fork.bind(1, nsID); fork.bind(2, authorID); fork.bind(3, Int64(body.seq))
        let forked = try fork.step()
        fork.reset()
        if forked {
            try verdict()
            let reason = Self.forkReason(body.seq)
            let seqno = try insert(env, ns: nsID, author: authorID, state: .quarantined, reason: reason)
            if body.hasAuthorityOps { try listAsAuthority(ns: nsID, seqno: seqno) }
            try recordFork(ns: nsID, author: authorID, seq: body.seq)
            logger.notice("fork in feed of \(KeyText.fingerprint(body.author)) at seq \(body.seq): namespace rebuilt without it")
            try rebuild(nsID: nsID, root: body.namespace)
            return .quarantined(reason)
        }
        let readiness = try readiness(body, ns: nsID, author: authorID)
        if case .broken(let reason) = readiness {
            try verdict()
            _ = try insert(env, ns: nsID, author: authorID, state: .quarantined, reason: reason)
            logger.notice("quarantined \(env.id.hex): \(reason)")
            return .quarantined(reason)
        }
        // Grants, revocations and names change who may write: the namespace's authority is
        // computed again with this changeset among its inputs.
        if body.hasAuthorityOps {
            try verdict()
            let old = try authority(nsID: nsID, root: body.namespace)
            let seqno = try insert(env, ns: nsID, author: authorID, state: .pending, reason: nil)
            try listAsAuthority(ns: nsID, seqno: seqno)
            let item = Located(envelope: env, seqno: seqno, ns: nsID, author: authorID)
            // By a key nobody ever made admin: it cannot count, and nothing needs computing again
            // (a flood of such changesets costs one row each, not a recomputation each).
            if !old.possibleAdmins.contains(body.author) {
                if case .missing(let missing) = readiness {
                    try waitAsAuthority(seqno: seqno, ns: nsID, for: missing)
                } else {
                    try settle([item])
                }
                return try outcome(seqno: seqno)
            }
            if case .missing(let missing) = readiness {
                try waitAsAuthority(seqno: seqno, ns: nsID, for: missing)
                try authorityChanged(nsID: nsID, root: body.namespace, old: old, also: [])
            } else {
                try authorityChanged(nsID: nsID, root: body.namespace, old: old, also: [item])
            }
            return try outcome(seqno: seqno)
        }
        // A data changeset whose author may not write at its seq is quarantined at once, even
        // before its predecessors arrive: a whole feed past a cut-off is listed as such.
        if let failure = try authorizationFailure(body: body, seqno: nil, nsID: nsID) {
            try verdict()
            _ = try insert(env, ns: nsID, author: authorID, state: .quarantined, reason: failure)
            logger.notice("quarantined \(env.id.hex): \(failure)")
            return .quarantined(failure)
        }
        switch readiness {
        case .broken:
            preconditionFailure("handled above")
        case .missing(let missing):
            let seqno = try insert(env, ns: nsID, author: authorID, state: .pending, reason: nil)
            try wait(seqno: seqno, for: missing)
            return .pending(missing: missing.count)
        case .ready:
            nextApplied += 1
            let seqno = try insert(env, ns: nsID, author: authorID, state: .applied, reason: nil)
            let item = Located(envelope: env, seqno: seqno, ns: nsID, author: authorID)
            try merge(item)
            return .applied
        }
    }

    /// What became of a stored changeset, as an outcome.
    private func outcome(seqno: Int64) throws -> ApplyOutcome {
        let st = try statement("SELECT state, reason FROM changesets WHERE seqno=?")
        st.bind(1, seqno)
        defer { st.reset() }
        guard try st.step() else { return .duplicate }
        switch st.int64(0) {
        case ChangesetState.applied.rawValue: return .applied
        case ChangesetState.quarantined.rawValue: return .quarantined(st.isNull(1) ? "" : st.text(1))
        default:
            let count = try db.scalar("SELECT count(*) FROM waiting WHERE seqno=?", [.integer(seqno)])
            if case .integer(let n)? = count { return .pending(missing: Int(n)) }
            return .pending(missing: 0)
        }
    }

    /// Lists a stored changeset among its namespace's authority inputs (`authority_cs`).
    private func listAsAuthority(ns: Int64, seqno: Int64) throws {
        try run("INSERT OR IGNORE INTO authority_cs(ns, seqno) VALUES(?,?)", [.integer(ns), .integer(seqno)])
    }

    /// Namespaces with a pending grant, revoke or name changeset waiting for `id`.
    private func awaitedByAuthority(_ id: ChangesetID) throws -> Set<Int64> {
        if authorityAwaited == nil {
            var all: [[UInt8]: Set<Int64>] = [:]
            let st = try db.prepare("SELECT w.needed, c.ns FROM waiting w JOIN authority_cs a ON a.seqno = w.seqno JOIN changesets c ON c.seqno = w.seqno")
            while try st.step() { all[st.blob(0), default: []].insert(st.int64(1)) }
            authorityAwaited = all
        }
        return authorityAwaited?[id.bytes] ?? []
    }

    private func namespaceRoot(_ ns: Int64) throws -> [UInt8]? {
        guard case .blob(let root)? = try db.scalar("SELECT k.key FROM namespaces n JOIN keys k ON k.k = n.root WHERE n.ns=?", [.integer(ns)]) else {
            return nil
        }
        return root
    }

    private func seqno(of id: ChangesetID) throws -> Int64? {
        guard case .integer(let s)? = try db.scalar("SELECT seqno FROM changesets WHERE id=?", [.blob(id.bytes)]) else { return nil }
        return s
    }

    /// The quarantine reason of every changeset of a feed from its fork on.
    public static func forkReason(_ seq: UInt64) -> String {
        QuarantineReason.fork(seq: seq).stored
    }

    struct FeedKey: Hashable {
        let ns: Int64
        let author: Int64
    }

    /// The first seq at which a feed was seen forked, if it was.
    func forkPoint(ns: Int64, author: Int64) throws -> UInt64? {
        if forkPoints == nil {
            var all: [FeedKey: UInt64] = [:]
            let st = try db.prepare("SELECT ns, author, seq FROM forks")
            while try st.step() { all[FeedKey(ns: st.int64(0), author: st.int64(1))] = try st.uint64(2) }
            forkPoints = all
        }
        return forkPoints?[FeedKey(ns: ns, author: author)]
    }

    private func recordFork(ns: Int64, author: Int64, seq: UInt64) throws {
        try run("INSERT INTO forks(ns, author, seq) VALUES(?1,?2,?3) ON CONFLICT(ns, author) DO UPDATE SET seq=min(seq, ?3)",
                [.integer(ns), .integer(author), .integer(Int64(seq))])
        forkPoints = nil
    }

    /// After a grant, revoke or name changeset arrived or became complete: computes the
    /// namespace's authority again. If something already applied no longer counts, the namespace
    /// is rebuilt; otherwise the roles are saved, quarantined changesets that may now count are
    /// tried again, and so is `also`.
    func authorityChanged(nsID: Int64, root: [UInt8], old: AuthorityState, also: [Located]) throws {
        authorityStates[nsID] = nil
        let new = try authority(nsID: nsID, root: root)
        if new == old {
            try settle(also)
            return
        }
        if try hasAppliedConflict(nsID: nsID, old: old, new: new) {
            logger.notice("a revocation cuts changesets already applied: namespace rebuilt")
            try rebuild(nsID: nsID, root: root)
            return
        }
        try saveRoles(new, nsID: nsID, old: old)
        // Pending changesets of keys that lost rights are checked again too: one past a new
        // cut-off is quarantined now rather than waiting for a predecessor that will never count.
        var recheck: [Located] = []
        let pending = try statement("SELECT seqno FROM changesets WHERE ns=? AND author=? AND state=\(ChangesetState.pending.rawValue)")
        for key in new.narrowed(from: old) {
            pending.bind(1, nsID); pending.bind(2, try keyID(key))
            var seqnos: [Int64] = []
            while try pending.step() { seqnos.append(pending.int64(0)) }
            pending.reset()
            recheck += try seqnos.compactMap { try load(seqno: $0) }
        }
        try settle(also + recheck + (try requeueQuarantined(ns: nsID)))
    }

    /// Whether a changeset applied here does not count under `new`.
    private func hasAppliedConflict(nsID: Int64, old: AuthorityState, new: AuthorityState) throws -> Bool {
        let state = try statement("SELECT state FROM changesets WHERE seqno=?")
        for seqno in old.valid.subtracting(new.valid) {
            state.bind(1, seqno)
            let applied = try state.step() && state.int64(0) == ChangesetState.applied.rawValue
            state.reset()
            if applied { return true }
        }
        let st = try statement(
            """
            SELECT c.seqno, c.seq, EXISTS (SELECT 1 FROM authority_cs a WHERE a.ns = c.ns AND a.seqno = c.seqno)
            FROM changesets c WHERE c.ns=? AND c.author=? AND c.state=0
            """)
        for key in new.narrowed(from: old) {
            st.bind(1, nsID)
            st.bind(2, try keyID(key))
            defer { st.reset() }
            while try st.step() {
                let counts = st.int64(2) != 0
                    ? new.valid.contains(st.int64(0))
                    : new.failure(author: key, seq: try st.uint64(1), needed: .writer) == nil
                if !counts { return true }
            }
        }
        return false
    }

    /// Builds a namespace's records again from its changesets: used when a revocation or a fork
    /// takes back changesets already applied. Every held changeset of the namespace goes through
    /// the same steps as on arrival, in its former order, under the new authority; the merge is
    /// order-independent, so the result is what a store that never applied them holds.
    func rebuild(nsID: Int64, root: [UInt8]) throws {
        try flushPending()
        let ns: [SQLiteValue] = [.integer(nsID)]
        for table in ["history", "counters", "set_adds", "set_removes"] {
            try run("DELETE FROM \(table) WHERE rec IN (SELECT rec FROM records WHERE ns=?)", ns)
        }
        try run("DELETE FROM records WHERE ns=?", ns)
        try run("DELETE FROM feeds WHERE ns=?", ns)
        try run("UPDATE namespaces SET name=NULL, name_stamp=NULL WHERE ns=?", ns)
        try run("DELETE FROM waiting WHERE seqno IN (SELECT seqno FROM changesets WHERE ns=?)", ns)
        recordIDs.removeAll()
        authorityAwaited = nil

        var order: [Int64] = []
        let rows = try db.prepare(
            "SELECT seqno, author, seq, state, reason FROM changesets WHERE ns=? ORDER BY applied IS NULL, applied, seqno")
        rows.bind(1, nsID)
        var forked: [(Int64, String)] = []
        while try rows.step() {
            if rows.int64(3) == ChangesetState.quarantined.rawValue, !rows.isNull(4),
               case .brokenChain = QuarantineReason(stored: rows.text(4)) { continue }
            if let f = try forkPoint(ns: nsID, author: rows.int64(1)), try rows.uint64(2) >= f {
                forked.append((rows.int64(0), Self.forkReason(f)))
                continue
            }
            order.append(rows.int64(0))
        }
        try run("UPDATE changesets SET state=?, applied=NULL, reason=NULL WHERE ns=? AND NOT (state=? AND reason LIKE 'broken%')",
                [.integer(ChangesetState.pending.rawValue), .integer(nsID), .integer(ChangesetState.quarantined.rawValue)])
        for (seqno, reason) in forked { try setState(seqno, .quarantined, reason: reason) }
        authorityStates[nsID] = nil
        try saveRoles(try authority(nsID: nsID, root: root), nsID: nsID)
        for seqno in order {
            if let item = try load(seqno: seqno) { try settle([item]) }
        }
    }

    struct Located {
        let envelope: ChangesetEnvelope
        let seqno: Int64
        let ns: Int64
        let author: Int64
    }

    enum Readiness {
        case ready
        case missing([ChangesetID])
        case broken(String)
    }

    private func insert(_ env: ChangesetEnvelope, ns: Int64, author: Int64, state: ChangesetState, reason: String?) throws -> Int64 {
        let seqno = try insertRow(env, ns: ns, author: author, state: state, reason: reason)
        // A stamp more than a day ahead of this store's clock: kept and applied, but flagged.
        let wall = now()
        let stamped = env.body.hlc.rawValue >> 16
        if stamped > wall + Self.maxClockLead {
            try run("INSERT OR IGNORE INTO clock_flags(seqno, ahead_ms, received) VALUES(?,?,?)",
                    [.integer(seqno), .integer(Int64(clamping: stamped - wall)), .integer(Int64(clamping: wall))])
        }
        return seqno
    }

    private func insertRow(_ env: ChangesetEnvelope, ns: Int64, author: Int64, state: ChangesetState, reason: String?) throws -> Int64 {
        let st = try statement(
            "INSERT INTO changesets(id, ns, author, seq, hlc, state, applied, reason, envelope) VALUES(?,?,?,?,?,?,?,?,?)")
        st.bind(blob: 1, env.id.bytes)
        st.bind(2, ns); st.bind(3, author); st.bind(4, Int64(env.body.seq))
        st.bind(5, Int64(bitPattern: env.body.hlc.rawValue))
        st.bind(6, state.rawValue)
        if state == .applied { st.bind(7, nextApplied) } else { st.bindNull(7) }
        if let reason { st.bind(8, reason) } else { st.bindNull(8) }
        st.bind(blob: 9, env.bytes)
        try st.step()
        st.reset()
        return db.lastInsertRowID
    }

    /// Whether a changeset's prev and deps are all applied, and whether its prev really is its
    /// author's previous changeset in this namespace.
    private func readiness(_ body: ChangesetBody, ns: Int64, author: Int64) throws -> Readiness {
        var missing: [ChangesetID] = []
        let look = try statement("SELECT ns, author, seq, state FROM changesets WHERE id=?")
        if let prev = body.prev {
            look.bind(blob: 1, prev.bytes)
            if try look.step() {
                let ok = look.int64(0) == ns && look.int64(1) == author && look.int64(2) == Int64(body.seq) - 1
                let applied = look.int64(3) == ChangesetState.applied.rawValue
                look.reset()
                if !ok { return .broken(QuarantineReason.brokenChain(seq: body.seq - 1).stored) }
                if !applied { missing.append(prev) }
            } else {
                look.reset()
                missing.append(prev)
            }
        }
        // A dep is satisfied once it is held, whatever its state: that depends only on the set of
        // changesets held, never on the order they came in. (A writer who saw a stolen key's
        // changesets before its revocation must not wait for them forever.)
        for dep in body.deps {
            look.bind(blob: 1, dep.bytes)
            let held = try look.step()
            look.reset()
            if !held { missing.append(dep) }
        }
        return missing.isEmpty ? .ready : .missing(missing)
    }

    /// A grant, revoke or name changeset that waits: also noted in the transaction's cache of what
    /// authority changesets wait for, so that a later arrival in the same transaction that it
    /// waited for recomputes the namespace's authority (even if its author is no admin yet: a
    /// grant later in the transaction can make it one).
    private func waitAsAuthority(seqno: Int64, ns: Int64, for missing: [ChangesetID]) throws {
        try wait(seqno: seqno, for: missing)
        if authorityAwaited != nil { for m in missing { authorityAwaited![m.bytes, default: []].insert(ns) } }
    }

    private func wait(seqno: Int64, for missing: [ChangesetID]) throws {
        let st = try statement("INSERT OR IGNORE INTO waiting(needed, seqno) VALUES(?, ?)")
        for m in missing { try st.run([.blob(m.bytes), .integer(seqno)]) }
    }

    /// Brings held changesets as far as they can go: each one whose predecessors are applied and
    /// whose author may write is applied, and so, in turn, is everything that waited only for it.
    /// One that still misses a predecessor waits; one that may not count is quarantined.
    func settle(_ initial: [Located]) throws {
        var work = initial
        let current = try statement("SELECT state FROM changesets WHERE seqno=?")
        while let item = work.popLast() {
            // A changeset can be queued twice (waiting on a predecessor and requeued after a grant).
            current.bind(1, item.seqno)
            let applied = try current.step() && current.int64(0) == ChangesetState.applied.rawValue
            current.reset()
            if applied { continue }
            let body = item.envelope.body
            if let f = try forkPoint(ns: item.ns, author: item.author), body.seq >= f {
                try setState(item.seqno, .quarantined, reason: Self.forkReason(f))
                continue
            }
            let changesAuthority = body.hasAuthorityOps
            if !changesAuthority, let failure = try authorizationFailure(body: body, seqno: nil, nsID: item.ns) {
                try setState(item.seqno, .quarantined, reason: failure)
                continue
            }
            switch try readiness(body, ns: item.ns, author: item.author) {
            case .broken(let reason):
                try setState(item.seqno, .quarantined, reason: reason)
                continue
            case .missing(let missing):
                try setState(item.seqno, .pending, reason: nil)
                try wait(seqno: item.seqno, for: missing)
                if changesAuthority { authorityAwaited = nil }
                continue
            case .ready:
                if changesAuthority {
                    let state = try authority(nsID: item.ns, root: body.namespace)
                    if !state.valid.contains(item.seqno) && state.rejected[item.seqno] == nil && state.possibleAdmins.contains(body.author) {
                        // Not an input of the computation yet (its predecessors were unseen then).
                        try authorityChanged(nsID: item.ns, root: body.namespace, old: state, also: [item])
                        continue
                    }
                }
                if let failure = try authorizationFailure(body: body, seqno: item.seqno, nsID: item.ns) {
                    try setState(item.seqno, .quarantined, reason: failure)
                    continue
                }
            }
            nextApplied += 1
            try run("UPDATE changesets SET state=?, applied=?, reason=NULL WHERE seqno=?",
                    [.integer(ChangesetState.applied.rawValue), .integer(nextApplied), .integer(item.seqno)])
            try merge(item)
            work += try unblocked(by: item.envelope.id)
        }
    }

    private func setState(_ seqno: Int64, _ state: ChangesetState, reason: String?) throws {
        try run("UPDATE changesets SET state=?, reason=? WHERE seqno=?",
                [.integer(state.rawValue), reason.map { .text($0) } ?? .null, .integer(seqno)])
    }

    /// Held changesets whose last missing predecessor was `id`.
    private func unblocked(by id: ChangesetID) throws -> [Located] {
        let st = try statement("SELECT seqno FROM waiting WHERE needed=?")
        st.bind(blob: 1, id.bytes)
        var seqnos: [Int64] = []
        while try st.step() { seqnos.append(st.int64(0)) }
        st.reset()
        guard !seqnos.isEmpty else { return [] }
        try run("DELETE FROM waiting WHERE needed=?", [.blob(id.bytes)])
        var ready: [Located] = []
        let still = try statement("SELECT 1 FROM waiting WHERE seqno=? LIMIT 1")
        for s in seqnos {
            still.bind(1, s)
            let waits = try still.step()
            still.reset()
            if !waits, let item = try load(seqno: s) { ready.append(item) }
        }
        return ready
    }

    /// Changesets of a namespace quarantined for their author's rights, to try again after a change of authority.
    private func requeueQuarantined(ns: Int64) throws -> [Located] {
        // The state as a literal, so that SQLite can use the partial index `changesets_quarantined`.
        let st = try statement(
            "SELECT seqno FROM changesets WHERE ns=? AND state=\(ChangesetState.quarantined.rawValue) AND (reason LIKE 'unauthorized%' OR reason LIKE 'revoked%')")
        st.bind(1, ns)
        var seqnos: [Int64] = []
        while try st.step() { seqnos.append(st.int64(0)) }
        st.reset()
        return try seqnos.compactMap { try load(seqno: $0) }
    }

    private func load(seqno: Int64) throws -> Located? {
        let st = try statement("SELECT envelope, ns, author FROM changesets WHERE seqno=?")
        st.bind(1, seqno)
        defer { st.reset() }
        guard try st.step() else { return nil }
        let env = try ChangesetEnvelope(bytes: st.blob(0))
        return Located(envelope: env, seqno: seqno, ns: st.int64(1), author: st.int64(2))
    }
}
