import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoTestSupport

/// Batches of received changesets: what a sync or a bundle reports is how they stand at its end.
@Suite struct StoreSyncTests {
    let base: UInt64 = 1_764_000_000_000

    /// A namespace whose root grants a writer, and the writer's first two changesets.
    struct Feed {
        let network: [UInt8]
        let grant: ChangesetEnvelope
        let first: ChangesetEnvelope
        let second: ChangesetEnvelope
    }

    func feed(seed: UInt64) throws -> Feed {
        var rng = SeededRandom(seed: seed)
        let network = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let f = try ChangesetFactory(network: network, rng: &rng)
        let writer = try f.addAuthor(rng: &rng)
        let grant = try f.genesis(name: "grupo", grants: [(writer.publicKey, .writer)], hlc: HLC(milliseconds: base, counter: 0))
        let rec = RecordKey(collection: "c", id: "1")
        let first = try f.make(by: writer, ops: [.set(rec, field: "v", value: .int(1))], hlc: HLC(milliseconds: base + 1, counter: 0), deps: [])
        let second = try f.make(by: writer, ops: [.set(rec, field: "v", value: .int(2))], hlc: HLC(milliseconds: base + 2, counter: 0), deps: [])
        return Feed(network: network, grant: grant, first: first, second: second)
    }

    /// The batches received one after another into a fresh store: the arrival counts, and the settled ones.
    func receive(_ feed: Feed, _ batches: [[ChangesetEnvelope]]) throws -> (arrival: BatchOutcome, settled: BatchOutcome) {
        try withTemporaryStore(network: feed.network, clock: base + 10_000) { store in
            var total = BatchOutcome()
            for batch in batches { total.add(try store.receive(envelopes: batch.map(\.bytes))) }
            return (total, try store.settled(total))
        }
    }

    /// A writer's second changeset comes before its first, and both before the grant that lets
    /// the writer write: on arrival they wait; once the grant is in, all three are applied, and
    /// the settled counts say so while the arrival counts do not.
    @Test func changesetsThatWaitedAndWereAppliedLaterCountAsApplied() throws {
        let f = try feed(seed: 7)
        let (arrival, settled) = try receive(f, [[f.second], [f.first], [f.grant]])
        #expect(arrival.count == 3)
        #expect(arrival.applied < 3, "the arrival counts: \(arrival)")
        #expect(settled.applied == 3 && settled.pending == 0 && settled.quarantined == 0, "\(settled)")
        #expect(settled.count == arrival.count)
        #expect(settled.held.isEmpty)
    }

    /// Arrival order grant, second, first: the second waits for its predecessor (pending) and is
    /// applied when the first comes.
    @Test func aPendingChangesetAppliedByALaterBatchCountsAsApplied() throws {
        let f = try feed(seed: 9)
        let (arrival, settled) = try receive(f, [[f.grant], [f.second], [f.first]])
        #expect(arrival.applied == 2 && arrival.pending == 1 && arrival.held.count == 1, "the arrival counts: \(arrival)")
        #expect(settled.applied == 3 && settled.pending == 0 && settled.quarantined == 0, "\(settled)")
    }

    /// One that still waits stays counted as waiting.
    @Test func aChangesetStillWaitingStaysPending() throws {
        let f = try feed(seed: 8)
        let (_, settled) = try receive(f, [[f.grant], [f.second]])
        #expect(settled.applied == 1 && settled.pending == 1 && settled.quarantined == 0, "\(settled)")
        #expect(settled.held.count == 1)
    }
}
