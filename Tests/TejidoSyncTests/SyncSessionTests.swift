import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync
import TejidoTestSupport

@Suite struct SyncSessionTests {
    let rec = RecordKey(collection: "events", id: "e1")

    /// Two stores of one network: `a` with a namespace of its own and a shared one where `b` writes too.
    func twoStores(_ body: (Store, Store, URL) throws -> Void) throws {
        try withTemporaryDirectory { dir in
            let a = try Store.create(at: dir.appendingPathComponent("a"))
            let bDir = dir.appendingPathComponent("b")
            let b = try Store.create(at: bDir, network: a.networkID)
            try body(a, b, bDir)
        }
    }

    /// A session the peer ends with an error has not finished: it must not count as a completed
    /// sync (`last_sync`), however it stood.
    @Test func aSessionEndedByThePeersErrorIsNotFinished() throws {
        try twoStores { a, _, _ in
            let session = SyncSession(role: .client, replica: StoreReplica(store: a))
            _ = try session.start()
            #expect(throws: SyncError.self) { _ = try session.handle(.error(code: SyncError.Code.timeout.rawValue, text: "bye")) }
            #expect(!session.isFinished)
        }
    }

    @Test func anEmptyStorePullsEverything() throws {
        try twoStores { a, b, _ in
            _ = try a.createNamespace(name: "chiapas")
            for i in 0..<30 { _ = try a.put(namespace: "chiapas", record: RecordKey(collection: "events", id: "e\(i)"), fields: [("n", .int(Int64(i)))]) }
            // b syncs with a: b is the client, a the server (opened again on the server's thread).
            let out = SyncHarness.sync(b, with: a.directory)
            #expect(out.client.error == nil)
            #expect(out.server.error == nil)
            #expect(out.client.stats?.received == 31)
            #expect(try b.stateDigest() == a.stateDigest())
            #expect(try b.namespaceDigests() == a.namespaceDigests())
            // The namespace name came with its signed op.
            #expect(try b.namespaces().map(\.name) == ["chiapas"])
        }
    }

    @Test func bothDirectionsInOneSessionAndSharedRecords() throws {
        try twoStores { a, b, bDir in
            _ = try a.createNamespace(name: "shared")
            _ = try a.grant(namespace: "shared", key: b.nodeKey.publicKey, role: .writer)
            _ = try b.createNamespace(name: "oaxaca")
            // First sync brings the shared namespace to b.
            #expect(SyncHarness.sync(a, with: bDir).client.error == nil)
            _ = try a.put(namespace: "shared", record: rec, fields: [("title", .text("from a"))])
            _ = try b.put(namespace: "shared", record: rec, fields: [("place", .text("from b"))])
            _ = try b.put(namespace: "oaxaca", record: rec, fields: [("x", .int(1))])
            let out = SyncHarness.sync(a, with: bDir)
            #expect(out.client.error == nil)
            #expect(out.client.stats?.sent == 1)
            #expect(out.client.stats?.received == 2)
            #expect(try a.stateDigest() == b.stateDigest())
            let fields = try a.get(namespace: "shared", record: rec)?.fields
            #expect(fields?["title"] == .value(.text("from a")))
            #expect(fields?["place"] == .value(.text("from b")))
        }
    }

    @Test func storesInSyncSpendTwoRoundTripsAndFewBytes() throws {
        try twoStores { a, b, bDir in
            for name in ["uno", "dos", "tres"] {
                _ = try a.createNamespace(name: name)
                for i in 0..<5 { _ = try a.put(namespace: name, record: RecordKey(collection: "c", id: "r\(i)"), fields: [("v", .int(1))]) }
            }
            #expect(SyncHarness.sync(a, with: bDir).client.error == nil)
            let again = SyncHarness.sync(a, with: bDir)
            let stats = try #require(again.client.stats)
            // hello + digests, then done: three frames each way, two round trips.
            #expect(stats.roundTrips == 2)
            #expect(stats.framesOut == 3 && stats.framesIn == 3)
            #expect(stats.wireBytesOut < 2048)
            #expect(stats.wireBytesIn < 2048)
            #expect(stats.sent == 0 && stats.received == 0)
        }
    }

    @Test func pullOnlyAndPushOnlyCarryOneDirection() throws {
        try twoStores { a, b, bDir in
            _ = try a.createNamespace(name: "a-ns")
            _ = try b.createNamespace(name: "b-ns")
            let pull = SyncHarness.sync(a, with: bDir, client: .init(sends: false, receives: true))
            #expect(pull.client.stats?.sent == 0)
            #expect(pull.client.stats?.received == 1)
            #expect(try b.namespaces().map(\.name) == ["b-ns"])
            let push = SyncHarness.sync(a, with: bDir, client: .init(sends: true, receives: false))
            #expect(push.client.stats?.sent == 1)
            #expect(try Set(b.namespaces().compactMap(\.name)) == ["a-ns", "b-ns"])
        }
    }

    @Test func aServerThatTakesNothingRefusesPushesQuietly() throws {
        try twoStores { a, b, bDir in
            _ = try a.createNamespace(name: "a-ns")
            let out = SyncHarness.sync(a, with: bDir, server: .init(sends: true, receives: false))
            #expect(out.client.error == nil)
            #expect(out.client.stats?.sent == 0)
            #expect(try b.namespaces().isEmpty)
        }
    }

    @Test func aShareListLimitsWhatIsOfferedAndHidesTheRest() throws {
        try twoStores { a, b, bDir in
            _ = try b.createNamespace(name: "publico")
            _ = try b.createNamespace(name: "privado")
            _ = try b.put(namespace: "privado", record: rec, fields: [("secreto", .text("sí"))])
            // b, the server here, offers a's key only "publico".
            try b.addPeer(name: "a", url: "", key: a.nodeKey.publicKey.bytes, share: ["publico"])
            let out = SyncHarness.sync(a, with: bDir)
            #expect(out.client.error == nil)
            #expect(try a.namespaces().map(\.name) == ["publico"])
            // b's digests do not name what it keeps from a, and a second session moves nothing.
            let privado = try b.resolveNamespace("privado").root
            let replica = StoreReplica(store: b)
            #expect(try !replica.offeredHeads(for: a.nodeKey.publicKey.bytes).contains { $0.namespace == privado })
            let again = SyncHarness.sync(a, with: bDir)
            #expect(again.client.stats?.received == 0)
            #expect(try a.namespaces().map(\.name) == ["publico"])
        }
    }

    /// `count` namespaces, each a genesis changeset signed by a fresh root, in one transaction.
    func namespaces(_ count: Int, prefix: String, in store: Store) throws {
        var envelopes: [[UInt8]] = []
        for i in 0..<count {
            let root = try Ed25519PrivateKey()
            let body = ChangesetBody(network: store.networkID, namespace: root.publicKey.bytes, author: root.publicKey.bytes, seq: 1,
                                     prev: nil, deps: [], hlc: HLC(milliseconds: 1_764_000_000_000, counter: 0), ops: [.name("\(prefix)\(i)")])
            envelopes.append(try ChangesetEnvelope.sign(body, with: root).bytes)
        }
        #expect(try store.receive(envelopes: envelopes).applied == count)
    }

    @Test func manyNamespacesOverRealPipesDoNotDeadlock() throws {
        // 1,500 digests take about 105 kB each way: more than a pipe holds (64 kB), so if both
        // sides wrote theirs at once, both would block.
        try twoStores { a, b, bDir in
            try namespaces(1_500, prefix: "n", in: a)
            try namespaces(1_500, prefix: "m", in: b)
            var toServer: [Int32] = [0, 0], toClient: [Int32] = [0, 0]
            #expect(pipe(&toServer) == 0 && pipe(&toClient) == 0)
            let serverIn = toServer[0], serverOut = toClient[1]
            let clientStream = FileDescriptorStream(input: toClient[0], output: toServer[1], timeout: 20)
            let server = SyncHarness.serve(bDir) { FileDescriptorStream(input: serverIn, output: serverOut, timeout: 20) }
            let session = SyncSession(role: .client, replica: StoreReplica(store: a))
            let result = Result { () throws(SyncError) in try SyncRunner.run(session, over: clientStream) }
            clientStream.close()
            #expect(result.error == nil, "\(String(describing: result.error))")
            #expect(server().error == nil)
            #expect(try a.stateDigest() == b.stateDigest())
            #expect(try a.namespaces().count == 3_000)
        }
    }

    @Test func wrongNetworkEndsTheSessionOnBothSides() throws {
        try withTemporaryDirectory { dir in
            let a = try Store.create(at: dir.appendingPathComponent("a"))
            let bDir = dir.appendingPathComponent("b")
            _ = try Store.create(at: bDir)
            _ = try a.createNamespace(name: "x")
            let out = SyncHarness.sync(a, with: bDir)
            #expect(out.server.error?.code == .wrongNetwork)
            #expect(out.client.error?.code == .wrongNetwork)
            #expect(out.client.error?.fromPeer == true)
            #expect(try Store.open(at: bDir).namespaces().isEmpty)
        }
    }
}
