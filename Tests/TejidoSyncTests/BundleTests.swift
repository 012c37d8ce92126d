import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync
import TejidoTestSupport

@Suite struct BundleTests {
    /// A store with two namespaces and a writer granted in one; its bundle; an empty store of the same network.
    func setup(_ body: (Store, Store, String, URL) throws -> Void) throws {
        try withTemporaryDirectory { dir in
            let a = try Store.create(at: dir.appendingPathComponent("a"))
            _ = try a.createNamespace(name: "chiapas")
            _ = try a.createNamespace(name: "shared")
            let writer = try Ed25519PrivateKey()
            _ = try a.grant(namespace: "shared", key: writer.publicKey, role: .writer)
            for i in 0..<25 {
                _ = try a.increment(namespace: "chiapas", record: RecordKey(collection: "c", id: "r\(i % 4)"), field: "n", by: 1)
                _ = try a.put(namespace: "shared", record: RecordKey(collection: "s", id: "s\(i)"), fields: [("v", .text("valor \(i)"))])
            }
            let path = dir.appendingPathComponent("out.tjb").path
            let b = try Store.create(at: dir.appendingPathComponent("b"), network: a.networkID)
            try body(a, b, path, dir)
        }
    }

    func write(_ a: Store, _ path: String, theirHeads: [[UInt8]: [FeedHead]] = [:]) throws -> BundleWriter.Result {
        try BundleWriter.write(store: a, to: path, namespaces: try a.heldNamespaces(), theirHeads: theirHeads, forKey: nil)
    }

    @Test func aBundleCarriesEverythingAndApplyingTwiceChangesNothing() throws {
        try setup { a, b, path, _ in
            let written = try write(a, path)
            #expect(try written.count == a.changesetCounts().applied)
            let first = try BundleApplier.apply(path: path, to: b)
            #expect(first.complete && first.damage == nil)
            #expect(first.outcome.applied == written.count)
            #expect(try b.stateDigest() == a.stateDigest())
            let digest = try b.stateDigest()
            let second = try BundleApplier.apply(path: path, to: b)
            #expect(second.outcome.duplicates == written.count && second.outcome.applied == 0)
            #expect(try b.stateDigest() == digest)
            let inspection = try BundleApplier.inspect(path: path)
            #expect(inspection.complete && inspection.invalid == 0 && inspection.unaccounted == 0)
            #expect(inspection.changesets == written.count)
        }
    }

    @Test func aCutBundleAppliesEveryCompleteChangesetBeforeTheCut() throws {
        try setup { a, _, path, dir in
            _ = try write(a, path)
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            // Frame boundaries: where each changeset frame ends.
            var ends: [Int] = []
            var pos = 8
            while pos + 4 <= bytes.count {
                let len = bytes[pos..<pos + 4].reduce(0) { $0 << 8 | Int($1) }
                pos += 4 + len
                ends.append(pos)
            }
            let changesetEnds = Array(ends.dropFirst().dropLast())  // after the header, before the trailer
            // Cut points: inside the magic, inside the header, around and inside changeset frames, inside the trailer.
            var cuts = [0, 3, 8, 20, ends[0]]
            for e in changesetEnds.enumerated().filter({ $0.offset % 7 == 0 }).map(\.element) { cuts += [e - 1, e, e + 3] }
            cuts.append(bytes.count - 1)
            for (i, cut) in cuts.enumerated() {
                let file = dir.appendingPathComponent("cut\(i).tjb").path
                try Data(bytes.prefix(cut)).write(to: URL(fileURLWithPath: file))
                let store = try Store.create(at: dir.appendingPathComponent("store\(i)"), network: a.networkID)
                let complete = changesetEnds.filter { $0 <= cut }.count
                do {
                    let result = try BundleApplier.apply(path: file, to: store)
                    #expect(!result.complete)
                    #expect(result.damage != nil, "a bundle cut at \(cut) must report damage")
                    // Named for what it is: a file that ends between frames, or inside one.
                    let boundary = cut == 8 || ends.contains(cut)
                    #expect(result.damage?.kind == (boundary ? .truncated : .frame(.streamEndedInFrame)), "cut at \(cut): \(String(describing: result.damage))")
                    #expect(result.outcome.count == complete, "cut at \(cut): \(result.outcome.count) read, \(complete) complete")
                    #expect(try store.changesetCounts().applied + store.changesetCounts().pending == complete)
                    #expect(try store.verify().ok)
                } catch BundleApplier.Failure.notABundle {
                    #expect(cut < 8, "only a file cut inside its magic is not a bundle at all")
                }
            }
        }
    }

    @Test func aDamagedByteStopsThereAndKeepsWhatCameBefore() throws {
        try setup { a, b, path, _ in
            let written = try write(a, path)
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            // Flip one byte in the middle of the file: inside some envelope.
            let spot = bytes.count / 2
            bytes[spot] ^= 0x55
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let result = try BundleApplier.apply(path: path, to: b)
            let damage = try #require(result.damage)
            #expect(damage.offset <= spot)
            #expect(result.outcome.count > 0 && result.outcome.count < written.count)
            #expect(try b.verify().ok)
            let inspection = try BundleApplier.inspect(path: path)
            #expect(!inspection.complete || inspection.invalid > 0)
        }
    }

    @Test func forAPeerLeavesOutWhatItHoldsButKeepsTheGrants() throws {
        try setup { a, b, path, dir in
            _ = try write(a, path)
            _ = try BundleApplier.apply(path: path, to: b)
            // b's receipt, carried back to a.
            let receipt = dir.appendingPathComponent("r.tjr").path
            try BundleWriter.writeReceipt(store: b, to: receipt, namespaces: try a.heldNamespaces(),
                                          recipient: a.nodeKey.publicKey.bytes)
            let recorded = try BundleApplier.apply(path: receipt, to: a)
            #expect(recorded.receipt?.holder == b.nodeKey.publicKey.bytes)
            _ = try a.put(namespace: "shared", record: RecordKey(collection: "s", id: "nuevo"), fields: [("v", .int(1))])
            var theirs: [[UInt8]: [FeedHead]] = [:]
            for (ns, feeds) in try a.knownHeads(peer: b.nodeKey.publicKey.bytes) {
                theirs[ns] = feeds.map { FeedHead(author: $0.key, seq: $0.value, head: []) }
            }
            let small = try write(a, path, theirHeads: theirs)
            // The new changeset, plus the three changesets holding grants in force: both namespaces'
            // geneses (admin to this node) and the writer's grant.
            #expect(small.count == 4)
            let inspection = try BundleApplier.inspect(path: path)
            #expect(inspection.unaccounted == 0)
            let applied = try BundleApplier.apply(path: path, to: b)
            #expect(applied.outcome.applied == 1 && applied.outcome.duplicates == 3)
            #expect(try b.stateDigest() == a.stateDigest())
        }
    }

    @Test func aChangesetWhoseAuthorKeyIsNotAValidPointIsNeverApplied() throws {
        try setup { a, b, path, _ in
            // A namespace whose root and author is the all-zero key (small order: it "verifies"
            // signatures no one made), with an all-zero signature, carried in a well-formed bundle.
            let zero = [UInt8](repeating: 0, count: 32)
            let body = ChangesetBody(network: a.networkID, namespace: zero, author: zero, seq: 1, prev: nil, deps: [],
                                     hlc: HLC(milliseconds: 1_764_000_000_000, counter: 0), ops: [.name("falso")])
            var w = CBORWriter()
            w.arrayHeader(2); w.byteString(body.encoded()); w.byteString([UInt8](repeating: 0, count: 64))
            let header = BundleFormat.Header(network: a.networkID, creator: a.nodeKey.publicKey.bytes, created: 1, count: 1,
                                             namespaces: [zero], forKey: nil)
            var bytes = BundleFormat.magic + FrameWriter.frame(header.encoded())
            bytes += FrameWriter.frame(SyncMessage.changesets([w.bytes], remaining: 0).encoded())
            bytes += FrameWriter.frame(BundleFormat.trailer(count: 1, digest: SHA256.hash(bytes)))
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let result = try BundleApplier.apply(path: path, to: b)
            #expect(result.outcome.count == 0)
            #expect(result.damage != nil)
            #expect(try b.changesetCounts().applied == 0)
            #expect(try b.verify().ok)
            #expect(try BundleApplier.inspect(path: path).invalid == 1)
        }
    }

    /// The header's count is informational: a count no store could hold (the largest uint) is
    /// no reason to stop, let alone to crash, and the changesets apply as they would otherwise.
    @Test func aHeaderCountPastAnyIntegerIsOnlyInformation() throws {
        try setup { a, b, path, _ in
            var envelopes: [[UInt8]] = []
            try a.forEachEnvelope { envelopes.append($0) }
            let header = BundleFormat.Header(network: a.networkID, creator: a.nodeKey.publicKey.bytes, created: 1, count: .max,
                                             namespaces: try a.heldNamespaces(), forKey: nil)
            var bytes = BundleFormat.magic + FrameWriter.frame(header.encoded())
            for e in envelopes { bytes += FrameWriter.frame(SyncMessage.changesets([e], remaining: 0).encoded()) }
            bytes += FrameWriter.frame(BundleFormat.trailer(count: UInt64(envelopes.count), digest: SHA256.hash(bytes)))
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            var last = SyncStats()
            let result = try BundleApplier.apply(path: path, to: b) { last = $0 }
            #expect(result.complete && result.damage == nil)
            #expect(result.outcome.applied == envelopes.count)
            #expect(last.peerRemaining == Int.max - envelopes.count)
            #expect(try b.stateDigest() == a.stateDigest())
            let inspection = try BundleApplier.inspect(path: path)
            #expect(inspection.complete && inspection.changesets == envelopes.count)
        }
    }

    /// A second header in the middle of a bundle (with a trailer recomputed to match) is damage
    /// for `inspect` as for `apply`: both stop there and neither calls the file complete.
    @Test func aSecondHeaderIsDamageForInspectAsForApply() throws {
        try setup { a, b, path, _ in
            var envelopes: [[UInt8]] = []
            try a.forEachEnvelope { envelopes.append($0) }
            let header = BundleFormat.Header(network: a.networkID, creator: a.nodeKey.publicKey.bytes, created: 1, count: UInt64(envelopes.count),
                                             namespaces: try a.heldNamespaces(), forKey: nil)
            var bytes = BundleFormat.magic + FrameWriter.frame(header.encoded())
            for (i, e) in envelopes.enumerated() {
                if i == 3 { bytes += FrameWriter.frame(header.encoded()) }
                bytes += FrameWriter.frame(SyncMessage.changesets([e], remaining: 0).encoded())
            }
            bytes += FrameWriter.frame(BundleFormat.trailer(count: UInt64(envelopes.count), digest: SHA256.hash(bytes)))
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let inspection = try BundleApplier.inspect(path: path)
            #expect(inspection.damage?.kind == .secondHeader && inspection.damage?.detail == "a second header")
            #expect(!inspection.complete && inspection.changesets == 3)
            let result = try BundleApplier.apply(path: path, to: b)
            #expect(result.damage?.kind == .secondHeader && !result.complete)
            #expect(result.outcome.applied == 3)
        }
    }

    /// Anything after a valid trailer, a stray byte or a frame's worth, is named "bytes after the
    /// trailer", where it starts.
    @Test(arguments: [[UInt8]([0x00]), [0xFF, 0xFF, 0xFF, 0xFF], [0, 0, 0, 1, 0xF6]])
    func bytesAfterTheTrailerAreNamedSo(extra: [UInt8]) throws {
        try setup { a, _, path, _ in
            _ = try write(a, path)
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            handle.seekToEndOfFile()
            handle.write(Data(extra))
            try handle.close()
            let inspection = try BundleApplier.inspect(path: path)
            #expect(inspection.damage?.kind == .bytesAfterTrailer && inspection.damage?.detail == "bytes after the trailer")
            #expect(inspection.damage?.offset == size)
        }
    }

    /// A receipt with bytes after its trailer is damaged: it is not recorded, and not reported
    /// complete.
    @Test func aReceiptWithBytesAfterItsTrailerIsNotRecorded() throws {
        try setup { a, b, path, dir in
            _ = try write(a, path)
            _ = try BundleApplier.apply(path: path, to: b)
            let receipt = dir.appendingPathComponent("r.tjr")
            try BundleWriter.writeReceipt(store: b, to: receipt.path, namespaces: try a.heldNamespaces(), recipient: a.nodeKey.publicKey.bytes)
            let handle = try FileHandle(forWritingTo: receipt)
            handle.seekToEndOfFile()
            handle.write(Data([0, 0, 0, 1, 0xF6]))
            try handle.close()
            let result = try BundleApplier.apply(path: receipt.path, to: a)
            #expect(result.damage != nil)
            #expect(!result.complete)
            #expect(try a.knownHeads(peer: b.nodeKey.publicKey.bytes).isEmpty)
        }
    }

    /// `inspect` traces authors back to the root through admin grants, however the file orders
    /// them: here a chain of 300 admins, written last link first, and one author nobody granted.
    /// (What it checks is the answer; the walk that replaced repeated passes is about time, which
    /// a test here would only measure with noise.)
    @Test func inspectTracesAChainOfAdminsWrittenInReverse() throws {
        var rng = SeededRandom(seed: 21)
        let f = try ChangesetFactory(network: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }, rng: &rng)
        let keys = try (0..<300).map { _ in try f.addAuthor(rng: &rng) }
        let stranger = try f.addAuthor(rng: &rng)
        var hlc: UInt64 = 1_764_000_000_000
        func next() -> HLC { hlc += 1; return HLC(milliseconds: hlc, counter: 0) }
        var chain = [try f.genesis(name: "cadena", grants: [(keys[0].publicKey, .admin)], hlc: next())]
        for i in 1..<keys.count {
            chain.append(try f.make(by: keys[i - 1], ops: [.grant(key: keys[i].publicKey.bytes, role: .admin)], hlc: next(), deps: []))
        }
        let rec = RecordKey(collection: "c", id: "1")
        chain.append(try f.make(by: keys[keys.count - 1], ops: [.set(rec, field: "v", value: .int(1))], hlc: next(), deps: []))
        let outsider = try f.make(by: stranger, ops: [.set(rec, field: "v", value: .int(2))], hlc: next(), deps: [])
        try withTemporaryDirectory { dir in
            let header = BundleFormat.Header(network: f.network, creator: f.root.publicKey.bytes, created: 1, count: UInt64(chain.count + 1),
                                             namespaces: [f.namespace], forKey: nil)
            var bytes = BundleFormat.magic + FrameWriter.frame(header.encoded())
            for env in chain.reversed() + [outsider] { bytes += FrameWriter.frame(SyncMessage.changesets([env.bytes], remaining: 0).encoded()) }
            bytes += FrameWriter.frame(BundleFormat.trailer(count: UInt64(chain.count + 1), digest: SHA256.hash(bytes)))
            let path = dir.appendingPathComponent("cadena.tjb").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let inspection = try BundleApplier.inspect(path: path)
            #expect(inspection.complete && inspection.invalid == 0)
            #expect(inspection.changesets == chain.count + 1)
            #expect(inspection.unaccounted == 1)
        }
    }

    @Test func aBundleOfAnotherNetworkIsRefusedWhole() throws {
        try setup { a, _, path, dir in
            _ = try write(a, path)
            let other = try Store.create(at: dir.appendingPathComponent("other"))
            #expect(throws: BundleApplier.Failure.self) { _ = try BundleApplier.apply(path: path, to: other) }
            #expect(try other.changesetCounts().applied == 0)
        }
    }

    @Test func anOldBundleAppliedAfterARevocationBringsNothingPastTheCutoff() throws {
        try withTemporaryDirectory { dir in
            let a = try Store.create(at: dir.appendingPathComponent("a"))
            _ = try a.createNamespace(name: "shared")
            let b = try Store.create(at: dir.appendingPathComponent("b"), network: a.networkID)
            _ = try a.grant(namespace: "shared", key: b.nodeKey.publicKey, role: .writer)
            let first = dir.appendingPathComponent("1.tjb").path
            _ = try BundleWriter.write(store: a, to: first, namespaces: try a.heldNamespaces(), theirHeads: [:], forKey: nil)
            _ = try BundleApplier.apply(path: first, to: b)
            let rec = RecordKey(collection: "s", id: "r")
            for i in 1...3 { _ = try b.put(namespace: "shared", record: rec, fields: [("v", .int(Int64(i)))]) }
            // The old bundle: b's three writes, made before anyone revoked b.
            let old = dir.appendingPathComponent("old.tjb").path
            _ = try BundleWriter.write(store: b, to: old, namespaces: try b.heldNamespaces(), theirHeads: [:], forKey: nil)
            // b's laptop is lost after its first write.
            _ = try a.revoke(namespace: "shared", key: b.nodeKey.publicKey, after: 1)
            let fresh = dir.appendingPathComponent("fresh.tjb").path
            _ = try BundleWriter.write(store: a, to: fresh, namespaces: try a.heldNamespaces(), theirHeads: [:], forKey: nil)
            let c = try Store.create(at: dir.appendingPathComponent("c"), network: a.networkID)
            _ = try BundleApplier.apply(path: fresh, to: c)
            let replayed = try BundleApplier.apply(path: old, to: c)
            #expect(replayed.complete && replayed.outcome.applied == 1 && replayed.outcome.quarantined == 2)
            #expect(try c.get(namespace: "shared", record: rec)?.fields["v"] == .value(.int(1)))
            // The revoking store, given the same old bundle, ends the same.
            _ = try BundleApplier.apply(path: old, to: a)
            #expect(try a.stateDigest() == c.stateDigest())
            #expect(try c.verify().ok && a.verify().ok)
        }
    }
}
