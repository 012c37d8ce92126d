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

        let nsID = try namespaceID(body.namespace, create: true)!
        let authorID = try keyID(body.author)

        // Two different changesets at one (namespace, author, seq): keep the later one as evidence of a fork.
        let fork = try statement("SELECT 1 FROM changesets WHERE ns=? AND author=? AND seq=? LIMIT 1")
        fork.bind(1, nsID); fork.bind(2, authorID); fork.bind(3, Int64(body.seq))
        let forked = try fork.step()
        fork.reset()
        if forked {
            _ = try insert(env, ns: nsID, author: authorID, state: .quarantined, reason: "fork: another changeset holds this author's seq \(body.seq)")
            return .quarantined("fork")
        }
        switch try readiness(body, ns: nsID, author: authorID) {
        case .broken(let reason):
            _ = try insert(env, ns: nsID, author: authorID, state: .quarantined, reason: reason)
            logger.notice("quarantined \(env.id.hex): \(reason)")
            return .quarantined(reason)
        case .missing(let missing):
            let seqno = try insert(env, ns: nsID, author: authorID, state: .pending, reason: nil)
            try wait(seqno: seqno, for: missing)
            return .pending(missing: missing.count)
        case .ready:
            if let failure = try authorizationFailure(body: body, authorID: authorID, nsID: nsID) {
                _ = try insert(env, ns: nsID, author: authorID, state: .quarantined, reason: failure)
                logger.notice("quarantined \(env.id.hex): \(failure)")
                return .quarantined(failure)
            }
            nextApplied += 1
            let seqno = try insert(env, ns: nsID, author: authorID, state: .applied, reason: nil)
            let item = Located(envelope: env, seqno: seqno, ns: nsID, author: authorID)
            try merge(item)
            try applyUnblocked(by: item)
            return .applied
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
                if !ok { return .broken("broken chain: prev is not this author's seq \(body.seq - 1)") }
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
        return missing.isEmpty ? .ready : .missing(missing)
    }

    private func wait(seqno: Int64, for missing: [ChangesetID]) throws {
        let st = try statement("INSERT OR IGNORE INTO waiting(needed, seqno) VALUES(?, ?)")
        for m in missing { try st.run([.blob(m.bytes), .integer(seqno)]) }
    }

    /// After `first` was applied: applies, in turn, every held changeset that was waiting only for
    /// it (or for one of those), and retries quarantined ones after a grant.
    private func applyUnblocked(by first: Located) throws {
        var work = try unblocked(by: first.envelope.id)
        if first.envelope.body.ops.contains(where: { $0.code == .grant }) { work += try requeueQuarantined(ns: first.ns) }
        var applied: Set<Int64> = []
        while let item = work.popLast() {
            // One changeset can be queued twice (waiting on a predecessor and requeued after a grant).
            guard !applied.contains(item.seqno) else { continue }
            let body = item.envelope.body
            switch try readiness(body, ns: item.ns, author: item.author) {
            case .broken(let reason):
                try setState(item.seqno, .quarantined, reason: reason)
                continue
            case .missing(let missing):
                try setState(item.seqno, .pending, reason: nil)
                try wait(seqno: item.seqno, for: missing)
                continue
            case .ready:
                if let failure = try authorizationFailure(body: body, authorID: item.author, nsID: item.ns) {
                    try setState(item.seqno, .quarantined, reason: failure)
                    continue
                }
            }
            nextApplied += 1
            applied.insert(item.seqno)
            try run("UPDATE changesets SET state=?, applied=?, reason=NULL WHERE seqno=?",
                    [.integer(ChangesetState.applied.rawValue), .integer(nextApplied), .integer(item.seqno)])
            try merge(item)
            work += try unblocked(by: item.envelope.id)
            if body.ops.contains(where: { $0.code == .grant }) { work += try requeueQuarantined(ns: item.ns) }
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
