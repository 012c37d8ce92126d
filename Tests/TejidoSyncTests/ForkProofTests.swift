import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync
import TejidoTestSupport

/// A store that has seen a fork passes the proof on: a peer that applied one of the twins takes
/// it back and stops the feed there too, over a sync session and through a bundle.
@Suite struct ForkProofTests {
    let base: UInt64 = 1_764_000_000_000
    let rec = RecordKey(collection: "c", id: "1")

    /// A namespace where a writer wrote seq 1 and 2, and then signed two different seq 3.
    struct Fork {
        let f: ChangesetFactory
        let honest: [ChangesetEnvelope]
        let twin: ChangesetEnvelope
    }

    func fork() throws -> Fork {
        var rng = SeededRandom(seed: 31)
        let network = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let f = try ChangesetFactory(network: network, rng: &rng)
        let writer = try f.addAuthor(rng: &rng)
        try f.genesis(name: "grupo", grants: [(writer.publicKey, .writer)], hlc: HLC(milliseconds: base, counter: 0))
        for i in 1...3 {
            try f.make(by: writer, ops: [.set(rec, field: "v", value: .int(Int64(i)))], hlc: HLC(milliseconds: base + UInt64(i), counter: 0), deps: [])
        }
        let third = f.made.last!
        let body = ChangesetBody(network: network, namespace: f.namespace, author: writer.publicKey.bytes, seq: 3, prev: third.body.prev,
                                 deps: [], hlc: HLC(milliseconds: base + 9, counter: 0), ops: [.set(rec, field: "v", value: .int(99))])
        return Fork(f: f, honest: f.made, twin: try ChangesetEnvelope.sign(body, with: writer))
    }

    func v(_ store: Store) throws -> RecordState.FieldValue? { try store.get(namespace: "grupo", record: rec)?.fields["v"] }

    @Test func aSyncSessionCarriesTheProof() throws {
        let k = try fork()
        try withTemporaryDirectory { dir in
            let a = try Store.create(at: dir.appendingPathComponent("a"), network: k.f.network)
            for env in k.honest + [k.twin] { _ = try a.receive(env.bytes) }
            #expect(try v(a) == .value(.int(2)))
            let bDir = dir.appendingPathComponent("b")
            do {
                let b = try Store.create(at: bDir, network: k.f.network)
                for env in k.honest { _ = try b.receive(env.bytes) }
                #expect(try v(b) == .value(.int(3)))
            }
            let outcome = SyncHarness.sync(a, with: bDir)
            #expect(outcome.client.error == nil && outcome.server.error == nil)
            let b = try Store.open(at: bDir)
            #expect(try v(b) == .value(.int(2)))
            #expect(try b.quarantined().filter { $0.reason.hasPrefix("fork") }.count == 2)
            #expect(try b.stateDigest() == a.stateDigest())
            #expect(try b.verify().ok)
        }
    }

    @Test func aBundleCarriesTheProof() throws {
        let k = try fork()
        try withTemporaryDirectory { dir in
            let a = try Store.create(at: dir.appendingPathComponent("a"), network: k.f.network)
            for env in k.honest + [k.twin] { _ = try a.receive(env.bytes) }
            let path = dir.appendingPathComponent("out.tjb").path
            _ = try BundleWriter.write(store: a, to: path, namespaces: try a.heldNamespaces(), theirHeads: [:], forKey: nil)
            let c = try Store.create(at: dir.appendingPathComponent("c"), network: k.f.network)
            for env in k.honest { _ = try c.receive(env.bytes) }
            #expect(try v(c) == .value(.int(3)))
            let applied = try BundleApplier.apply(path: path, to: c)
            #expect(applied.complete && applied.damage == nil)
            #expect(try v(c) == .value(.int(2)))
            #expect(try c.quarantined().filter { $0.reason.hasPrefix("fork") }.count == 2)
            #expect(try c.stateDigest() == a.stateDigest())
        }
    }
}
