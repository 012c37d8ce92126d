import Foundation
import TejidoCore
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
