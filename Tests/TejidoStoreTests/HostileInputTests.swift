import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoTestSupport

/// Changesets crafted to break a store that only checks the obvious: each must be refused or
/// contained, and the store must go on working.
@Suite struct HostileInputTests {
    let base: UInt64 = 1_764_000_000_000
    let rec = RecordKey(collection: "events", id: "e1")

    func setup(_ body: (Store, ChangesetFactory, Ed25519PrivateKey, Ed25519PrivateKey) throws -> Void) throws {
        var rng = SeededRandom(seed: 21)
        let network = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let f = try ChangesetFactory(network: network, rng: &rng)
        let a = try f.addAuthor(rng: &rng)
        let b = try f.addAuthor(rng: &rng)
        try f.genesis(name: "grupo", grants: [(a.publicKey, .writer)], hlc: HLC(milliseconds: base, counter: 0))
        try withTemporaryStore(network: network, clock: base + 1000) { store in
            try store.receive(f.made[0].bytes)
            try body(store, f, a, b)
        }
    }

    @Test func aFarFutureChangesetDoesNotPinTheClock() throws {
        try setup { store, f, a, _ in
            let future = try f.make(by: a, ops: [.set(rec, field: "title", value: .text("futuro"))],
                                    hlc: HLC(rawValue: UInt64.max), deps: [])
            #expect(try store.receive(future.bytes) == .applied)
            // The store's own grant to itself would need admin; write through the genesis admin path instead:
            // the node is not a member, so check the clock through a namespace of its own.
            try store.createNamespace(name: "propio")
            let id = try store.put(namespace: "propio", record: rec, fields: [("title", .text("ahora"))])
            let mine = try #require(try store.log().first { $0.id == id })
            #expect(mine.hlc.milliseconds <= base + 1000 + 86_400_000 + 10, "clock dragged to \(mine.hlc)")
            #expect(try store.verify().ok)
        }
    }

    @Test func aRemoveOfOneElementNamingAnAddOfAnotherRemovesNothing() throws {
        try setup { store, f, a, _ in
            let add = try f.make(by: a, ops: [.setAdd(rec, field: "tags", element: .text("y"))], hlc: HLC(milliseconds: base + 1, counter: 0), deps: [])
            let remove = try f.make(by: a, ops: [.setRemove(rec, field: "tags", element: .text("x"), observed: [OpRef(changeset: add.id, index: 0)])],
                                    hlc: HLC(milliseconds: base + 2, counter: 0), deps: [])
            try store.receive(add.bytes)
            try store.receive(remove.bytes)
            #expect(try store.get(namespace: "grupo", record: rec)?.fields["tags"] == .set([.text("y")]))
        }
    }

    @Test func aChangesetUnblockedTwiceIsAppliedOnce() throws {
        try setup { store, f, a, b in
            // B writes before anyone granted it; A tries to grant B, and a root grant stamped before A's
            // (so A is admin at its turn in the canonical order) arrives last.
            let bData = try f.make(by: b, ops: [.set(rec, field: "title", value: .text("de B"))], hlc: HLC(milliseconds: base + 1, counter: 0), deps: [])
            let bNext = try f.make(by: b, ops: [.set(rec, field: "status", value: .text("ok"))], hlc: HLC(milliseconds: base + 2, counter: 0), deps: [])
            let aGrant = try f.make(by: a, ops: [.grant(key: b.publicKey.bytes, role: .writer)], hlc: HLC(milliseconds: base + 3, counter: 0), deps: [])
            let rootGrant = try f.make(by: f.root, ops: [.grant(key: a.publicKey.bytes, role: .admin)], hlc: HLC(milliseconds: base, counter: 1), deps: [])
            for env in [bData, bNext, aGrant] { _ = try store.receive(env.bytes) }
            #expect(try store.changesetCounts().applied == 1)
            #expect(try store.receive(rootGrant.bytes) == .applied)
            let counts = try store.changesetCounts()
            #expect(counts.applied == 5 && counts.pending == 0 && counts.quarantined == 0, "\(counts)")
            let report = try store.verify()
            #expect(report.ok, "\(report.problems)")
        }
    }

    @Test func decoderRefusesValuesNoStoreCouldHold() throws {
        var rng = SeededRandom(seed: 8)
        let key = try Ed25519PrivateKey(seed: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
        func envelope(seq: UInt64, ops: [Op]) throws -> [UInt8] {
            var w = CBORWriter()
            // Build by hand: ChangesetBody would encode these faithfully.
            let body = ChangesetBody(network: [UInt8](repeating: 1, count: 32), namespace: key.publicKey.bytes, author: key.publicKey.bytes,
                                     seq: seq, prev: seq > 1 ? ChangesetID(bytes: [UInt8](repeating: 2, count: 32)) : nil, deps: [],
                                     hlc: HLC(rawValue: 5), ops: ops)
            w.raw(try ChangesetEnvelope.sign(body, with: key).bytes)
            return w.bytes
        }
        #expect(throws: FormatError.badValue("seq")) { try ChangesetEnvelope(bytes: envelope(seq: UInt64(Int64.max) + 1, ops: [.name("x")])) }
        #expect(throws: Never.self) { try ChangesetEnvelope(bytes: envelope(seq: UInt64(Int64.max), ops: [.name("x")])) }
        let huge = OpRef(changeset: ChangesetID(bytes: [UInt8](repeating: 3, count: 32))!, index: UInt64.max)
        #expect(throws: FormatError.badValue("observed op index")) {
            try ChangesetEnvelope(bytes: envelope(seq: 1, ops: [.setRemove(rec, field: "tags", element: .null, observed: [huge])]))
        }
    }

    @Test func aDepThatWasQuarantinedThenWaitsDoesNotSplitStores() throws {
        // W1's prev W0 never arrives; Y names W1 as a dep; the grant of W arrives first or last.
        var rng = SeededRandom(seed: 77)
        let network = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let f = try ChangesetFactory(network: network, rng: &rng)
        let y = try f.addAuthor(rng: &rng)
        let w = try f.addAuthor(rng: &rng)
        try f.genesis(name: "grupo", grants: [(y.publicKey, .writer)], hlc: HLC(milliseconds: base, counter: 0))
        let w0 = try f.make(by: w, ops: [.set(rec, field: "w", value: .int(0))], hlc: HLC(milliseconds: base + 1, counter: 0), deps: [])
        let w1 = try f.make(by: w, ops: [.set(rec, field: "w", value: .int(1))], hlc: HLC(milliseconds: base + 2, counter: 0), deps: [])
        let yw = try f.make(by: y, ops: [.set(rec, field: "y", value: .int(1))], hlc: HLC(milliseconds: base + 3, counter: 0), deps: [w1.id])
        let grant = try f.make(by: f.root, ops: [.grant(key: w.publicKey.bytes, role: .writer)], hlc: HLC(milliseconds: base + 4, counter: 0), deps: [])
        let all = f.made.filter { $0.id != w0.id }
        var results: [([UInt8], Int)] = []
        for order in [[all[0], w1, yw, grant], [all[0], grant, w1, yw], [yw, grant, w1, all[0]]] {
            try withTemporaryStore(network: network, clock: base + 1000) { store in
                for env in order { _ = try store.receive(env.bytes) }
                #expect(try store.verify().ok)
                results.append((try store.stateDigest(), try store.changesetCounts().applied))
            }
        }
        #expect(Set(results.map { Hex.encode($0.0) }).count == 1 && Set(results.map(\.1)).count == 1, "\(results.map(\.1))")
    }

    @Test func aLongChainOfRejectedGrantsDoesNotExhaustTheStack() throws {
        try setup { store, f, _, _ in
            // 3,000 keys with no role, each granting the next, each naming the previous one as a dep,
            // delivered last to first.
            var rng = SeededRandom(seed: 5)
            var made: [ChangesetEnvelope] = []
            var prev: ChangesetID?
            for i in 0..<3_000 {
                let k = try f.addAuthor(rng: &rng)
                let env = try ChangesetEnvelope.sign(
                    ChangesetBody(network: f.network, namespace: f.namespace, author: k.publicKey.bytes, seq: 1, prev: nil,
                                  deps: prev.map { [$0] } ?? [], hlc: HLC(milliseconds: base + UInt64(i) + 1, counter: 0),
                                  ops: [.grant(key: k.publicKey.bytes, role: .admin)]), with: k)
                made.append(env)
                prev = env.id
            }
            _ = try store.receive(batch: made.reversed().map(\.bytes))
            #expect(try store.changesetCounts().quarantined == 3_000)
        }
    }
}
