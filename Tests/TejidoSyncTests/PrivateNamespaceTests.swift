import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync
import TejidoTestSupport

/// A private namespace reaches only nodes whose keys hold a role in it. Checked on the bytes that
/// cross each carrier: the namespace's 32-byte id is in every changeset body, digest and head of
/// it, so a stream that never holds those bytes carried nothing of it. And a member that receives
/// it holds every feed whole and verifiable.
@Suite struct PrivateNamespaceTests {
    /// Store A holds a public namespace and a private one in which `member` (a second store's
    /// node key) was granted reader; `outsider` is a third store with no role anywhere.
    struct Setup {
        let a: Store
        let member: URL
        let outsider: URL
        let secret: [UInt8]
        let secretEnvelopes: [[UInt8]]
    }

    func setup(_ body: (Setup) throws -> Void) throws {
        try withTemporaryDirectory { dir in
            let a = try Store.create(at: dir.appendingPathComponent("a"))
            _ = try a.createNamespace(name: "publico")
            let secret = try a.createNamespace(name: "secreto", isPrivate: true).id
            let memberDir = dir.appendingPathComponent("member")
            let outsiderDir = dir.appendingPathComponent("outsider")
            let memberKey = try Store.create(at: memberDir, network: a.networkID).nodeKey.publicKey
            _ = try Store.create(at: outsiderDir, network: a.networkID)
            _ = try a.grant(namespace: "secreto", key: memberKey, role: .reader)
            for i in 0..<30 {
                _ = try a.put(namespace: "publico", record: RecordKey(collection: "c", id: "p\(i)"), fields: [("v", .int(Int64(i)))])
                _ = try a.put(namespace: "secreto", record: RecordKey(collection: "c", id: "s\(i % 7)"), fields: [("v", .text("clave \(i)"))])
            }
            #expect(try a.isPrivate(namespace: secret))
            var envelopes: [[UInt8]] = []
            try a.forEachEnvelope { bytes in
                if let env = try? ChangesetEnvelope(bytes: bytes), env.body.namespace == secret { envelopes.append(bytes) }
            }
            #expect(envelopes.count == 32)
            try body(Setup(a: a, member: memberDir, outsider: outsiderDir, secret: secret, secretEnvelopes: envelopes))
        }
    }

    func expectNothingOf(_ s: Setup, in bytes: [UInt8], _ carrier: String) {
        #expect(!bytes.isEmpty, "\(carrier): nothing recorded")
        let leaked = bytes.contains(bytes: s.secret)
        #expect(!leaked, "\(carrier): the private namespace's id crossed the link")
        let leakedChangesets = s.secretEnvelopes.filter { bytes.contains(bytes: $0) }.count
        #expect(leakedChangesets == 0, "\(carrier): private changesets crossed the link")
    }

    func expectWhole(_ s: Setup, at dir: URL) throws {
        let m = try Store.open(at: dir)
        #expect(try m.heldNamespaces().contains(s.secret))
        #expect(try m.feedHeads(namespace: s.secret).sorted { $0.author.lexicographicallyPrecedes($1.author) }
                == s.a.feedHeads(namespace: s.secret).sorted { $0.author.lexicographicallyPrecedes($1.author) })
        #expect(try m.verify().ok)
        #expect(try m.stateDigest() == s.a.stateDigest())
    }

    /// What `client` received (recorded above TLS): the private namespace if it is a member, and
    /// then whole; otherwise not a byte of it.
    func expectReceivedOnlyByAMember(_ s: Setup, _ recorder: RecordingStream, _ client: Store, isMember: Bool, _ carrier: String) throws {
        if isMember {
            let carried = recorder.received.contains(bytes: s.secret)
            #expect(carried, "\(carrier): the member did not receive the private namespace")
            try expectWhole(s, at: client.directory)
        } else {
            expectNothingOf(s, in: recorder.received, carrier)
            #expect(try !client.heldNamespaces().contains(s.secret))
        }
    }

    /// Syncs `client` (as the client) with the store at `serverDir` over an in-memory link, keeping
    /// every byte that crossed; returns both sides' results and the recording.
    func recordedSync(_ client: Store, with serverDir: URL, expectedPeer: [UInt8]?)
        -> (client: Result<SyncStats, SyncError>, server: Result<SyncStats, SyncError>, link: RecordingStream)
    {
        let (x, y) = MemoryStream.pair()
        let recorder = RecordingStream(x)
        let server = SyncHarness.serve(serverDir) { y }
        let session = SyncSession(role: .client, replica: StoreReplica(store: client), options: .init(expectedPeer: expectedPeer))
        let result = Result { () throws(SyncError) in try SyncRunner.run(session, over: recorder) }
        recorder.close()
        return (result, server(), recorder)
    }

    @Test func anInMemoryLinkCarriesItOnlyToAMember() throws {
        try setup { s in
            for (dir, isMember) in [(s.outsider, false), (s.member, true)] {
                // The client pushes; it knows the server's key (as when the key is pinned).
                let serverKey = try Store.open(at: dir).nodeKey.publicKey.bytes
                let (result, server, recorder) = recordedSync(s.a, with: dir, expectedPeer: serverKey)
                #expect(result.error == nil && server.error == nil)
                if isMember {
                    let carried = recorder.sent.contains(bytes: s.secret)
                    #expect(carried)
                    try expectWhole(s, at: dir)
                } else {
                    expectNothingOf(s, in: recorder.sent, "memory")
                    let o = try Store.open(at: dir)
                    #expect(try !o.heldNamespaces().contains(s.secret) && o.heldNamespaces().count == 1)
                }
            }
        }
    }

    @Test func aClientThatDoesNotKnowTheServersKeyOffersNothingPrivate() throws {
        try setup { s in
            let recorder = recordedSync(s.a, with: s.member, expectedPeer: nil).link
            expectNothingOf(s, in: recorder.sent, "memory, server key unknown")
        }
    }

    @Test func aTLSServerSendsItOnlyToAMember() throws {
        try setup { s in
            let harness = try ServerHarness(store: s.a.directory) { $0.policy = .any }
            defer { harness.stop() }
            for (dir, isMember) in [(s.outsider, false), (s.member, true)] {
                let client = try Store.open(at: dir)
                var connector = SyncConnector(selfExecutable: "/bin/false")
                connector.timeout = 5
                let (stream, _) = try connector.open(.tcp(host: "127.0.0.1", port: harness.port), nodeKey: client.nodeKey, pinned: harness.key)
                let recorder = RecordingStream(stream)
                let session = SyncSession(role: .client, replica: StoreReplica(store: client), options: .init())
                let result = Result { () throws(SyncError) in try SyncRunner.run(session, over: recorder) }
                recorder.close()
                #expect(result.error == nil)
                // What the server sent, decrypted by the client's TLS layer.
                try expectReceivedOnlyByAMember(s, recorder, client, isMember: isMember, "tls")
            }
        }
    }

    @Test func aStdioServerSendsItOnlyToAMember() throws {
        try setup { s in
            for (dir, isMember) in [(s.outsider, false), (s.member, true)] {
                let client = try Store.open(at: dir)
                let (stream, server) = try SyncHarness.stdioLink(serverDir: s.a.directory, client: client)
                #expect(stream.peerKey == s.a.nodeKey.publicKey.bytes)
                let recorder = RecordingStream(stream)
                let session = SyncSession(role: .client, replica: StoreReplica(store: client), options: .init(expectedPeer: stream.peerKey))
                let result = Result { () throws(SyncError) in try SyncRunner.run(session, over: recorder) }
                recorder.close()
                let outcome = server()
                #expect(result.error == nil && outcome.result.error == nil)
                #expect(outcome.key == client.nodeKey.publicKey.bytes)
                try expectReceivedOnlyByAMember(s, recorder, client, isMember: isMember, "stdio, above TLS")
            }
        }
    }

    /// A node that names a member's key in its hello, but whose certificate (made from the key it
    /// holds) says otherwise, is refused before anything is offered to it.
    @Test func aStdioClientNamingAMembersKeyGetsNothing() throws {
        try setup { s in
            let memberKey = try Store.open(at: s.member).nodeKey.publicKey.bytes
            let outsider = try Store.open(at: s.outsider)
            let (stream, server) = try SyncHarness.stdioLink(serverDir: s.a.directory, client: outsider)
            let recorder = RecordingStream(stream)
            let session = SyncSession(role: .client, replica: ClaimingReplica(outsider, claiming: memberKey), options: .init())
            let result = Result { () throws(SyncError) in try SyncRunner.run(session, over: recorder) }
            recorder.close()
            #expect(server().result.error?.code == .wrongPeerKey)
            #expect(result.error?.code == .wrongPeerKey)
            expectNothingOf(s, in: recorder.received, "stdio, a client claiming a member's key")
            #expect(try s.a.knownHeads(peer: memberKey).isEmpty)
        }
    }

    @Test func aBundleHoldsItOnlyForAMember() throws {
        try setup { s in
            let dir = s.member.deletingLastPathComponent()
            let all = try s.a.heldNamespaces()
            for (target, isMember) in [(s.outsider, false), (s.member, true)] {
                let key = try Store.open(at: target).nodeKey.publicKey.bytes
                let path = dir.appendingPathComponent(isMember ? "m.tjb" : "o.tjb").path
                _ = try BundleWriter.write(store: s.a, to: path, namespaces: all, theirHeads: [:], forKey: key)
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                if isMember {
                    let carried = bytes.contains(bytes: s.secret)
                    #expect(carried)
                    _ = try BundleApplier.apply(path: path, to: try Store.open(at: target))
                    try expectWhole(s, at: target)
                } else {
                    expectNothingOf(s, in: bytes, "bundle")
                }
            }
            // With no target at all, a private namespace is left out.
            let anyone = dir.appendingPathComponent("anyone.tjb").path
            let written = try BundleWriter.write(store: s.a, to: anyone, namespaces: all, theirHeads: [:], forKey: nil)
            expectNothingOf(s, in: [UInt8](try Data(contentsOf: URL(fileURLWithPath: anyone))), "bundle without a target")
            // ... and not counted among the namespaces the bundle names (`bundle create --json`).
            #expect(written.namespaces == all.count - 1)
        }
    }

    @Test func aRevokedMemberNoLongerReceivesIt() throws {
        try setup { s in
            let memberKey = try Store.open(at: s.member).nodeKey.publicKey
            _ = try s.a.revoke(namespace: "secreto", key: memberKey)
            #expect(try !s.a.mayReceive(namespace: s.secret, key: memberKey.bytes))
            let recorder = recordedSync(s.a, with: s.member, expectedPeer: memberKey.bytes).link
            expectNothingOf(s, in: recorder.sent, "memory after revocation")
        }
    }

    @Test func aRevokedMemberThatStillHoldsItLearnsNothingNew() throws {
        try setup { s in
            let memberStore = try Store.open(at: s.member)
            let memberKey = memberStore.nodeKey.publicKey
            // The member pulls while it holds a role, then is revoked; the namespace moves on.
            let first = SyncHarness.sync(memberStore, with: s.a.directory, client: .init(sends: false, expectedPeer: s.a.nodeKey.publicKey.bytes))
            #expect(first.client.error == nil && first.server.error == nil)
            #expect(try memberStore.heldNamespaces().contains(s.secret))
            _ = try s.a.revoke(namespace: "secreto", key: memberKey)
            let after = try s.a.put(namespace: "secreto", record: RecordKey(collection: "c", id: "nuevo"), fields: [("v", .int(1))])
            // It still names the namespace in its digests (it holds it); the server answers with no heads.
            let recorder = recordedSync(memberStore, with: s.a.directory, expectedPeer: s.a.nodeKey.publicKey.bytes).link
            let leakedHead = recorder.received.contains(bytes: after.bytes)
            #expect(!leakedHead, "the head written after the revocation reached the revoked member")
            #expect(try memberStore.get(namespace: "secreto", record: RecordKey(collection: "c", id: "nuevo")) == nil)
            // A receipt for the revoked key leaves the namespace out too.
            let receipt = s.member.deletingLastPathComponent().appendingPathComponent("r.tjr").path
            try BundleWriter.writeReceipt(store: s.a, to: receipt, namespaces: try s.a.heldNamespaces(), recipient: memberKey.bytes)
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: receipt)))
            let named = bytes.contains(bytes: s.secret)
            #expect(!named, "a receipt for a key without a role named the private namespace")
        }
    }
}

/// A store's replica that names another node's key in its hello.
final class ClaimingReplica: SyncReplica {
    let inner: StoreReplica
    let claimed: [UInt8]
    init(_ store: Store, claiming key: [UInt8]) {
        inner = StoreReplica(store: store)
        claimed = key
    }
    var networkID: [UInt8] { inner.networkID }
    var nodePublicKey: [UInt8] { claimed }
    func offeredHeads(for peer: [UInt8]) throws -> [(namespace: [UInt8], heads: [FeedHead])] { try inner.offeredHeads(for: peer) }
    func heads(namespace: [UInt8]) throws -> [FeedHead] { try inner.heads(namespace: namespace) }
    func startSending(namespaces: [[UInt8]], theirHeads: [[UInt8]: [FeedHead]]) throws -> (count: Int, bytes: Int) {
        try inner.startSending(namespaces: namespaces, theirHeads: theirHeads)
    }
    func nextBatch(maxCount: Int, maxBytes: Int) throws -> [OutgoingChangeset] { try inner.nextBatch(maxCount: maxCount, maxBytes: maxBytes) }
    func receive(envelopes: [[UInt8]]) throws -> BatchOutcome { try inner.receive(envelopes: envelopes) }
}
