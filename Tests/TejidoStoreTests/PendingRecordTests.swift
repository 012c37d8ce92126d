import Foundation
import Testing
import TejidoCore
@testable import TejidoStore
import TejidoTestSupport

/// Records first seen in a transaction get their row ids from the merge and their rows at the
/// end of it (`pendingRecords`). Deletes, first writes and removes that reach such a record before
/// its row exists, and a record index that starts over mid-transaction, must all give the same
/// records as before.
@Suite struct PendingRecordTests {
    /// A workload over few records, so that deletes, revivals, adds and removes meet records
    /// created earlier in the same batch.
    static func workload(seed: UInt64, lines: Int) -> [String] {
        var rng = SeededRandom(seed: seed)
        var out: [String] = []
        var txn = 0
        while out.count < lines {
            txn += 1
            for _ in 0..<rng.int(1..<8) {
                let id = "r\(rng.int(0..<60))"
                let head = #"{"replica":"grupo","txn":\#(txn),"collection":"c","id":"\#(id)","#
                switch rng.int(0..<10) {
                case 0: out.append(head + #""op":"delete"}"#)
                case 1: out.append(head + #""op":"inc","field":"n","value":\#(rng.int(1..<5))}"#)
                case 2, 3: out.append(head + #""op":"add","field":"tags","value":"t\#(rng.int(0..<3))"}"#)
                case 4: out.append(head + #""op":"remove","field":"tags","value":"t\#(rng.int(0..<3))"}"#)
                default: out.append(head + #""op":"set","field":"v\#(rng.int(0..<3))","value":"\#(rng.int(0..<100))"}"#)
                }
            }
        }
        return out
    }

    static func write(_ lines: some Sequence<String>, to url: URL) throws {
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func importsAgreeWhateverTheIndexHolds(seed: UInt64) throws {
        try withTemporaryDirectory { dir in
            let lines = Self.workload(seed: seed, lines: 1_500)
            let whole = dir.appendingPathComponent("whole.jsonl")
            try Self.write(lines, to: whole)

            // A: the whole input in one transaction, the index as large as it is by default.
            let a = try Store.create(at: dir.appendingPathComponent("a"))
            try a.createNamespace(name: "grupo")
            try a.importJSONLines(path: whole.path, options: ImportOptions(changesetsPerCommit: 100_000))
            let expected = try a.list(namespace: "grupo", collection: "c")
            #expect(!expected.isEmpty)

            // B: an index of three records, started over every few ops with records still waiting
            // for their rows, and a commit every 7 changesets.
            let b = try Store.create(at: dir.appendingPathComponent("b"), network: a.networkID)
            try b.createNamespace(name: "grupo")
            b.recordIDs.limit = 3
            try b.importJSONLines(path: whole.path, options: ImportOptions(changesetsPerCommit: 7))
            #expect(try b.list(namespace: "grupo", collection: "c") == expected)
            #expect(try b.verify().ok)

            // C: half, then the other half through a store opened again, whose index is empty
            // while the database holds records (each one must be found, not made again).
            let c = try Store.create(at: dir.appendingPathComponent("c"), network: a.networkID)
            try c.createNamespace(name: "grupo")
            let first = dir.appendingPathComponent("first.jsonl"), second = dir.appendingPathComponent("second.jsonl")
            try Self.write(lines.prefix(lines.count / 2), to: first)
            try Self.write(lines.dropFirst(lines.count / 2), to: second)
            try c.importJSONLines(path: first.path)
            let reopened = try Store.open(at: c.directory)
            try reopened.importJSONLines(path: second.path)
            #expect(try reopened.list(namespace: "grupo", collection: "c") == expected)

            // D: A's changesets received in one transaction, and again one at a time into E:
            // the same state digest as A.
            var envelopes: [[UInt8]] = []
            try a.forEachEnvelope { envelopes.append($0) }
            let d = try Store.create(at: dir.appendingPathComponent("d"), network: a.networkID)
            d.recordIDs.limit = 2
            _ = try d.receive(batch: envelopes)
            #expect(try d.stateDigest() == a.stateDigest())
            let e = try Store.create(at: dir.appendingPathComponent("e"), network: a.networkID)
            for env in envelopes { _ = try e.receive(env) }
            #expect(try e.stateDigest() == a.stateDigest())
        }
    }

    /// One row per record, whichever path made it.
    @Test func everyRecordHasOneRow() throws {
        try withTemporaryDirectory { dir in
            let lines = Self.workload(seed: 7, lines: 800)
            let file = dir.appendingPathComponent("in.jsonl")
            try Self.write(lines, to: file)
            let store = try Store.create(at: dir.appendingPathComponent("s"))
            try store.createNamespace(name: "grupo")
            store.recordIDs.limit = 4
            try store.importJSONLines(path: file.path, options: ImportOptions(changesetsPerCommit: 5))
            let again = try Store.open(at: store.directory)
            try again.importJSONLines(path: file.path)
            let ids = Set(lines.map { line -> String in
                let start = line.range(of: #""id":""#)!.upperBound
                return String(line[start...].prefix { $0 != "\"" })
            })
            let counted = try again.db.scalar("SELECT count(*) FROM records")
            #expect(counted == .integer(Int64(ids.count)))
            #expect(try again.verify().ok)
        }
    }
    /// A remove names only the adds its record's latest delete left visible, also when the record
    /// and its delete came earlier in the same transaction (its row does not exist yet).
    @Test func aRemoveAfterADeleteInTheSameBatchObservesOnlyLaterAdds() throws {
        try withTemporaryDirectory { dir in
            let lines = [
                #"{"replica":"grupo","txn":1,"op":"add","collection":"c","id":"r1","field":"tags","value":"t"}"#,
                #"{"replica":"grupo","txn":2,"op":"delete","collection":"c","id":"r1"}"#,
                #"{"replica":"grupo","txn":3,"op":"add","collection":"c","id":"r1","field":"tags","value":"t"}"#,
                #"{"replica":"grupo","txn":4,"op":"remove","collection":"c","id":"r1","field":"tags","value":"t"}"#,
            ]
            let file = dir.appendingPathComponent("in.jsonl")
            try Self.write(lines, to: file)
            let store = try Store.create(at: dir.appendingPathComponent("s"))
            try store.createNamespace(name: "grupo")
            #expect(try store.importJSONLines(path: file.path).changesets == 4)
            var last: ChangesetEnvelope?
            try store.forEachEnvelope { last = try ChangesetEnvelope(bytes: $0) }
            let ops = try #require(last).body.ops
            guard ops.count == 1, case .setRemove(_, _, _, let observed) = ops[0] else {
                Issue.record("not one remove: \(ops)")
                return
            }
            #expect(observed.count == 1)
        }
    }
    /// An add waiting in memory that a remove earlier in the batch took out is not observed again;
    /// one that no remove named is, and written adds are found beside waiting ones.
    @Test func removesInOneBatchSeeWaitingAndWrittenAdds() throws {
        try withTemporaryDirectory { dir in
            let store = try Store.create(at: dir.appendingPathComponent("s"))
            try store.createNamespace(name: "grupo")
            func line(_ txn: Int, _ op: String, _ value: String) -> String {
                #"{"replica":"grupo","txn":\#(txn),"op":"\#(op)","collection":"c","id":"r1","field":"tags","value":"\#(value)"}"#
            }
            // Written before: one add of "t".
            let first = dir.appendingPathComponent("first.jsonl")
            try Self.write([line(1, "add", "t")], to: first)
            try store.importJSONLines(path: first.path)
            // One batch: a second add, a remove (both adds), a third add, a remove (the third only),
            // a remove (nothing left), and an add and remove of another element.
            let second = dir.appendingPathComponent("second.jsonl")
            try Self.write([line(2, "add", "t"), line(3, "remove", "t"), line(4, "add", "t"), line(5, "remove", "t"),
                            line(6, "remove", "t"), line(7, "add", "u"), line(8, "remove", "t")], to: second)
            try store.importJSONLines(path: second.path)
            var envelopes: [ChangesetEnvelope] = []
            try store.forEachEnvelope { envelopes.append(try ChangesetEnvelope(bytes: $0)) }
            func observed(_ env: ChangesetEnvelope) -> Int? {
                guard env.body.ops.count == 1, case .setRemove(_, _, _, let o) = env.body.ops[0] else { return nil }
                return o.count
            }
            let removes = envelopes.compactMap(observed)
            #expect(removes == [2, 1, 0, 0])
            let tags = try store.get(namespace: "grupo", record: RecordKey(collection: "c", id: "r1"))?.fields["tags"]
            #expect(tags == .set([.text("u")]))
        }
    }
}
