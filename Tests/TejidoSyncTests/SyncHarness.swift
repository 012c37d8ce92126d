import Foundation
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync
import TejidoTestSupport

/// Runs sessions between stores on disk, the server on its own thread with its own connection.
enum SyncHarness {
    struct Outcome {
        var client: Result<SyncStats, SyncError>
        var server: Result<SyncStats, SyncError>
    }

    /// Syncs `client` with the store at `serverDir` over an in-memory link.
    static func sync(_ client: Store, with serverDir: URL, client options: SyncSession.Options = .init(),
                     server serverOptions: SyncSession.Options = .init()) -> Outcome {
        let (a, b) = MemoryStream.pair()
        let server = serve(serverDir, options: serverOptions) { b }
        let session = SyncSession(role: .client, replica: StoreReplica(store: client), options: options)
        let clientResult = Result { () throws(SyncError) in try SyncRunner.run(session, over: a) }
        a.close()
        return Outcome(client: clientResult, server: server())
    }

    /// Runs a server session for the store at `dir` on its own thread, over the stream `open`
    /// makes there (closed at the end). The returned function waits for the session's result.
    static func serve(_ dir: URL, options: SyncSession.Options = .init(), open: @escaping @Sendable () -> any ByteStream)
        -> () -> Result<SyncStats, SyncError>
    {
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Thread {
            defer { done.signal() }
            let stream = open()
            defer { stream.close() }
            do {
                let store = try Store.open(at: dir)
                let session = SyncSession(role: .server, replica: StoreReplica(store: store), options: options)
                box.server = Result { () throws(SyncError) in try SyncRunner.run(session, over: stream) }
            } catch {
                box.server = .failure(SyncError(.storeFailure, "\(error)"))
            }
        }.start()
        return {
            done.wait()
            return box.server!
        }
    }

    /// `StdioServer` for the store at `dir` on its own thread, over two pipes, and the client's TLS
    /// stream over their other ends, as `tejido sync` runs a local or ssh child. Returns the client
    /// stream (what passes above TLS is what the session says in clear) and a wait for the server.
    static func stdioLink(serverDir: URL, client: Store, timeout: Double = 10) throws -> (TLSStream, () -> StdioServer.Outcome) {
        var toServer: [Int32] = [0, 0]
        var toClient: [Int32] = [0, 0]
        guard pipe(&toServer) == 0, pipe(&toClient) == 0 else { throw StreamError.io(.call("pipe"), errno: errno) }
        let box = StdioOutcomeBox()
        let done = DispatchSemaphore(value: 0)
        let (serverRead, serverWrite) = (toServer[0], toClient[1])
        Thread {
            defer { done.signal() }
            defer { close(serverRead); close(serverWrite) }
            guard let store = try? Store.open(at: serverDir) else { return }
            box.outcome = StdioServer.serve(store: store, readFD: serverRead, writeFD: serverWrite, options: .init(), timeout: timeout)
        }.start()
        let certificate = try TLSCertificate(key: client.nodeKey, commonName: "test client")
        let context = try TLSContext(side: .client, certificate: certificate)
        let (clientRead, clientWrite) = (toClient[0], toServer[1])
        let stream = try TLSStream(readFD: clientRead, writeFD: clientWrite, context: context, timeout: timeout) {
            close(clientRead)
            close(clientWrite)
        }
        return (stream, {
            done.wait()
            return box.outcome!
        })
    }
}

/// `@unchecked Sendable`: written by the server thread before it signals, read after the wait.
final class StdioOutcomeBox: @unchecked Sendable {
    var outcome: StdioServer.Outcome?
}

/// `@unchecked Sendable`: written by the server thread before it signals, read after the wait.
final class ResultBox: @unchecked Sendable {
    var server: Result<SyncStats, SyncError>?
}

extension Result where Success == SyncStats, Failure == SyncError {
    var error: SyncError? {
        if case .failure(let e) = self { return e }
        return nil
    }
    var stats: SyncStats? {
        if case .success(let s) = self { return s }
        return nil
    }
}
