import Foundation
import Testing
import TejidoCore
import TejidoStore
import TejidoSync
import TejidoTestSupport

/// Batch sizes adapt to how fast acks come back: up on a fast link, down on a slow one.
@Suite struct BatchSizerTests {
    @Test func growsOnQuickAcksShrinksOnSlowOnesWithinBounds() {
        var s = BatchSizer(start: 1_000, min: 250, max: 3_000, growWithin: 1, shrinkAfter: 8)
        #expect(s.target == 1_000)
        s.acknowledged(after: 0.2)
        #expect(s.target == 2_000)
        s.acknowledged(after: 1.0)
        #expect(s.target == 3_000)
        s.acknowledged(after: 0.1)
        #expect(s.target == 3_000)
        // Between the two thresholds nothing changes.
        s.acknowledged(after: 5)
        #expect(s.target == 3_000)
        s.acknowledged(after: 9)
        #expect(s.target == 1_500)
        s.acknowledged(after: 60)
        #expect(s.target == 750)
        s.acknowledged(after: 60)
        s.acknowledged(after: 60)
        #expect(s.target == 250)
        // A start outside the bounds is brought inside them.
        #expect(BatchSizer(start: 10, min: 250, max: 3_000).target == 250)
        #expect(BatchSizer(start: 1 << 30, min: 250, max: 3_000).target == 3_000)
    }

    /// The limits leave room for the last envelope of a batch at the largest target.
    @Test func theLargestBatchFitsInAFrame() {
        let worst = SyncLimits.maxBatchBytes - 1 + FormatLimits.maxEnvelopeBytes + SyncLimits.maxBatchCount * 5 + 16
        #expect(worst <= SyncLimits.maxFrameBytes)
        #expect(SyncLimits.minBatchBytes <= SyncLimits.batchBytes && SyncLimits.batchBytes <= SyncLimits.maxBatchBytes)
        // A sizer asked for more than that is held to it.
        var big = BatchSizer(start: 1 << 20, min: 1 << 10, max: 8 << 20)
        #expect(big.max == SyncLimits.maxBatchBytes)
        for _ in 0..<10 { big.acknowledged(after: 0) }
        #expect(big.target == SyncLimits.maxBatchBytes)
    }

    /// A server sending 120 changesets in batches that start at 4 KiB: with acks that come at
    /// once it sends fewer, larger batches than with acks that each take ten seconds (its clock
    /// is fixed by the test, so nothing here waits).
    @Test func aSessionAdaptsItsBatchesToTheAckTimes() throws {
        func batchesReceived(ackSeconds: Double) throws -> Int {
            try withTemporaryDirectory { dir in
                let a = try Store.create(at: dir.appendingPathComponent("a"))
                let b = try Store.create(at: dir.appendingPathComponent("b"), network: a.networkID)
                _ = try a.createNamespace(name: "chiapas")
                for i in 0..<119 {
                    _ = try a.put(namespace: "chiapas", record: RecordKey(collection: "events", id: "e\(i)"),
                                  fields: [("title", .text(String(repeating: "x", count: 200)))])
                }
                let ticks = Ticks(step: ackSeconds)
                var server = SyncSession.Options()
                server.batchBytes = BatchSizer(start: 4_096, min: 1_024, max: 16_384)
                server.clock = { ticks.next() }
                let out = SyncHarness.sync(b, with: a.directory, server: server)
                let stats = try out.client.get()
                #expect(stats.received == 120)
                #expect(try b.stateDigest() == a.stateDigest())
                // Frames the client read: hello, digests, heads, the batches and done.
                return stats.framesIn
            }
        }
        let fast = try batchesReceived(ackSeconds: 0)
        let slow = try batchesReceived(ackSeconds: 10)
        // About 50 KB of envelopes: batches of 4, 4, 8, then 16 KiB on the fast link; of 4, 4, 2,
        // then 1 KiB on the slow one (a size takes effect one batch late: the next batch is read
        // while the ack of the one in flight is awaited).
        #expect(fast <= 12)
        #expect(slow >= 30)
        #expect(slow > 3 * fast)
    }
}

/// A clock that moves by `step` seconds each time it is read.
final class Ticks: @unchecked Sendable {
    private let lock = NSLock()
    private var now = 0.0
    private let step: Double

    init(step: Double) { self.step = step }

    func next() -> Double {
        lock.lock()
        defer { lock.unlock() }
        now += step
        return now
    }
}
