import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync
import TejidoTestSupport

/// Over stdio nothing but the session proves a node key: each side signs both hellos' nonces.
/// A node that names a key it does not hold gets nothing a key holder would, in either role.
@Suite struct KeyProofTests {
    let privateSetup = PrivateNamespaceTests()

    /// A store's replica that names another node's key in its hello (it cannot sign for it).
    final class ClaimingReplica: SyncReplica {
        let inner: StoreReplica
        let claimed: [UInt8]
        init(_ store: Store, claiming key: [UInt8]) {
            inner = StoreReplica(store: store)
            claimed = key
        }
        var networkID: [UInt8] { inner.networkID }
        var nodePublicKey: [UInt8] { claimed }
        func sign(_ bytes: [UInt8]) throws -> [UInt8] { try inner.sign(bytes) }
        func offeredHeads(for peer: [UInt8]) throws -> [(namespace: [UInt8], heads: [FeedHead])] { try inner.offeredHeads(for: peer) }
        func heads(namespace: [UInt8]) throws -> [FeedHead] { try inner.heads(namespace: namespace) }
        func startSending(namespaces: [[UInt8]], theirHeads: [[UInt8]: [FeedHead]]) throws -> (count: Int, bytes: Int) {
            try inner.startSending(namespaces: namespaces, theirHeads: theirHeads)
        }
        func nextBatch(maxCount: Int, maxBytes: Int) throws -> [OutgoingChangeset] { try inner.nextBatch(maxCount: maxCount, maxBytes: maxBytes) }
        func receive(envelopes: [[UInt8]]) throws -> BatchOutcome { try inner.receive(envelopes: envelopes) }
    }

    static let proving = SyncSession.Options(proveKeys: true)

    @Test func honestSidesProveTheirKeysAndAMemberGetsThePrivateNamespace() throws {
        try privateSetup.setup { s in
            // The member pulls from A over a proving link; no key is pinned on either side.
            let member = try Store.open(at: s.member)
            let (x, y) = MemoryStream.pair()
            let server = SyncHarness.serve(s.a.directory, options: Self.proving) { y }
            let session = SyncSession(role: .client, replica: StoreReplica(store: member), options: Self.proving)
            let result = Result { () throws(SyncError) in try SyncRunner.run(session, over: x) }
            x.close()
            #expect(result.error == nil && server().error == nil)
            #expect(session.peerKeyProven)
            #expect(session.peerHello?.nodeKey == s.a.nodeKey.publicKey.bytes)
            try privateSetup.expectWhole(s, at: s.member)
        }
    }

    @Test func aClientNamingAMembersKeyItDoesNotHoldGetsNothingPrivate() throws {
        try privateSetup.setup { s in
            let memberKey = try Store.open(at: s.member).nodeKey.publicKey.bytes
            let outsider = try Store.open(at: s.outsider)
            let (x, y) = MemoryStream.pair()
            let recorder = RecordingStream(x)
            let server = SyncHarness.serve(s.a.directory, options: Self.proving) { y }
            let session = SyncSession(role: .client, replica: ClaimingReplica(outsider, claiming: memberKey), options: Self.proving)
            let result = Result { () throws(SyncError) in try SyncRunner.run(session, over: recorder) }
            recorder.close()
            let serverError = server().error
            #expect(serverError?.code == .keyNotProven)
            #expect(result.error?.code == .keyNotProven)
            privateSetup.expectNothingOf(s, in: recorder.received, "stdio, a client claiming a member's key")
            #expect(try !outsider.heldNamespaces().contains(s.secret))
        }
    }

    @Test func aServerNamingAMembersKeyItDoesNotHoldIsToldNothingPrivate() throws {
        try privateSetup.setup { s in
            // A pushes to a server that claims to be the member, with the member's key pinned.
            let memberKey = try Store.open(at: s.member).nodeKey.publicKey.bytes
            let (x, y) = MemoryStream.pair()
            let recorder = RecordingStream(x)
            let box = ResultBox()
            let done = DispatchSemaphore(value: 0)
            let outsiderDir = s.outsider
            Thread {
                defer { done.signal() }
                defer { y.close() }
                guard let outsider = try? Store.open(at: outsiderDir) else { return }
                let session = SyncSession(role: .server, replica: ClaimingReplica(outsider, claiming: memberKey), options: Self.proving)
                box.server = Result { () throws(SyncError) in try SyncRunner.run(session, over: y) }
            }.start()
            var options = Self.proving
            options.expectedPeer = memberKey
            let session = SyncSession(role: .client, replica: StoreReplica(store: s.a), options: options)
            let result = Result { () throws(SyncError) in try SyncRunner.run(session, over: recorder) }
            recorder.close()
            done.wait()
            #expect(result.error?.code == .keyNotProven)
            #expect(box.server?.error?.code == .keyNotProven)
            // Not even the private namespace's id (in digests) went out before the proof failed.
            privateSetup.expectNothingOf(s, in: recorder.sent, "stdio, a server claiming a member's key")
        }
    }

    @Test func aProofFromAnEarlierSessionDoesNotOpenANewOne() throws {
        try privateSetup.setup { s in
            let member = try Store.open(at: s.member)
            // Session 1, by hand: the member's hello and proof, as a listener on the link saw them.
            let client1 = SyncSession(role: .client, replica: StoreReplica(store: member), options: Self.proving)
            let server1 = SyncSession(role: .server, replica: StoreReplica(store: s.a), options: Self.proving)
            _ = try server1.start()
            let opening = try client1.start()
            #expect(opening.count == 1)
            guard case .hello(let memberHello)? = opening.first else { Issue.record("no hello"); return }
            #expect(memberHello.nonce?.count == KeyProof.nonceBytes)
            let serverReply = try server1.handle(opening[0])
            #expect(serverReply.map(\.typeCode) == [0, 7])
            _ = try client1.handle(serverReply[0])
            let clientReply = try client1.handle(serverReply[1])
            #expect(clientReply.map(\.typeCode) == [7, 1])
            _ = try server1.handle(clientReply[0])
            #expect(server1.peerKeyProven)

            // Session 2: someone replays the member's hello and proof. The server's nonce is new.
            let server2 = SyncSession(role: .server, replica: StoreReplica(store: s.a), options: Self.proving)
            _ = try server2.start()
            _ = try server2.handle(.hello(memberHello))
            #expect(throws: SyncError.self) { _ = try server2.handle(clientReply[0]) }
            #expect(!server2.peerKeyProven)
        }
    }

    @Test func bothSidesMustAgreeToProveKeys() throws {
        try privateSetup.setup { s in
            let member = try Store.open(at: s.member)
            for (client, server) in [(Self.proving, SyncSession.Options()), (SyncSession.Options(), Self.proving)] {
                let outcome = SyncHarness.sync(member, with: s.a.directory, client: client, server: server)
                #expect(outcome.client.error?.code == .keyNotProven)
                #expect(outcome.server.error?.code == .keyNotProven)
            }
            #expect(try !member.heldNamespaces().contains(s.secret))
        }
    }
}
