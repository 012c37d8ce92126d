import Dispatch
import Foundation
import TejidoCore
import TejidoCrypto
import TejidoSQLite

extension Store {
    /// Re-checks everything held, from the stored envelope bytes alone: format, id, strict signature
    /// and network of every changeset (on all cores), then, in the order they were applied, each
    /// feed's hash chain, that every dep was applied first, and that each author held the role its
    /// ops need. Envelopes stream in batches; what stays in memory is 32 bytes per applied changeset
    /// (to check deps) and one entry per feed and grant.
    public func verify(progress: (Int) -> Void = { _ in }) throws -> VerifyReport {
        // One read transaction: the applied and the held changesets are read by two queries, and
        // another process applying a held one in between would otherwise hide it from both.
        try db.execute("BEGIN")
        defer { try? db.execute("COMMIT") }
        var report = VerifyReport()
        var feeds: [FeedRef: (seq: UInt64, head: ChangesetID)] = [:]
        var seen: Set<ChangesetID> = []
        var authorities: [[UInt8]: AuthorityState] = [:]
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

        // Applied changesets in application order (read through the `applied` index, no sort),
        // then the held ones. While the workers check one batch, this thread reads the next.
        let columns = "c.id, c.seq, c.state, c.envelope, k.key, r.key, c.seqno, c.ns FROM changesets c JOIN keys k ON k.k = c.author " +
            "JOIN namespaces n ON n.ns = c.ns JOIN keys r ON r.k = n.root"
        let queries = [
            try db.prepare("SELECT \(columns) WHERE c.applied IS NOT NULL ORDER BY c.applied"),
            try db.prepare("SELECT \(columns) WHERE c.applied IS NULL ORDER BY c.seqno"),
        ]
        var queryIndex = 0
        func readBatch() throws -> [Row] {
            var rows: [Row] = []
            rows.reserveCapacity(Self.verifyBatch)
            while rows.count < Self.verifyBatch && queryIndex < queries.count {
                let st = queries[queryIndex]
                guard try st.step() else { queryIndex += 1; continue }
                rows.append(Row(
                    id: st.blob(0), seq: try st.uint64(1), state: st.int64(2), envelope: st.blob(3), author: st.blob(4),
                    namespace: st.blob(5), seqno: st.int64(6), ns: st.int64(7)))
            }
            return rows
        }

        // Chunks go to the pool as they are read; a window of chunks in flight keeps every core
        // busy while results are taken back in order. This thread reads, replays the chain and,
        // when the next result is not ready, checks chunks itself: one busy thread per core.
        let pool = VerifyPool(network: networkID, workers: workers - 1)
        defer { pool.finish() }
        var inFlight: [(index: Int, rows: [Row], bytes: Int)] = []
        var inFlightBytes = 0
        var reading = true
        let window = workers * 8
        func readAndSubmit() throws {
            let rows = try readBatch()
            if rows.isEmpty { reading = false; return }
            let bytes = rows.reduce(0) { $0 + $1.envelope.count }
            inFlight.append((pool.submit(rows), rows, bytes))
            inFlightBytes += bytes
        }
        while reading || !inFlight.isEmpty {
            if reading && inFlight.count < window {
                try readAndSubmit()
                continue
            }
            // Rather than wait for a worker's chunk with nothing left queued, read on and check
            // what comes, up to twice the window and `verifyExtraBytes` of envelopes in flight.
            let mayReadOn = reading && inFlight.count < window * 2 && inFlightBytes < Self.verifyExtraBytes
            guard let checks = pool.result(inFlight[0].index, wait: !mayReadOn) else {
                try readAndSubmit()
                continue
            }
            let done = inFlight.removeFirst()
            inFlightBytes -= done.bytes
            let rows = done.rows
            for (row, check) in zip(rows, checks) {
                report.checked += 1
                // The id in hex only for a report: most changesets have nothing to report.
                var idHex: String { Hex.encode(row.id) }
                if let problem = check.problem {
                    report.problems.append(.init(id: idHex, finding: problem))
                    continue
                }
                guard let body = check.header else { continue }
                switch row.state {
                case ChangesetState.pending.rawValue: report.pending += 1; continue
                case ChangesetState.quarantined.rawValue: report.quarantined += 1; continue
                default: report.applied += 1
                }
                // Chain: seq n follows seq n-1 of the same feed, named by prev.
                let feedKey = FeedRef(ns: row.ns, author: body.author)
                let last = feeds[feedKey]
                if body.seq != (last?.seq ?? 0) + 1 || body.prev != last?.head {
                    report.problems.append(.init(id: idHex, finding: .chainBreak(seq: body.seq)))
                }
                feeds[feedKey] = (body.seq, body.id)
                for dep in body.deps where !seen.contains(dep) {
                    // A dep held in any state satisfies it (protocol/merge.md).
                    if try db.scalar("SELECT 1 FROM changesets WHERE id=?", [.blob(dep.bytes)]) != nil { continue }
                    report.problems.append(.init(id: idHex, finding: .depMissing(dep.hex)))
                }
                seen.insert(body.id)
                // Authority, computed afresh from the namespace's grant, revoke and name changesets.
                if authorities[body.namespace] == nil {
                    authorities[body.namespace] = AuthorityState(root: body.namespace, candidates: try authorityCandidates(row.ns))
                }
                if let failure = authorities[body.namespace]!.failure(
                    seqno: row.seqno, author: body.author, seq: body.seq, hasAuthorityOps: body.hasAuthorityOps) {
                    report.problems.append(.init(id: idHex, finding: .notCounted(failure)))
                }
                if let f = try forkPoint(ns: row.ns, author: try keyID(body.author)), body.seq >= f {
                    report.problems.append(.init(id: idHex, finding: .pastFork(seq: f)))
                }
            }
            progress(report.checked)
        }
        report.clockFlags = try clockFlags()
        return report
    }

    /// What SQLite's integrity check finds wrong with the database file, page by page (indexes
    /// against tables, free lists, record formats), as problems of kind "database"; empty when it
    /// finds nothing. It reads the whole file: `verify --database`.
    public func databaseProblems(limit: Int = 100) throws -> [VerifyReport.Problem] {
        let st = try db.prepare("PRAGMA integrity_check(\(limit))")
        var out: [VerifyReport.Problem] = []
        do {
            while try st.step() {
                let line = st.text(0)
                if line != "ok" { out.append(.init(id: "-", finding: .database(line))) }
            }
        } catch let e as SQLiteError {
            out.append(.init(id: "-", finding: .database(e.message)))
        }
        return out
    }

    /// A feed in `verify`'s map of heads: the namespace's row id and the author's key.
    struct FeedRef: Hashable {
        let ns: Int64
        let author: [UInt8]

        func hash(into hasher: inout Hasher) {
            hasher.combine(ns)
            author.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    /// Rows per chunk handed to one thread: small, so that the threads end together.
    static let verifyBatch = 16
    /// Envelope bytes in flight past which the reading thread waits for a result rather than
    /// reading on (the usual window alone may hold more, with envelopes near the 1 MiB limit).
    static let verifyExtraBytes = 32 << 20

    struct Row: Sendable {
        let id: [UInt8]
        let seq: UInt64
        let state: Int64
        let envelope: [UInt8]
        let author: [UInt8]
        let namespace: [UInt8]
        let seqno: Int64
        let ns: Int64
    }

    /// What the checks after the signature need of a changeset: a worker keeps these and lets
    /// the decoded ops go on its own thread.
    struct CheckedHeader: Sendable {
        let id: ChangesetID
        let namespace: [UInt8]
        let author: [UInt8]
        let seq: UInt64
        let prev: ChangesetID?
        let deps: [ChangesetID]
        let hasAuthorityOps: Bool
    }

    struct RowCheck: Sendable {
        var header: CheckedHeader?
        var problem: VerifyReport.Finding?
    }

    /// The envelope's format (every op checked, none built), id, index columns, network and
    /// strict signature.
    static func check(_ row: Row, network: [UInt8], verifier: Ed25519Verifier) -> RowCheck {
        let id: ChangesetID, b: ChangesetHeader
        do { (id, b) = try ChangesetEnvelope.checkedHeader(bytes: row.envelope) } catch {
            return RowCheck(header: nil, problem: .format(error))
        }
        if id.bytes != row.id { return RowCheck(header: nil, problem: .idMismatch) }
        if b.author != row.author || b.namespace != row.namespace || b.seq != row.seq {
            return RowCheck(header: nil, problem: .rowMismatch)
        }
        if b.network != network { return RowCheck(header: nil, problem: .otherNetwork) }
        guard ChangesetEnvelope.hasValidSignature(bytes: row.envelope, id: id, author: b.author, using: verifier) else {
            return RowCheck(header: nil, problem: .badSignature)
        }
        return RowCheck(
            header: CheckedHeader(id: id, namespace: b.namespace, author: b.author, seq: b.seq, prev: b.prev, deps: b.deps,
                                  hasAuthorityOps: b.hasAuthorityOps),
            problem: nil)
    }
}

