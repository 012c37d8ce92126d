import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoTestSupport

/// A changeset whose author may not write is kept as evidence and listed with the reason.
@Suite struct QuarantineListTests {
    @Test func anUnauthorizedChangesetIsListedWithItsReason() throws {
        var rng = SeededRandom(seed: 44)
        let network = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let f = try ChangesetFactory(network: network, rng: &rng)
        let stranger = try f.addAuthor(rng: &rng)
        let base: UInt64 = 1_764_000_000_000
        try f.genesis(name: "grupo", grants: [], hlc: HLC(milliseconds: base, counter: 0))
        try withTemporaryStore(network: network, clock: base + 1000) { store in
            try store.receive(f.made[0].bytes)
            let bad = try f.make(by: stranger, ops: [.set(RecordKey(collection: "c", id: "1"), field: "v", value: .int(1))],
                                 hlc: HLC(milliseconds: base + 5, counter: 0), deps: [])
            guard case .quarantined = try store.receive(bad.bytes) else {
                Issue.record("a changeset by a non-member was not quarantined")
                return
            }
            let held = try store.quarantined()
            #expect(held.count == 1)
            #expect(held.first?.id == bad.id.hex)
            #expect(held.first?.author == stranger.publicKey.bytes)
            #expect(held.first?.namespace == "grupo")
            #expect(held.first?.reason.hasPrefix("unauthorized") == true)
            #expect(try store.get(namespace: "grupo", record: RecordKey(collection: "c", id: "1")) == nil)
        }
    }
}
