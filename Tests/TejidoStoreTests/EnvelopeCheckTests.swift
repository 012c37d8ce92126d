import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoTestSupport

/// Batches from a peer or a bundle: envelopes are parsed and their signatures checked on worker
/// threads while the store merges. A bad envelope anywhere rolls a peer's batch back whole; a
/// bundle's batch keeps what came before it and says where it stopped.
@Suite struct EnvelopeCheckTests {
    /// A namespace's genesis and three changesets of its writer, as envelope bytes.
    func batch(network: [UInt8]) throws -> [[UInt8]] {
        var rng = SeededRandom(seed: 21)
        let f = try ChangesetFactory(network: network, rng: &rng)
        let writer = try f.addAuthor(rng: &rng)
        let base: UInt64 = 1_764_000_000_000
        var out = [try f.genesis(name: "grupo", grants: [(writer.publicKey, .writer)], hlc: HLC(milliseconds: base, counter: 0)).bytes]
        for i in 1...3 {
            let rec = RecordKey(collection: "c", id: "r\(i)")
            out.append(try f.make(by: writer, ops: [.set(rec, field: "v", value: .int(Int64(i)))],
                                  hlc: HLC(milliseconds: base + UInt64(i), counter: 0), deps: []).bytes)
        }
        return out
    }

    /// The same envelope with one bit of its signature (its last bytes) flipped: still well formed.
    func badlySigned(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        b[b.count - 1] ^= 0x01
        return b
    }

    @Test func aBadlySignedEnvelopeRollsAPeersBatchBackAndIsNamed() throws {
        try withTemporaryStore { store in
            var envelopes = try batch(network: store.networkID)
            envelopes[2] = badlySigned(envelopes[2])
            let before = try store.stateDigest()
            let error = #expect(throws: StoreError.self) { try store.receive(envelopes: envelopes) }
            guard case .invalidChangeset(let detail)? = error else { Issue.record("\(String(describing: error))"); return }
            #expect(detail.description.hasPrefix("changeset 3 of the batch: signature does not verify"), "\(detail)")
            #expect(try store.stateDigest() == before)
            #expect(try store.changesetCounts().applied == 0)
        }
    }

    @Test func aMalformedEnvelopeRollsAPeersBatchBackAndIsNamed() throws {
        try withTemporaryStore { store in
            var envelopes = try batch(network: store.networkID)
            envelopes[1] = Array(envelopes[1].dropLast(5))
            let error = #expect(throws: StoreError.self) { try store.receive(envelopes: envelopes) }
            guard case .invalidChangeset(let detail)? = error else { Issue.record("\(String(describing: error))"); return }
            #expect(detail.description.hasPrefix("changeset 2 of the batch:"), "\(detail)")
            #expect(try store.changesetCounts().applied == 0)
        }
    }

    @Test func aGoodBatchIsAppliedWhole() throws {
        try withTemporaryStore { store in
            let outcome = try store.receive(envelopes: try batch(network: store.networkID))
            #expect(outcome.applied == 4)
            #expect(try store.get(namespace: "grupo", record: RecordKey(collection: "c", id: "r3"))?.fields["v"] == .value(.int(3)))
        }
    }

    @Test func aBundlesBatchKeepsWhatCameBeforeTheBadEnvelope() throws {
        try withTemporaryStore { store in
            var envelopes = try batch(network: store.networkID)
            envelopes[2] = badlySigned(envelopes[2])
            let (outcome, failure) = try store.receivePrefix(envelopes: envelopes)
            #expect(outcome.applied == 2)
            #expect(failure?.index == 2 && failure?.reason.description.hasPrefix("signature does not verify") == true, "\(String(describing: failure))")
            #expect(try store.verify().ok)
        }
    }

    @Test func aBundlesBatchWhoseFirstEnvelopeIsBadAppliesNothing() throws {
        try withTemporaryStore { store in
            var envelopes = try batch(network: store.networkID)
            envelopes[0] = [0xFF, 0x00]
            let before = try store.stateDigest()
            let (outcome, failure) = try store.receivePrefix(envelopes: envelopes)
            #expect(outcome.applied == 0 && failure?.index == 0)
            #expect(try store.stateDigest() == before)
            // Another network's changeset stops it too.
            let other = try batch(network: [UInt8](repeating: 7, count: 32))
            let (none, stop) = try store.receivePrefix(envelopes: other)
            #expect(none.applied == 0 && stop?.index == 0 && stop?.reason == .otherNetwork)
        }
    }
}
