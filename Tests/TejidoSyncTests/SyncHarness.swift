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
                     server serverOptions: SyncSession.Options = .init(), budget: Int? = nil,
                     configure: (MemoryStream, MemoryStream) -> Void = { _, _ in }) -> Outcome {
        let (a, b) = MemoryStream.pair()
        configure(a, b)
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { done.signal() }
            do {
                let store = try Store.open(at: serverDir)
                let session = SyncSession(role: .server, replica: StoreReplica(store: store), options: serverOptions)
                box.server = Result { () throws(SyncError) in try SyncRunner.run(session, over: b) }
            } catch {
                box.server = .failure(SyncError(.storeFailure, "\(error)"))
            }
            b.close()
        }
        thread.start()
        let session = SyncSession(role: .client, replica: StoreReplica(store: client), options: options)
        let clientResult = Result { () throws(SyncError) in try SyncRunner.run(session, over: a) }
        a.close()
        done.wait()
        return Outcome(client: clientResult, server: box.server!)
    }

    /// A new store in the same network as `network`, at `dir`.
    static func store(_ dir: URL, network: [UInt8]) throws -> Store {
        try Store.create(at: dir, network: network)
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
