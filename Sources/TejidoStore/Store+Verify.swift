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
        var report = VerifyReport()
        var feeds: [[UInt8]: (seq: UInt64, head: ChangesetID)] = [:]
        var seen: Set<ChangesetID> = []
        var grants: [[UInt8]: Role] = [:]
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

        let st = try db.prepare(
            """
            SELECT c.id, c.seq, c.state, c.envelope, k.key, r.key FROM changesets c
            JOIN keys k ON k.k = c.author JOIN namespaces n ON n.ns = c.ns JOIN keys r ON r.k = n.root
            ORDER BY c.applied IS NULL, c.applied, c.seqno
            """)
        var done = false
        while !done {
            var rows: [Row] = []
            rows.reserveCapacity(4096)
            while rows.count < 4096 {
                guard try st.step() else { done = true; break }
                rows.append(Row(
                    id: st.blob(0), seq: UInt64(st.int64(1)), state: st.int64(2), envelope: st.blob(3), author: st.blob(4),
                    namespace: st.blob(5)))
            }
            let checks = Self.checkInParallel(rows, network: networkID, workers: workers)
            for (row, check) in zip(rows, checks) {
                report.checked += 1
                let idHex = Hex.encode(row.id)
                if let problem = check.problem {
                    report.problems.append(.init(id: idHex, kind: problem.0, detail: problem.1))
                    continue
                }
                guard let env = check.envelope else { continue }
                switch row.state {
                case ChangesetState.pending.rawValue: report.pending += 1; continue
                case ChangesetState.quarantined.rawValue: report.quarantined += 1; continue
                default: report.applied += 1
                }
                let body = env.body
                // Chain: seq n follows seq n-1 of the same feed, named by prev.
                let feedKey = body.namespace + body.author
                let last = feeds[feedKey]
                if body.seq != (last?.seq ?? 0) + 1 || body.prev != last?.head {
                    report.problems.append(.init(id: idHex, kind: "chain", detail: "seq \(body.seq) does not follow the feed's head"))
                }
                feeds[feedKey] = (body.seq, env.id)
                for dep in body.deps where !seen.contains(dep) {
                    report.problems.append(.init(id: idHex, kind: "deps", detail: "dep \(dep.hex) was not applied before it"))
                }
                seen.insert(env.id)
                // Authority, replayed in application order.
                let needed = Self.requiredRole(for: body.ops)
                let held: Role? = body.author == body.namespace ? .admin : grants[feedKey]
                if held == nil || held! < needed {
                    report.problems.append(.init(id: idHex, kind: "authority", detail: "author may not write \(needed.name) ops here"))
                }
                for case .grant(let key, let role) in body.ops {
                    let k = body.namespace + key
                    if grants[k].map({ $0 < role }) ?? true { grants[k] = role }
                }
            }
            progress(report.checked)
        }
        return report
    }

    struct Row: Sendable {
        let id: [UInt8]
        let seq: UInt64
        let state: Int64
        let envelope: [UInt8]
        let author: [UInt8]
        let namespace: [UInt8]
    }

    struct RowCheck: Sendable {
        var envelope: ChangesetEnvelope?
        var problem: (String, String)?
    }

    /// Format, id, row consistency, network and strict signature of each row, split across `workers` threads.
    static func checkInParallel(_ rows: [Row], network: [UInt8], workers: Int) -> [RowCheck] {
        let results = ResultSlots<RowCheck>(count: rows.count, initial: RowCheck())
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var i = w
            while i < rows.count {
                results.set(i, check(rows[i], network: network))
                i += workers
            }
        }
        return results.values
    }

    static func check(_ row: Row, network: [UInt8]) -> RowCheck {
        let env: ChangesetEnvelope
        do { env = try ChangesetEnvelope(bytes: row.envelope) } catch {
            return RowCheck(envelope: nil, problem: ("format", error.description))
        }
        if env.id.bytes != row.id { return RowCheck(envelope: nil, problem: ("id", "stored id differs from SHA-256 of the body")) }
        if env.body.author != row.author || env.body.namespace != row.namespace || env.body.seq != row.seq {
            return RowCheck(envelope: nil, problem: ("row", "index columns differ from the envelope"))
        }
        if env.body.network != network { return RowCheck(envelope: nil, problem: ("network", "changeset of another network")) }
        if !env.hasValidSignature { return RowCheck(envelope: nil, problem: ("signature", "signature does not verify")) }
        return RowCheck(envelope: env, problem: nil)
    }
}

/// Fixed-size result slots written from several threads.
///
/// `@unchecked Sendable`: each index is written by exactly one thread of one `concurrentPerform`
/// call, and `values` is read only after that call has returned (it joins all workers).
final class ResultSlots<T>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<T>
    private let count: Int

    init(count: Int, initial: T) {
        self.count = count
        base = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
        base.initialize(repeating: initial, count: count)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    func set(_ i: Int, _ v: T) { base[i] = v }

    var values: [T] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
