import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync
import TejidoTestSupport

/// `serve --stdio` runs TLS 1.3 over its pipes: the client's certificate proves its key, a silent
/// or non-TLS client ends the session with a clear error, and the server records only proven keys.
@Suite struct StdioServerTests {
    func twoStores(_ body: (Store, Store) throws -> Void) throws {
        try withTemporaryDirectory { dir in
            let a = try Store.create(at: dir.appendingPathComponent("a"))
            _ = try a.createNamespace(name: "uno")
            _ = try a.put(namespace: "uno", record: RecordKey(collection: "c", id: "1"), fields: [("v", .int(1))])
            let b = try Store.create(at: dir.appendingPathComponent("b"), network: a.networkID)
            try body(a, b)
        }
    }

    @Test func aSessionOverPipesSyncsAndRecordsTheProvenKey() throws {
        try twoStores { a, b in
            // Several times a pipe's buffer (64 KiB) in each direction, so writes wait for the reader.
            let text = String(repeating: "palabra ", count: 250)
            for i in 0..<150 {
                _ = try a.put(namespace: "uno", record: RecordKey(collection: "c", id: "a\(i)"), fields: [("t", .text(text))])
            }
            try b.createNamespace(name: "dos")
            for i in 0..<150 {
                _ = try b.put(namespace: "dos", record: RecordKey(collection: "c", id: "b\(i)"), fields: [("t", .text(text))])
            }
            let (stream, server) = try SyncHarness.stdioLink(serverDir: a.directory, client: b)
            let session = SyncSession(role: .client, replica: StoreReplica(store: b), options: .init(expectedPeer: stream.peerKey))
            let result = Result { () throws(SyncError) in try SyncRunner.run(session, over: stream) }
            stream.close()
            let outcome = server()
            #expect(result.error == nil && outcome.result.error == nil)
            let stats = try #require(result.stats)
            #expect(stats.received > 150 && stats.sent > 150)
            #expect(stats.receivedBytes > 3 * 65_536 && stats.sentBytes > 3 * 65_536)
            #expect(try b.stateDigest() == a.stateDigest())
            // The server knows what the client now holds, under the client's proven key.
            #expect(try !a.knownHeads(peer: b.nodeKey.publicKey.bytes).isEmpty)
        }
    }

    /// Runs the server over pipes whose client end the test drives by hand. `drive` returns true if
    /// it closed its write end (so that the pipe ends there); every other end is closed once the
    /// server is done, each exactly once (tests run in parallel: a second close could hit a
    /// descriptor another test just opened). Nil if the server's store did not open.
    func rawClient(_ a: Store, timeout: Double, _ drive: (_ read: Int32, _ write: Int32) -> Bool) -> StdioServer.Outcome? {
        var toServer: [Int32] = [0, 0]
        var toClient: [Int32] = [0, 0]
        #expect(pipe(&toServer) == 0 && pipe(&toClient) == 0)
        let box = StdioOutcomeBox()
        let done = DispatchSemaphore(value: 0)
        let (r, w, dir) = (toServer[0], toClient[1], a.directory)
        Thread {
            defer { done.signal(); close(r); close(w) }
            guard let store = try? Store.open(at: dir) else { return }
            box.outcome = StdioServer.serve(store: store, readFD: r, writeFD: w, options: .init(), timeout: timeout)
        }.start()
        let closedWrite = drive(toClient[0], toServer[1])
        done.wait()
        close(toClient[0])
        if !closedWrite { close(toServer[1]) }
        return box.outcome
    }

    func send(_ bytes: [UInt8], to fd: Int32) {
        _ = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
    }

    @Test func aSilentClientTimesOut() throws {
        try twoStores { a, _ in
            let started = Date()
            let outcome = try #require(rawClient(a, timeout: 0.5) { _, _ in false })
            #expect(outcome.failedInHandshake && outcome.result.error?.code == .timeout)
            #expect(Date().timeIntervalSince(started) < 5)
        }
    }

    @Test func plaintextInsteadOfTLSIsRefused() throws {
        try twoStores { a, _ in
            // An old client's plain hello frame where a TLS ClientHello belongs.
            let hello = FrameWriter.frame(SyncMessage.hello(.init(network: a.networkID, nodeKey: a.nodeKey.publicKey.bytes,
                                                                  sends: true, receives: true)).encoded())
            let outcome = try #require(rawClient(a, timeout: 5) { _, write in
                send(hello, to: write)
                return false
            })
            #expect(outcome.failedInHandshake && outcome.key == nil)
            #expect(outcome.result.error?.code == .connectionLost)
        }
    }

    @Test func aClientThatHangsUpMidHandshakeEndsAsClosed() throws {
        try twoStores { a, _ in
            // The first bytes of a TLS handshake record, then the pipe closes.
            let outcome = try #require(rawClient(a, timeout: 5) { _, write in
                send([22, 3, 1, 0, 200, 1, 0, 0], to: write)
                close(write)
                return true
            })
            #expect(outcome.failedInHandshake)
            let detail = outcome.result.error?.detail ?? ""
            #expect(detail == "TLS handshake: the stream is closed")
        }
    }

    @Test func aClientWithTheServersOwnKeyIsRefused() throws {
        try withTemporaryDirectory { dir in
            let a = try Store.create(at: dir.appendingPathComponent("a"))
            // A copy of the store: the same node key on both ends.
            let copy = dir.appendingPathComponent("copy")
            try FileManager.default.copyItem(at: a.directory, to: copy)
            let (stream, server) = try SyncHarness.stdioLink(serverDir: a.directory, client: try Store.open(at: copy))
            let session = SyncSession(role: .client, replica: StoreReplica(store: try Store.open(at: copy)), options: .init())
            let result = Result { () throws(SyncError) in try SyncRunner.run(session, over: stream) }
            stream.close()
            #expect(server().result.error?.code == .sameNode)
            #expect(result.error?.code == .sameNode)
        }
    }

    @Test func aSilentServerTimesOutTheClient() throws {
        try withTemporaryDirectory { dir in
            let b = try Store.create(at: dir.appendingPathComponent("b"))
            var toServer: [Int32] = [0, 0]
            var toClient: [Int32] = [0, 0]
            #expect(pipe(&toServer) == 0 && pipe(&toClient) == 0)
            defer { for fd in toServer + toClient { close(fd) } }
            let context = try TLSContext(side: .client, certificate: try TLSCertificate(key: b.nodeKey, commonName: "b"))
            let started = Date()
            #expect(throws: StreamError.self) {
                _ = try TLSStream(readFD: toClient[0], writeFD: toServer[1], context: context, timeout: 0.5) {}
            }
            #expect(Date().timeIntervalSince(started) < 5)
        }
    }
}
