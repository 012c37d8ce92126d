import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoTestSupport

/// A changeset stamped more than a day ahead of the receiver's clock is applied (a group's data is
/// never dropped) and flagged, naming its author; one a little ahead is not.
@Suite struct ClockFlagTests {
    let base: UInt64 = 1_764_000_000_000
    let day: UInt64 = 86_400_000

    @Test func aClockMoreThanADayAheadIsAppliedAndFlagged() throws {
        var rng = SeededRandom(seed: 33)
        let network = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let f = try ChangesetFactory(network: network, rng: &rng)
        let a = try f.addAuthor(rng: &rng)
        try f.genesis(name: "grupo", grants: [(a.publicKey, .writer)], hlc: HLC(milliseconds: base, counter: 0))
        try withTemporaryStore(network: network, clock: base + 1000) { store in
            try store.receive(f.made[0].bytes)
            let rec = RecordKey(collection: "c", id: "1")
            let soon = try f.make(by: a, ops: [.set(rec, field: "v", value: .int(1))], hlc: HLC(milliseconds: base + day / 2, counter: 0), deps: [])
            let late = try f.make(by: a, ops: [.set(rec, field: "v", value: .int(2))], hlc: HLC(milliseconds: base + 3 * day, counter: 0), deps: [])
            #expect(try store.receive(soon.bytes) == .applied)
            #expect(try store.receive(late.bytes) == .applied)
            #expect(try store.get(namespace: "grupo", record: rec)?.fields["v"] == .value(.int(2)))
            let flags = try store.clockFlags()
            #expect(flags.count == 1)
            #expect(flags.first?.id == late.id.hex)
            #expect(flags.first?.author == a.publicKey.bytes)
            #expect(flags.first?.namespace == "grupo")
            #expect((flags.first?.aheadMilliseconds ?? 0) > 2 * day)
            let report = try store.verify()
            #expect(report.ok, "a flag is not a problem")
            #expect(report.clockFlags == flags)
        }
    }
}
