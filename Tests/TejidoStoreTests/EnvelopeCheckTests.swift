import Foundation
import Logging
import Testing
import TejidoCore
import TejidoCrypto
@testable import TejidoStore
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

    /// The merge does not wait for signatures: a batch is merged to its end and only then, before
    /// COMMIT, held to its signatures. A bad one late in a long batch still rolls back everything,
    /// and leaves no trace in memory either: the clock a forged changeset would have pushed ahead
    /// is back where it was.
    @Test func aBadSignatureAtTheEndOfALongBatchRollsBackTheWholeMerge() throws {
        try withTemporaryStore { store in
            var rng = SeededRandom(seed: 22)
            let f = try ChangesetFactory(network: store.networkID, rng: &rng)
            let writer = try f.addAuthor(rng: &rng)
            let base: UInt64 = 1_764_000_000_000
            var envelopes = [try f.genesis(name: "grupo", grants: [(writer.publicKey, .writer)], hlc: HLC(milliseconds: base, counter: 0)).bytes]
            var prev: ChangesetID?
            for i in 1...300 {
                let rec = RecordKey(collection: "c", id: "r\(i % 40)")
                // The last one is stamped ten years ahead.
                let ms = i == 300 ? base + 10 * 365 * 86_400_000 : base + UInt64(i)
                let env = try f.make(by: writer, ops: [.set(rec, field: "v", value: .int(Int64(i)))],
                                     hlc: HLC(milliseconds: ms, counter: 0), deps: prev.map { [$0] } ?? [])
                prev = env.id
                envelopes.append(env.bytes)
            }
            envelopes[300] = badlySigned(envelopes[300])
            let before = try store.stateDigest()
            let clockBefore = store.clock
            let error = #expect(throws: StoreError.self) { try store.receive(envelopes: envelopes) }
            guard case .invalidChangeset(let detail)? = error else { Issue.record("\(String(describing: error))"); return }
            #expect(detail.description.hasPrefix("changeset 301 of the batch: signature does not verify"), "\(detail)")
            #expect(try store.stateDigest() == before)
            #expect(try store.changesetCounts().applied == 0)
            #expect(store.clock == clockBefore)
            // The same batch, well signed but for the forged one, applies whole.
            let outcome = try store.receive(envelopes: Array(envelopes.prefix(300)))
            #expect(outcome.applied == 300)
            #expect(try store.verify().ok)
        }
    }

    /// A forged copy of a held changeset's place in its feed (same author and seq, another body,
    /// a bad signature) would be a fork, which rebuilds the namespace and says so. It waits for
    /// its verdict first: the batch fails on the signature, with no fork logged or rebuilt.
    @Test func aForgedForkIsRefusedBeforeItRebuildsAnything() throws {
        try withTemporaryStore { store in
            let held = try batch(network: store.networkID)
            _ = try store.receive(envelopes: held)
            var rng = SeededRandom(seed: 21)
            let f = try ChangesetFactory(network: store.networkID, rng: &rng)
            let writer = try f.addAuthor(rng: &rng)
            // Seq 1 of the writer again, with another value: the factory numbers from 1 anew.
            let forged = try f.make(by: writer, ops: [.set(RecordKey(collection: "c", id: "r1"), field: "v", value: .int(99))],
                                    hlc: HLC(milliseconds: 1_764_000_000_009, counter: 0), deps: [])
            let notices = CapturedLog()
            store.logger = Logger(label: "test") { _ in notices }
            let before = try store.stateDigest()
            let error = #expect(throws: StoreError.self) { try store.receive(envelopes: [held[0], badlySigned(forged.bytes)]) }
            guard case .invalidChangeset(let detail)? = error else { Issue.record("\(String(describing: error))"); return }
            #expect(detail.description.hasPrefix("changeset 2 of the batch: signature does not verify"), "\(detail)")
            #expect(!notices.lines.contains { $0.contains("fork") }, "\(notices.lines)")
            #expect(try store.stateDigest() == before)
            // The same envelope well signed is a real fork, and is logged as one.
            _ = try store.receive(envelopes: [forged.bytes])
            #expect(notices.lines.contains { $0.contains("fork") }, "\(notices.lines)")
        }
    }

    /// The error is the earliest envelope's, as if each were checked before its merge: a bad
    /// signature before another network's changeset or a malformed envelope is what is named.
    @Test func theEarliestFaultIsNamedWhateverTheMergeMeetsLater() throws {
        try withTemporaryStore { store in
            var envelopes = try batch(network: store.networkID)
            envelopes[1] = badlySigned(envelopes[1])
            let foreign = try batch(network: [UInt8](repeating: 7, count: 32))
            for late in [foreign[2], Array(envelopes[3].dropLast(5))] {
                var b = envelopes
                b[3] = late
                let error = #expect(throws: StoreError.self) { try store.receive(envelopes: b) }
                guard case .invalidChangeset(let detail)? = error else { Issue.record("\(String(describing: error))"); return }
                #expect(detail.description.hasPrefix("changeset 2 of the batch: signature does not verify"), "\(detail)")
            }
            // Without the bad signature, each later fault is named for itself.
            let good = try batch(network: store.networkID)
            var withForeign = good
            withForeign[3] = foreign[2]
            #expect(throws: StoreError.wrongNetwork) { try store.receive(envelopes: withForeign) }
            var withMalformed = good
            withMalformed[3] = Array(good[3].dropLast(5))
            let error = #expect(throws: StoreError.self) { try store.receive(envelopes: withMalformed) }
            guard case .invalidChangeset(let detail)? = error else { Issue.record("\(String(describing: error))"); return }
            #expect(detail.description.hasPrefix("changeset 4 of the batch:"), "\(detail)")
            #expect(try store.changesetCounts().applied == 0)
        }
    }

    /// Whatever the number of workers (none: the caller checks everything), each envelope gets
    /// its own verdict, in place, and the caller can ask for them in any order.
    @Test(arguments: [0, 1, 3])
    func everyEnvelopeGetsItsVerdictWhoeverChecksIt(workers: Int) throws {
        let network = [UInt8](repeating: 3, count: 32)
        var envelopes = try batch(network: network)
        envelopes[1] = badlySigned(envelopes[1])
        envelopes[2] = Array(envelopes[2].dropLast(5))
        let check = EnvelopeCheck(envelopes, workers: workers)
        defer { check.finish() }
        for i in [3, 0, 2, 1] {
            switch (i, check.result(i)) {
            case (0, .parsed(_, signed: true)), (3, .parsed(_, signed: true)), (1, .parsed(_, signed: false)), (2, .malformed):
                continue
            case (let i, let other):
                Issue.record("envelope \(i): \(other)")
            }
        }
        for i in envelopes.indices { #expect(check.readyResult(i) != nil) }
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

/// Log lines, kept for a test to read.
final class CapturedLog: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [String] = []
    var lines: [String] { lock.withLock { kept } }
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        lock.withLock { kept.append(event.message.description) }
    }
}
