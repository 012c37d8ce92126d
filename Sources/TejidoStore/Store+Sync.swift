import Dispatch
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
        while try st.step() { out.append(FeedHead(author: st.blob(0), seq: UInt64(st.int64(1)), head: st.blob(2))) }
        return out
    }

    /// One digest per namespace this store holds, sorted by namespace id.
    public func namespaceDigests() throws -> [NamespaceDigest] {
        try namespaceRows()
            .map { NamespaceDigest.of(namespace: $0.root, heads: try feedHeads(namespace: $0.root)) }
            .sorted { $0.namespace.lexicographicallyPrecedes($1.namespace) }
    }

    // MARK: Sending

    /// The applied changesets of `namespaces` that a peer holding `theirHeads` lacks, in the order
    /// this store applied them (so every changeset comes after its prev and deps).
    /// `withGrants` adds every changeset that holds a grant still in force in those namespaces, even
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
            \(withGrants ? "OR c.seqno IN (SELECT g.cs FROM grants g WHERE g.ns IN (SELECT ns FROM temp.sync_ns))" : ""))
            """
        var total = 0
        var bytes = 0
        let count = try db.prepare("SELECT count(*), COALESCE(sum(length(c.envelope)), 0) \(filter)")
        if try count.step() { total = Int(count.int64(0)); bytes = Int(count.int64(1)) }
        let rows = try db.prepare("SELECT c.envelope, c.ns, c.author, c.seq \(filter) ORDER BY c.applied")
        return OutgoingCursor(store: self, statement: rows, roots: roots, total: total, bytes: bytes)
    }

    // MARK: Receiving in batches

    /// Takes in envelopes from a peer in one transaction. Every envelope is parsed first; the
    /// signatures are checked on the other cores while this thread merges the ones already
    /// checked. If any envelope fails, the transaction rolls back: nothing is written, and the
    /// error names the envelope.
    public func receive(envelopes: [[UInt8]]) throws -> BatchOutcome {
        var parsed: [ChangesetEnvelope] = []
        parsed.reserveCapacity(envelopes.count)
        for (i, bytes) in envelopes.enumerated() {
            do { parsed.append(try ChangesetEnvelope(bytes: bytes)) } catch {
                throw StoreError.invalidChangeset("changeset \(i + 1) of the batch: \(error.description)")
            }
        }
        let check = SignatureCheck(parsed, workers: max(1, ProcessInfo.processInfo.activeProcessorCount - 1))
        defer { check.finish() }
        var outcome = BatchOutcome()
        try write {
            for (i, env) in parsed.enumerated() {
                // Another network's changeset gets its own error from the receive path.
                if env.body.network == networkID && !check.isValid(i) {
                    throw StoreError.invalidChangeset("changeset \(i + 1) of the batch: signature does not verify (id \(env.id.hex))")
                }
                outcome.add(try receive(env, trusted: true))
            }
        }
        return outcome
    }

    /// Like `receive(envelopes:)`, but applies the valid envelopes before the first invalid one
    /// and returns where and why it stopped (for a damaged bundle).
    public func receivePrefix(envelopes: [[UInt8]]) throws -> (BatchOutcome, failure: (index: Int, detail: String)?) {
        let checked = Self.checkInParallel(envelopes, network: networkID)
        var parsed: [ChangesetEnvelope] = []
        var failure: (Int, String)?
        for (i, c) in checked.enumerated() {
            if case .success(let env) = c {
                if env.body.network == networkID { parsed.append(env); continue }
                failure = (i, "a changeset of another network")
            }
            if case .failure(let e) = c { failure = (i, e.detail) }
            break
        }
        var outcome = BatchOutcome()
        if !parsed.isEmpty {
            try write {
                for env in parsed { outcome.add(try receive(env, trusted: true)) }
            }
        }
        return (outcome, failure)
    }

    struct CheckFailure: Error {
        let detail: String
    }

    /// Parses each envelope on this thread, then checks the signatures on all cores. Workers only
    /// read: what they allocate is a few small temporaries, so memory freed across threads does
    /// not pile up in per-thread malloc arenas as a long sync goes on.
    static func checkInParallel(_ envelopes: [[UInt8]], network: [UInt8]) -> [Result<ChangesetEnvelope, CheckFailure>] {
        var results: [Result<ChangesetEnvelope, CheckFailure>] = envelopes.map { bytes in
            do throws(FormatError) { return .success(try ChangesetEnvelope(bytes: bytes)) } catch { return .failure(CheckFailure(detail: error.description)) }
        }
        let parsed: [ChangesetEnvelope?] = results.map { if case .success(let e) = $0, e.body.network == network { e } else { nil } }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, envelopes.count / 16))
        let valid = ResultSlots<Bool>(count: parsed.count)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let verifier = Ed25519Verifier()
            var i = w
            while i < parsed.count {
                // Another network's changeset is reported by the caller; an author key that is not
                // a valid point (strict checks) can never have signed anything.
                if let env = parsed[i] {
                    valid[i] = env.hasValidSignature(using: verifier)
                } else {
                    valid[i] = true
                }
                i += workers
            }
        }
        for (i, ok) in valid.values.enumerated() where !ok {
            results[i] = .failure(CheckFailure(detail: "signature does not verify (id \(parsed[i]!.id.hex))"))
        }
        return results
    }
}

/// Slots written by disjoint indices from several threads, read after they all finished.
///
/// `@unchecked Sendable`: each index is written by exactly one worker, and `values` is read only
/// after `concurrentPerform` returned, which orders every write before the read.
final class ResultSlots<T>: @unchecked Sendable {
    private var storage: [T?]
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    subscript(i: Int) -> T? {
        get { storage[i] }
        set { storage.withUnsafeMutableBufferPointer { $0[i] = newValue } }
    }
    var values: [T] { storage.map { $0! } }
}
