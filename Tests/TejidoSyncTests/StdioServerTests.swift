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
            let (stream, server) = try SyncHarness.stdioLink(serverDir: a.directory, client: b)
            let session = SyncSession(role: .client, replica: StoreReplica(store: b), options: .init(expectedPeer: stream.peerKey))
            let result = Result { () throws(SyncError) in try SyncRunner.run(session, over: stream) }
            stream.close()
            let outcome = server()
            #expect(result.error == nil && outcome.result.error == nil)
            #expect(try b.stateDigest() == a.stateDigest())
            // The server knows what the client now holds, under the client's proven key.
            #expect(try !a.knownHeads(peer: b.nodeKey.publicKey.bytes).isEmpty)
        }
    }

    /// Runs the server over pipes whose client end the test drives by hand.
    func rawClient(_ a: Store, timeout: Double, _ drive: (Int32, Int32) -> Void) -> StdioServer.Outcome {
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
        drive(toClient[0], toServer[1])
        done.wait()
        close(toClient[0])
        close(toServer[1])
        return box.outcome!
    }

    @Test func aSilentClientTimesOut() throws {
        try twoStores { a, _ in
            let started = Date()
            let outcome = rawClient(a, timeout: 0.5) { _, _ in }
            #expect(outcome.failedInHandshake && outcome.result.error?.code == .timeout)
            #expect(Date().timeIntervalSince(started) < 5)
        }
    }

    @Test func plaintextInsteadOfTLSIsRefused() throws {
        try twoStores { a, _ in
            // An old client's plain hello frame where a TLS ClientHello belongs.
            let hello = FrameWriter.frame(SyncMessage.hello(.init(network: a.networkID, nodeKey: a.nodeKey.publicKey.bytes,
                                                                  sends: true, receives: true)).encoded())
            let outcome = rawClient(a, timeout: 5) { _, write in
                _ = hello.withUnsafeBytes { Foundation.write(write, $0.baseAddress, $0.count) }
                close(write)
            }
            #expect(outcome.failedInHandshake && outcome.key == nil)
            let detail = outcome.result.error?.detail ?? ""
            #expect(detail.hasPrefix("TLS handshake"))
        }
    }
}
