import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync
import TejidoTestSupport

/// The TLS server against honest, hostile and broken clients. After each bad client, an honest
/// one still syncs: one misbehaving session never takes the server down.
@Suite(.serialized) struct SyncServerTests {
    /// A server store with a namespace its admin (the server's node) wrote in, and a client store
    /// of the same network whose key the server knows (granted writer there).
    func setup(_ body: (Store, URL, ServerHarness) throws -> Void, drain: Double = 10,
               configure: (inout SyncServer.Config) -> Void = { _ in }) throws {
        try withTemporaryDirectory { dir in
            let serverDir = dir.appendingPathComponent("server")
            let server = try Store.create(at: serverDir)
            let client = try Store.create(at: dir.appendingPathComponent("client"), network: server.networkID)
            _ = try server.createNamespace(name: "grupo")
            _ = try server.grant(namespace: "grupo", key: client.nodeKey.publicKey, role: .writer)
            for i in 0..<20 { _ = try server.put(namespace: "grupo", record: RecordKey(collection: "c", id: "r\(i)"), fields: [("v", .int(Int64(i)))]) }
            let harness = try ServerHarness(store: serverDir, drain: drain, configure: configure)
            defer { harness.stop() }
            try body(client, serverDir, harness)
        }
    }

    /// An honest client, to show the server still serves.
    func honestSyncWorks(_ harness: ServerHarness, network: [UInt8], known: Store) throws {
        let (result, _) = harness.sync(known)
        #expect(result.error == nil, "an honest client after a bad one: \(String(describing: result.error))")
    }

    @Test func anHonestClientSyncsOverTLS13() throws {
        try setup { client, serverDir, harness in
            let (result, _) = harness.sync(client)
            #expect(result.error == nil)
            #expect(result.stats?.received == 22)
            #expect(try client.stateDigest() == Store.open(at: serverDir).stateDigest())
            let report = try #require(harness.report(1))
            #expect(report.key == client.nodeKey.publicKey.bytes)
        }
    }

    @Test func anUnknownKeyIsRefusedAndTheStoreUnchanged() throws {
        try setup { client, serverDir, harness in
            try withTemporaryDirectory { dir in
                let stranger = try Store.create(at: dir.appendingPathComponent("s"), network: client.networkID)
                _ = try stranger.createNamespace(name: "intruso")
                let before = try Store.open(at: serverDir).stateDigest()
                let (result, _) = harness.sync(stranger)
                #expect(result.error?.code == .peerNotAllowed)
                #expect(result.error?.fromPeer == true)
                #expect(harness.report(1)?.result.error?.code == .peerNotAllowed)
                #expect(try Store.open(at: serverDir).stateDigest() == before)
                #expect(try stranger.namespaces().map(\.name) == ["intruso"])
            }
            try honestSyncWorks(harness, network: client.networkID, known: client)
        }
    }

    @Test func policyAnyLetsAStrangerIn() throws {
        try setup({ client, _, harness in
            try withTemporaryDirectory { dir in
                let stranger = try Store.create(at: dir.appendingPathComponent("s"), network: client.networkID)
                #expect(harness.sync(stranger).0.error == nil)
            }
        }, configure: { $0.policy = .any })
    }

    @Test func theClientRefusesAServerWithAnotherKey() throws {
        try setup { client, _, harness in
            var connector = SyncConnector(selfExecutable: "/bin/false")
            connector.timeout = 5
            let other = try Ed25519PrivateKey().publicKey.bytes
            #expect(throws: SyncError.self) {
                _ = try connector.open(.tcp(host: "127.0.0.1", port: harness.port), nodeKey: client.nodeKey, pinned: other)
            }
            do {
                _ = try connector.open(.tcp(host: "127.0.0.1", port: harness.port), nodeKey: client.nodeKey, pinned: nil)
                Issue.record("an unpinned server was accepted")
            } catch let e as SyncError {
                #expect(e.code == .peerKeyNotPinned)
                #expect(KeyText.parseKey(e.detail)?.bytes == harness.key)
            }
            try honestSyncWorks(harness, network: client.networkID, known: client)
        }
    }

    @Test func garbageInsteadOfTLSEndsOnlyThatSession() throws {
        try setup { client, _, harness in
            let raw = try TCPSocket.connect(host: "127.0.0.1", port: harness.port, timeout: 5)
            let junk = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8) + [UInt8](repeating: 0x16, count: 64)
            _ = junk.withUnsafeBytes { write(raw.fd, $0.baseAddress, $0.count) }
            var buf = [UInt8](repeating: 0, count: 64)
            _ = read(raw.fd, &buf, 64)
            raw.close()
            let report = try #require(harness.report(1))
            #expect(report.result.error != nil)
            #expect(report.key == nil)
            try honestSyncWorks(harness, network: client.networkID, known: client)
        }
    }

    @Test func aSilentClientTimesOut() throws {
        try setup({ client, _, harness in
            // Connects and says nothing, not even a TLS hello.
            let silent = try TCPSocket.connect(host: "127.0.0.1", port: harness.port, timeout: 5)
            let started = Date()
            let report = try #require(harness.report(1))
            #expect(report.result.error?.code == .timeout)
            #expect(Date().timeIntervalSince(started) < 5)
            silent.close()
            try honestSyncWorks(harness, network: client.networkID, known: client)
        }, configure: { $0.timeout = 0.5 })
    }

    @Test func severalClientsAtOnce() throws {
        try setup { client, serverDir, harness in
            try withTemporaryDirectory { dir in
                // Three more stores whose keys the server knows (pinned as peers).
                var dirs: [URL] = []
                let server = try Store.open(at: serverDir)
                for i in 0..<3 {
                    let d = dir.appendingPathComponent("c\(i)")
                    let s = try Store.create(at: d, network: client.networkID)
                    try server.addPeer(name: "p\(i)", url: "tcp://x:1", key: s.nodeKey.publicKey.bytes, share: nil)
                    dirs.append(d)
                }
                let results = ResultsBox()
                let clients = dirs
                DispatchQueue.concurrentPerform(iterations: 3) { i in
                    guard let s = try? Store.open(at: clients[i]) else { return }
                    results.add(harness.sync(s).0.error == nil)
                }
                #expect(results.values == [true, true, true])
                for d in dirs { #expect(try Store.open(at: d).stateDigest() == server.stateDigest()) }
            }
        }
    }

    /// At the end of the drain, a session still under way (here a client that finished its TLS
    /// handshake and says nothing, with a minute of timeout) is cut and waited for: `run` returns
    /// soon after the drain, with the session's report in.
    @Test func sessionsStillRunningWhenTheDrainEndsAreCutAndWaitedFor() throws {
        try setup({ client, _, harness in
            var connector = SyncConnector(selfExecutable: "/bin/false")
            connector.timeout = 5
            let (stream, _) = try connector.open(.tcp(host: "127.0.0.1", port: harness.port), nodeKey: client.nodeKey, pinned: harness.key)
            defer { stream.close() }
            Thread.sleep(forTimeInterval: 0.3)
            let stopped = Date()
            harness.stop()
            #expect(Date().timeIntervalSince(stopped) < 12)
            // The silent session's report is in as soon as `run` has returned.
            #expect(harness.report(1, timeout: 0) != nil)
            // And the server no longer listens.
            #expect(throws: StreamError.self) { _ = try TCPSocket.connect(host: "127.0.0.1", port: harness.port, timeout: 2) }
        }, drain: 0.3, configure: { $0.timeout = 60 })
    }
}

/// `@unchecked Sendable`: guarded by the lock.
final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Bool] = []
    func add(_ v: Bool) {
        lock.lock()
        stored.append(v)
        lock.unlock()
    }
    var values: [Bool] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

}
