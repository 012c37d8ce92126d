import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoTestSupport

/// The merge rules one at a time, on changesets built by hand so every stamp is known.
@Suite struct StoreMergeTests {
    let base: UInt64 = 1_764_000_000_000
    let rec = RecordKey(collection: "events", id: "e1")

    /// A namespace with two writers, A and B, and a store that holds its genesis.
    func setup(_ body: (Store, ChangesetFactory, Ed25519PrivateKey, Ed25519PrivateKey) throws -> Void) throws {
        var rng = SeededRandom(seed: 11)
        let network = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let f = try ChangesetFactory(network: network, rng: &rng)
        let a = try f.addAuthor(rng: &rng)
        let b = try f.addAuthor(rng: &rng)
        try f.genesis(name: "grupo", grants: [(a.publicKey, .writer), (b.publicKey, .writer)], hlc: HLC(milliseconds: base, counter: 0))
        try withTemporaryStore(network: network) { store in
            #expect(try store.receive(f.made[0].bytes) == .applied)
            try body(store, f, a, b)
        }
    }

    func field(_ store: Store, _ name: String) throws -> RecordState.FieldValue? {
        try store.get(namespace: "grupo", record: rec)?.fields[name]
    }

    @Test func laterHLCWinsWhateverTheArrivalOrder() throws {
        try setup { store, f, a, b in
            let late = try f.make(by: a, ops: [.set(rec, field: "title", value: .text("nuevo"))], hlc: HLC(milliseconds: base + 20, counter: 0), deps: [])
            let early = try f.make(by: b, ops: [.set(rec, field: "title", value: .text("viejo"))], hlc: HLC(milliseconds: base + 10, counter: 0), deps: [])
            try store.receive(late.bytes)
            try store.receive(early.bytes)
            #expect(try field(store, "title") == .value(.text("nuevo")))
            let blame = try store.blame(namespace: "grupo", record: rec)
            #expect(blame.first { $0.field == "title" }?.changeset == late.id)
            #expect(blame.first { $0.field == "title" }?.superseded == 1)
        }
    }

    @Test func equalHLCsAreOrderedByAuthorKey() throws {
        try setup { store, f, a, b in
            let hlc = HLC(milliseconds: base + 10, counter: 0)
            try store.receive(f.make(by: a, ops: [.set(rec, field: "title", value: .text("de A"))], hlc: hlc, deps: []).bytes)
            try store.receive(f.make(by: b, ops: [.set(rec, field: "title", value: .text("de B"))], hlc: hlc, deps: []).bytes)
            let winner = a.publicKey < b.publicKey ? "de B" : "de A"
            #expect(try field(store, "title") == .value(.text(winner)))
        }
    }

    @Test func deleteHidesOlderWritesAndNewerWritesRevive() throws {
        try setup { store, f, a, b in
            try store.receive(f.make(by: a, ops: [.set(rec, field: "title", value: .text("t")), .counterAdd(rec, field: "n", delta: 5)],
                                      hlc: HLC(milliseconds: base + 10, counter: 0), deps: []).bytes)
            try store.receive(f.make(by: b, ops: [.delete(rec)], hlc: HLC(milliseconds: base + 20, counter: 0), deps: []).bytes)
            #expect(try store.get(namespace: "grupo", record: rec) == nil)
            // A write older than the delete, arriving after it, stays hidden.
            try store.receive(f.make(by: a, ops: [.set(rec, field: "place", value: .text("x"))], hlc: HLC(milliseconds: base + 15, counter: 0), deps: []).bytes)
            #expect(try store.get(namespace: "grupo", record: rec) == nil)
            // A newer write revives the record with only what came after the delete.
            try store.receive(f.make(by: a, ops: [.counterAdd(rec, field: "n", delta: 2)], hlc: HLC(milliseconds: base + 30, counter: 0), deps: []).bytes)
            let state = try #require(try store.get(namespace: "grupo", record: rec))
            #expect(state.fields == ["n": .counter(2)])
        }
    }

    @Test func countersSumEveryIncrementOnce() throws {
        try setup { store, f, a, b in
            let one = try f.make(by: a, ops: [.counterAdd(rec, field: "firmas", delta: 3)], hlc: HLC(milliseconds: base + 1, counter: 0), deps: [])
            let two = try f.make(by: b, ops: [.counterAdd(rec, field: "firmas", delta: 4), .counterAdd(rec, field: "firmas", delta: -1)],
                                 hlc: HLC(milliseconds: base + 1, counter: 0), deps: [])
            try store.receive(one.bytes)
            try store.receive(two.bytes)
            #expect(try store.receive(one.bytes) == .duplicate)
            #expect(try field(store, "firmas") == .counter(6))
        }
    }

    @Test func addWinsOverAConcurrentRemove() throws {
        try setup { store, f, a, b in
            let add1 = try f.make(by: a, ops: [.setAdd(rec, field: "tags", element: .text("agua"))], hlc: HLC(milliseconds: base + 1, counter: 0), deps: [])
            // B removes the add it saw; A concurrently adds again: the unseen add survives.
            let remove = try f.make(by: b, ops: [.setRemove(rec, field: "tags", element: .text("agua"), observed: [OpRef(changeset: add1.id, index: 0)])],
                                    hlc: HLC(milliseconds: base + 5, counter: 0), deps: [add1.id])
            let add2 = try f.make(by: a, ops: [.setAdd(rec, field: "tags", element: .text("agua")), .setAdd(rec, field: "tags", element: .text("maiz"))],
                                  hlc: HLC(milliseconds: base + 3, counter: 0), deps: [])
            for env in [add1, remove] { try store.receive(env.bytes) }
            #expect(try store.get(namespace: "grupo", record: rec) != nil)
            #expect(try field(store, "tags") == nil)
            try store.receive(add2.bytes)
            #expect(try field(store, "tags") == .set([.text("agua"), .text("maiz")]))
        }
    }

    @Test func aRemoveCoversEarlierAddsInItsOwnChangeset() throws {
        try setup { store, f, a, _ in
            try store.receive(f.make(by: a, ops: [
                .setAdd(rec, field: "tags", element: .text("agua")), .setAdd(rec, field: "tags", element: .text("luz")),
                .setRemove(rec, field: "tags", element: .text("agua"), observed: []),
            ], hlc: HLC(milliseconds: base + 1, counter: 0), deps: []).bytes)
            #expect(try field(store, "tags") == .set([.text("luz")]))
        }
    }

    /// A changeset waits until its prev is applied and each dep is held (in any state).
    @Test func aChangesetWaitsForItsPredecessorsThenApplies() throws {
        try setup { store, f, a, b in
            let first = try f.make(by: a, ops: [.set(rec, field: "title", value: .text("1"))], hlc: HLC(milliseconds: base + 1, counter: 0), deps: [])
            let second = try f.make(by: a, ops: [.set(rec, field: "title", value: .text("2"))], hlc: HLC(milliseconds: base + 2, counter: 0), deps: [])
            let third = try f.make(by: b, ops: [.set(rec, field: "status", value: .text("ok"))], hlc: HLC(milliseconds: base + 3, counter: 0), deps: [second.id])
            #expect(try store.receive(third.bytes) == .pending(missing: 1))
            #expect(try store.receive(second.bytes) == .pending(missing: 1))
            // Its dep is now held: the third goes on; the second still waits for its prev.
            #expect(try field(store, "status") == .value(.text("ok")))
            #expect(try field(store, "title") == nil)
            #expect(try store.receive(first.bytes) == .applied)
            let counts = try store.changesetCounts()
            #expect(counts.applied == 4 && counts.pending == 0)
            #expect(try field(store, "title") == .value(.text("2")))
            #expect(try field(store, "status") == .value(.text("ok")))
            #expect(try store.verify().ok)
        }
    }

    @Test func anUnauthorizedAuthorIsQuarantinedUntilGranted() throws {
        try setup { store, f, _, _ in
            var rng = SeededRandom(seed: 99)
            let stranger = try f.addAuthor(rng: &rng)
            let intrusion = try f.make(by: stranger, ops: [.set(rec, field: "title", value: .text("ajeno"))], hlc: HLC(milliseconds: base + 1, counter: 0), deps: [])
            guard case .quarantined(let reason) = try store.receive(intrusion.bytes) else { Issue.record("not quarantined"); return }
            #expect(reason.hasPrefix("unauthorized"))
            #expect(try store.get(namespace: "grupo", record: rec) == nil)
            #expect(try store.changesetCounts().quarantined == 1)
            // A writer cannot grant: quarantined as well.
            // The root's grant arrives: the held changeset is applied then.
            try store.receive(f.make(by: f.root, ops: [.grant(key: stranger.publicKey.bytes, role: .writer)], hlc: HLC(milliseconds: base + 2, counter: 0), deps: []).bytes)
            #expect(try field(store, "title") == .value(.text("ajeno")))
            #expect(try store.changesetCounts().quarantined == 0)
        }
    }

    @Test func aWriterCannotGrant() throws {
        try setup { store, f, a, b in
            let grant = try f.make(by: a, ops: [.grant(key: b.publicKey.bytes, role: .admin)], hlc: HLC(milliseconds: base + 1, counter: 0), deps: [])
            guard case .quarantined(let reason) = try store.receive(grant.bytes) else { Issue.record("not quarantined"); return }
            #expect(reason.contains("needs admin"))
        }
    }

    @Test func wrongNetworkAndBadSignatureAreRejectedAndChangeNothing() throws {
        try setup { store, f, a, _ in
            var rng = SeededRandom(seed: 5)
            let other = try ChangesetFactory(network: [UInt8](repeating: 9, count: 32), rng: &rng)
            let foreign = try other.genesis(name: "otro", grants: [], hlc: HLC(milliseconds: base, counter: 0))
            let before = try store.stateDigest()
            #expect(throws: StoreError.wrongNetwork) { try store.receive(foreign.bytes) }
            var forged = try f.make(by: a, ops: [.set(rec, field: "title", value: .text("x"))], hlc: HLC(milliseconds: base + 1, counter: 0), deps: []).bytes
            forged[forged.count - 1] ^= 1
            #expect(throws: StoreError.invalidChangeset(.badSignature)) { try store.receive(forged) }
            #expect(throws: StoreError.self) { try store.receive(Array(forged.prefix(40))) }
            #expect(try store.stateDigest() == before)
            #expect(try store.changesetCounts().applied == 1)
        }
    }

    @Test func aForkStopsTheFeedBeforeItAndKeepsBothAsEvidence() throws {
        try setup { store, f, a, _ in
            let one = try f.make(by: a, ops: [.set(rec, field: "title", value: .text("uno"))], hlc: HLC(milliseconds: base + 1, counter: 0), deps: [])
            try store.receive(one.bytes)
            // The same author signs a different seq 1.
            let body = ChangesetBody(network: f.network, namespace: f.namespace, author: a.publicKey.bytes, seq: 1, prev: nil, deps: [],
                                     hlc: HLC(milliseconds: base + 2, counter: 0), ops: [.set(rec, field: "title", value: .text("dos"))])
            let twin = try ChangesetEnvelope.sign(body, with: a)
            #expect(try store.receive(twin.bytes) == .quarantined(Store.forkReason(1)))
            // Neither twin counts: the one applied first is taken back, as on a store that saw them the other way round.
            #expect(try store.get(namespace: "grupo", record: rec) == nil)
            let held = try store.quarantined()
            #expect(held.count == 2 && held.allSatisfy { $0.reason.hasPrefix("fork") })
            #expect(try store.verify().ok)
        }
    }
}
