import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoTestSupport

/// Batches of received changesets: what a sync or a bundle reports is how they stand at its end.
@Suite struct StoreSyncTests {
    let base: UInt64 = 1_764_000_000_000

    /// A writer's second changeset comes before its first, and both before the grant that lets
    /// the writer write: on arrival they wait (pending, quarantined); once the grant is in, all
    /// three are applied, and the settled counts say so while the arrival counts do not.
    @Test func changesetsThatWaitedAndWereAppliedLaterCountAsApplied() throws {
        var rng = SeededRandom(seed: 7)
        let network = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let f = try ChangesetFactory(network: network, rng: &rng)
        let writer = try f.addAuthor(rng: &rng)
        let grant = try f.genesis(name: "grupo", grants: [(writer.publicKey, .writer)], hlc: HLC(milliseconds: base, counter: 0))
        let rec = RecordKey(collection: "c", id: "1")
        let first = try f.make(by: writer, ops: [.set(rec, field: "v", value: .int(1))], hlc: HLC(milliseconds: base + 1, counter: 0), deps: [])
        let second = try f.make(by: writer, ops: [.set(rec, field: "v", value: .int(2))], hlc: HLC(milliseconds: base + 2, counter: 0), deps: [])
        try withTemporaryStore(network: network, clock: base + 10_000) { store in
            var total = BatchOutcome()
            for batch in [[second], [first], [grant]] { total.add(try store.receive(envelopes: batch.map(\.bytes))) }
            #expect(total.count == 3)
            #expect(total.applied < 3, "the arrival counts: \(total)")
            let settled = try store.settled(total)
            #expect(settled.applied == 3 && settled.pending == 0 && settled.quarantined == 0, "\(settled)")
            #expect(settled.count == total.count)
            #expect(settled.held.isEmpty)
        }
    }

    /// Arrival order grant, second, first: the second waits for its predecessor (pending) and is
    /// applied when the first comes.
    @Test func aPendingChangesetAppliedByALaterBatchCountsAsApplied() throws {
        var rng = SeededRandom(seed: 9)
        let network = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let f = try ChangesetFactory(network: network, rng: &rng)
        let writer = try f.addAuthor(rng: &rng)
        let grant = try f.genesis(name: "grupo", grants: [(writer.publicKey, .writer)], hlc: HLC(milliseconds: base, counter: 0))
        let rec = RecordKey(collection: "c", id: "1")
        let first = try f.make(by: writer, ops: [.set(rec, field: "v", value: .int(1))], hlc: HLC(milliseconds: base + 1, counter: 0), deps: [])
        let second = try f.make(by: writer, ops: [.set(rec, field: "v", value: .int(2))], hlc: HLC(milliseconds: base + 2, counter: 0), deps: [])
        try withTemporaryStore(network: network, clock: base + 10_000) { store in
            var total = BatchOutcome()
            for batch in [[grant], [second], [first]] { total.add(try store.receive(envelopes: batch.map(\.bytes))) }
            #expect(total.applied == 2 && total.pending == 1 && total.held.count == 1, "the arrival counts: \(total)")
            let settled = try store.settled(total)
            #expect(settled.applied == 3 && settled.pending == 0 && settled.quarantined == 0, "\(settled)")
        }
    }

    /// One that still waits stays counted as waiting.
    @Test func aChangesetStillWaitingStaysPending() throws {
        var rng = SeededRandom(seed: 8)
        let network = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let f = try ChangesetFactory(network: network, rng: &rng)
        let writer = try f.addAuthor(rng: &rng)
        let grant = try f.genesis(name: "grupo", grants: [(writer.publicKey, .writer)], hlc: HLC(milliseconds: base, counter: 0))
        let rec = RecordKey(collection: "c", id: "1")
        _ = try f.make(by: writer, ops: [.set(rec, field: "v", value: .int(1))], hlc: HLC(milliseconds: base + 1, counter: 0), deps: [])
        let second = try f.make(by: writer, ops: [.set(rec, field: "v", value: .int(2))], hlc: HLC(milliseconds: base + 2, counter: 0), deps: [])
        try withTemporaryStore(network: network, clock: base + 10_000) { store in
            var total = BatchOutcome()
            for batch in [[grant], [second]] { total.add(try store.receive(envelopes: batch.map(\.bytes))) }
            let settled = try store.settled(total)
            #expect(settled.applied == 1 && settled.pending == 1 && settled.quarantined == 0, "\(settled)")
            #expect(settled.held.count == 1)
        }
    }
}
