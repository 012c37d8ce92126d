import Foundation
import TejidoCore
import TejidoCrypto
import TejidoSQLite

extension Store {
    // MARK: What this store holds

    /// The head of every feed of one namespace (empty if the store has none of it).
    public func feedHeads(namespace root: [UInt8]) throws -> [FeedHead] {
        guard let ns = try namespaceID(root, create: false) else { return [] }
        let st = try statement("SELECT k.key, f.seq, f.head FROM feeds f JOIN keys k ON k.k = f.author WHERE f.ns=?")
        st.bind(1, ns)
        defer { st.reset() }
        var out: [FeedHead] = []
        while try st.step() { out.append(FeedHead(author: st.blob(0), seq: try st.uint64(1), head: st.blob(2))) }
        return out
    }

    /// The ids of the changesets this store holds at `seq` of `author`'s feed in a namespace, in
    /// whatever state (applied, pending or quarantined): more than one only for a forked feed.
    public func changesetIDs(namespace root: [UInt8], author: [UInt8], seq: UInt64) throws -> [ChangesetID] {
        guard let ns = try namespaceID(root, create: false), let authorID = try existingKeyID(author) else { return [] }
        let st = try statement("SELECT id FROM changesets WHERE ns=? AND author=? AND seq=?")
        st.bind(1, ns); st.bind(2, authorID); st.bind(3, Int64(clamping: seq))
        defer { st.reset() }
        var ids: [ChangesetID] = []
        while try st.step() { if let id = ChangesetID(bytes: st.blob(0)) { ids.append(id) } }
        return ids
    }

    /// The id of every namespace this store holds, sorted bytewise.
    public func heldNamespaces() throws -> [[UInt8]] {
        try namespaceRows().map(\.root).sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// One digest per namespace this store holds, sorted by namespace id.
    public func namespaceDigests() throws -> [NamespaceDigest] {
        try heldNamespaces().map { NamespaceDigest.of(namespace: $0, heads: try feedHeads(namespace: $0)) }
    }

    // MARK: Sending

    /// The applied changesets of `namespaces` that a peer holding `theirHeads` lacks, in the order
    /// this store applied them (so every changeset comes after its prev and deps), after the
    /// proofs of any fork in those namespaces.
    /// `withGrants` adds every applied grant, revoke and name changeset of those namespaces, even
    /// if the peer has it: a bundle carries what is needed to check who may write there.
    public func outgoing(namespaces: [[UInt8]], theirHeads: [[UInt8]: [FeedHead]], withGrants: Bool = false) throws -> OutgoingCursor {
        try db.execute(
            """
            CREATE TEMP TABLE IF NOT EXISTS sync_ns(ns INTEGER PRIMARY KEY);
            CREATE TEMP TABLE IF NOT EXISTS sync_theirs(ns INTEGER NOT NULL, author INTEGER NOT NULL, seq INTEGER NOT NULL,
                PRIMARY KEY(ns, author)) WITHOUT ROWID;
            DELETE FROM temp.sync_ns; DELETE FROM temp.sync_theirs;
            """)
        var roots: [Int64: [UInt8]] = [:]
        let addNS = try db.prepare("INSERT OR IGNORE INTO temp.sync_ns(ns) VALUES(?)")
        let addHead = try db.prepare("INSERT OR REPLACE INTO temp.sync_theirs(ns, author, seq) VALUES(?,?,?)")
        let findKey = try db.prepare("SELECT k FROM keys WHERE key=?")
        for root in namespaces {
            guard let ns = try namespaceID(root, create: false) else { continue }
            roots[ns] = root
            try addNS.run([.integer(ns)])
            for h in theirHeads[root] ?? [] {
                // An author this store never saw has nothing here to send.
                findKey.bind(blob: 1, h.author)
                let known = try findKey.step()
                let author = known ? findKey.int64(0) : 0
                findKey.reset()
                if known { try addHead.run([.integer(ns), .integer(author), .integer(Int64(clamping: h.seq))]) }
            }
        }
        let filter = """
            FROM changesets c INDEXED BY changesets_applied
            WHERE c.applied IS NOT NULL AND c.ns IN (SELECT ns FROM temp.sync_ns)
            AND (c.seq > COALESCE((SELECT t.seq FROM temp.sync_theirs t WHERE t.ns = c.ns AND t.author = c.author), 0)
            \(withGrants ? "OR c.seqno IN (SELECT a.seqno FROM authority_cs a WHERE a.ns IN (SELECT ns FROM temp.sync_ns))" : ""))
            """
        // Fork proofs go first: both changesets at the seq where a feed forked, so that the peer
        // stops that feed too (protocol/authority.md, section 6). They are few, and sent whenever
        // the namespace is sent at all.
        let proofs = """
            FROM forks f JOIN changesets c ON c.ns = f.ns AND c.author = f.author AND c.seq = f.seq
            WHERE f.ns IN (SELECT ns FROM temp.sync_ns)
            """
        // Changesets held here that do not count, for their author's rights, go last: they are
        // evidence, and applied changesets may name them as deps.
        let evidence = """
            FROM changesets c WHERE c.ns IN (SELECT ns FROM temp.sync_ns) AND c.state = \(ChangesetState.quarantined.rawValue)
            AND (c.reason LIKE 'unauthorized%' OR c.reason LIKE 'revoked%')
            AND c.seq > COALESCE((SELECT t.seq FROM temp.sync_theirs t WHERE t.ns = c.ns AND t.author = c.author), 0)
            """
        var total = 0
        var bytes = 0
        for part in [proofs, filter, evidence] {
            let count = try db.prepare("SELECT count(*), COALESCE(sum(length(c.envelope)), 0) \(part)")
            if try count.step() { total += Int(count.int64(0)); bytes += Int(count.int64(1)) }
        }
        let statements = [
            try db.prepare("SELECT c.envelope, c.ns, c.author, c.seq \(proofs) ORDER BY c.seqno"),
            try db.prepare("SELECT c.envelope, c.ns, c.author, c.seq \(filter) ORDER BY c.applied"),
            try db.prepare("SELECT c.envelope, c.ns, c.author, c.seq \(evidence) ORDER BY c.seqno"),
        ]
        return OutgoingCursor(store: self, statements: statements, roots: roots, total: total, bytes: bytes)
    }

    // MARK: Receiving in batches

    /// `outcome` as it stands now: its changesets that waited on arrival (pending, or quarantined
    /// for want of a grant) and were applied later in the same sync or bundle count as applied.
    /// Only those are recounted: one applied on arrival that a later revocation cut stays counted
    /// as applied (the revocation is reported, and `status` shows the quarantine).
    public func settled(_ outcome: BatchOutcome) throws -> BatchOutcome {
        guard !outcome.held.isEmpty else { return outcome }
        let st = try db.prepare("SELECT state FROM changesets WHERE id=?")
        var out = outcome
        out.held = []
        for held in outcome.held {
            st.bind(1, .blob(held.id.bytes))
            defer { st.reset() }
            guard try st.step(), let now = ChangesetState(rawValue: st.int64(0)) else {
                out.held.append(held)
                continue
            }
            switch (held.wasPending, now) {
            case (true, .applied): out.pending -= 1; out.applied += 1
            case (true, .quarantined): out.pending -= 1; out.quarantined += 1
            case (false, .applied): out.quarantined -= 1; out.applied += 1
            case (false, .pending): out.quarantined -= 1; out.pending += 1
            case (true, .pending), (false, .quarantined): break
            }
            if now != .applied { out.held.append(BatchOutcome.Held(id: held.id, wasPending: now == .pending)) }
        }
        return out
    }

    /// Takes in envelopes from a peer in one transaction. If any envelope fails, the transaction
    /// rolls back: nothing is written, and the error names the envelope.
    ///
    /// Worker threads check signatures while this thread merges, and the merge does not wait for
    /// them: whether the batch commits is decided after its rows are written, just before COMMIT,
    /// when every signature has been checked. So a batch with a bad signature is merged as far as
    /// the end and then rolled back whole, as one with a bad envelope anywhere always was. Only a
    /// changeset that takes a rare path (a fork, a quarantine, a change of authority) waits for
    /// its own signature first: that work is worth doing only for a changeset that counts. The
    /// error is the one of the earliest envelope at fault, as if each had been checked before its
    /// merge.
    public func receive(envelopes: [[UInt8]]) throws -> BatchOutcome {
        // Before the signature threads: see `WALCheckpointer.start`.
        checkpointer?.start()
        let check = EnvelopeCheck(envelopes, workers: EnvelopeCheck.workers)
        defer { check.finish() }
        /// Envelopes before this index have been found well signed (or of another network).
        var signedBefore = 0
        /// The earliest envelope of this network before `end` whose signature does not verify
        /// (waiting for the workers, or checking them here).
        func badSignature(before end: Int) -> StoreError? {
            while signedBefore < end {
                if case .parsed(let env, signed: false) = check.result(signedBefore), env.body.network == networkID {
                    return StoreError.invalidChangeset(.inBatch(index: signedBefore + 1, .badSignature(id: env.id.hex)))
                }
                signedBefore += 1
            }
            return nil
        }
        /// Envelope `i` is malformed: its error, unless an earlier one is badly signed.
        func malformed(_ i: Int, _ error: FormatError) -> StoreError {
            badSignature(before: i) ?? StoreError.invalidChangeset(.inBatch(index: i + 1, .format(error)))
        }
        var outcome = BatchOutcome()
        try write {
            for i in envelopes.indices {
                let env: ChangesetEnvelope
                switch check.readyResult(i) {
                case .parsed(let checked, signed: true)?: env = checked
                case .parsed(let checked, signed: false)?:
                    // Already known badly signed: not merged at all (another network's gets its
                    // own error from the receive path).
                    if let bad = badSignature(before: i + 1) { throw bad }
                    env = checked
                case .malformed(let error)?: throw malformed(i, error)
                case nil:
                    do throws(FormatError) { env = try ChangesetEnvelope(bytes: envelopes[i]) } catch { throw malformed(i, error) }
                }
                // The rare paths (a fork, a quarantine, a change of authority) wait for this
                // envelope's verdict, and those before it, first.
                let verdict = { () throws -> Void in if let bad = badSignature(before: i + 1) { throw bad } }
                do { outcome.add(try receive(env, trusted: true, verdict: verdict), id: env.id) } catch {
                    // Another network's changeset gets its own error from the receive path.
                    throw badSignature(before: i + 1) ?? error
                }
            }
            // The batch's rows are written here rather than by `write`, so that a failure to write
            // them (a full disk) still reports an earlier bad signature; then every verdict must
            // be in and good before `write` commits.
            do { try flushPending() } catch { throw badSignature(before: envelopes.count) ?? error }
            if let bad = badSignature(before: envelopes.count) { throw bad }
        }
        return outcome
    }

    /// Like `receive(envelopes:)`, but applies the valid envelopes before the first invalid one
    /// (malformed, of another network, or badly signed) and returns where and why it stopped
    /// (for a damaged bundle).
    public func receivePrefix(envelopes: [[UInt8]]) throws -> (BatchOutcome, failure: (index: Int, reason: InvalidEnvelope)?) {
        var outcome = BatchOutcome()
        guard !envelopes.isEmpty else { return (outcome, nil) }
        let check = EnvelopeCheck(envelopes, workers: EnvelopeCheck.workers)
        defer { check.finish() }
        /// The envelope if it may be applied, else why not.
        func usable(_ result: EnvelopeCheck.Result) -> Result<ChangesetEnvelope, InvalidEnvelope> {
            switch result {
            case .malformed(let error): return .failure(.format(error))
            case .parsed(let env, _) where env.body.network != networkID: return .failure(.otherNetwork)
            case .parsed(let env, false): return .failure(.badSignature(id: env.id.hex))
            case .parsed(let env, true): return .success(env)
            }
        }
        // Nothing to apply: no write transaction at all.
        if case .failure(let end) = usable(check.result(0)) { return (outcome, (0, end)) }
        var failure: (index: Int, reason: InvalidEnvelope)?
        try write {
            for i in envelopes.indices {
                switch usable(check.result(i)) {
                case .failure(let end):
                    failure = (i, end)
                    return
                case .success(let env):
                    outcome.add(try receive(env, trusted: true), id: env.id)
                }
            }
        }
        return (outcome, failure)
    }
}
