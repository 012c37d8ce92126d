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
    /// `trusted` skips the signature check for an envelope this store has just signed.
    func receive(_ env: ChangesetEnvelope, trusted: Bool) throws -> ApplyOutcome {
        let body = env.body
        let exists = try statement("SELECT 1 FROM changesets WHERE id=?")
        exists.bind(blob: 1, env.id.bytes)
        let known = try exists.step()
        exists.reset()
        if known { return .duplicate }
        guard body.network == networkID else { throw StoreError.wrongNetwork }
        if !trusted && !env.hasValidSignature { throw StoreError.invalidChangeset("signature does not verify") }

        guard let nsID = try namespaceID(body.namespace, create: true) else { return .duplicate }
        let authorID = try keyID(body.author)

        // Two different changesets at one (namespace, author, seq): keep the later one as evidence of a fork.
        let fork = try statement("SELECT id FROM changesets WHERE ns=? AND author=? AND seq=? LIMIT 1")
        fork.bind(1, nsID); fork.bind(2, authorID); fork.bind(3, Int64(body.seq))
        let forked = try fork.step()
        fork.reset()

        let insert = try statement(
            "INSERT INTO changesets(id, ns, author, seq, hlc, state, reason, envelope) VALUES(?,?,?,?,?,?,?,?)")
        insert.bind(blob: 1, env.id.bytes)
        insert.bind(2, nsID); insert.bind(3, authorID); insert.bind(4, Int64(body.seq))
        insert.bind(5, Int64(bitPattern: body.hlc.rawValue))
        insert.bind(6, forked ? ChangesetState.quarantined.rawValue : ChangesetState.pending.rawValue)
        if forked { insert.bind(7, "fork: another changeset holds this author's seq \(body.seq)") } else { insert.bindNull(7) }
        insert.bind(blob: 8, env.bytes)
        try insert.step()
        insert.reset()
        let seqno = db.lastInsertRowID
        if forked { return .quarantined("fork") }
        return try tryApply(Located(envelope: env, seqno: seqno, ns: nsID, author: authorID))
    }

    struct Located {
        let envelope: ChangesetEnvelope
        let seqno: Int64
        let ns: Int64
        let author: Int64
    }

    /// Applies a held changeset if its predecessors are applied and its author may write; then
    /// applies whatever was waiting for it.
    private func tryApply(_ first: Located) throws -> ApplyOutcome {
        var outcome: ApplyOutcome = .applied
        var work = [first]
        var isFirst = true
        while let item = work.popLast() {
            let result = try applyIfReady(item)
            if isFirst { outcome = result; isFirst = false }
            guard result == .applied else { continue }
            work.append(contentsOf: try unblocked(by: item.envelope.id))
            if item.envelope.body.ops.contains(where: { $0.code == .grant }) {
                work.append(contentsOf: try requeueQuarantined(ns: item.ns))
            }
        }
        return outcome
    }

    private func applyIfReady(_ item: Located) throws -> ApplyOutcome {
        let body = item.envelope.body
        var missing: [ChangesetID] = []
        let look = try statement("SELECT ns, author, seq, state FROM changesets WHERE id=?")
        if let prev = body.prev {
            look.bind(blob: 1, prev.bytes)
            if try look.step() {
                let ok = look.int64(0) == item.ns && look.int64(1) == item.author && look.int64(2) == Int64(body.seq) - 1
                let applied = look.int64(3) == ChangesetState.applied.rawValue
                look.reset()
                if !ok { return try quarantine(item, reason: "broken chain: prev is not this author's seq \(body.seq - 1)") }
                if !applied { missing.append(prev) }
            } else {
                look.reset()
                missing.append(prev)
            }
        }
        for dep in body.deps {
            look.bind(blob: 1, dep.bytes)
            let applied = try look.step() && look.int64(3) == ChangesetState.applied.rawValue
            look.reset()
            if !applied { missing.append(dep) }
        }
        if !missing.isEmpty {
            let wait = try statement("INSERT OR IGNORE INTO waiting(needed, seqno) VALUES(?, ?)")
            for m in missing { try wait.run([.blob(m.bytes), .integer(item.seqno)]) }
            try run("UPDATE changesets SET state=?, reason=NULL WHERE seqno=?", [.integer(ChangesetState.pending.rawValue), .integer(item.seqno)])
            return .pending(missing: missing.count)
        }
        if let failure = try authorizationFailure(body: body, authorID: item.author, nsID: item.ns) {
            return try quarantine(item, reason: failure)
        }
        try merge(item)
        return .applied
    }

    private func quarantine(_ item: Located, reason: String) throws -> ApplyOutcome {
        try run("UPDATE changesets SET state=?, reason=? WHERE seqno=?",
                [.integer(ChangesetState.quarantined.rawValue), .text(reason), .integer(item.seqno)])
        return .quarantined(reason)
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

    /// Quarantined-for-authority changesets of a namespace, to try again after a grant.
    private func requeueQuarantined(ns: Int64) throws -> [Located] {
        let st = try statement("SELECT seqno FROM changesets WHERE ns=? AND state=? AND reason LIKE 'unauthorized%'")
        st.bind(1, ns)
        st.bind(2, ChangesetState.quarantined.rawValue)
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
