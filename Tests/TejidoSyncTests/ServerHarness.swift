import Foundation
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync
import TejidoTestSupport

/// A `SyncServer` on 127.0.0.1 with a free port, run on its own thread, and its session reports.
final class ServerHarness: @unchecked Sendable {
    // `@unchecked Sendable`: `reports` and `stopped` are guarded by `lock`; the rest is immutable after init.
    let server: SyncServer
    let port: Int
    let key: [UInt8]
    private let lock = NSCondition()
    private var reports: [SyncServer.Report] = []
    private let finished = DispatchSemaphore(value: 0)

    init(store dir: URL, drain: Double = 10, configure: (inout SyncServer.Config) -> Void = { _ in }) throws {
        let store = try Store.open(at: dir)
        key = store.nodeKey.publicKey.bytes
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        port = Int(listener.address.split(separator: ":").last!)!
        var config = SyncServer.Config(store: dir)
        config.timeout = 5
        configure(&config)
        server = try SyncServer(config: config, listener: listener,
                                certificate: TLSCertificate(key: store.nodeKey, commonName: "test"))
        let thread = Thread { [self] in
            try? server.run(drain: drain) { report in
                self.lock.lock()
                self.reports.append(report)
                self.lock.broadcast()
                self.lock.unlock()
            }
            finished.signal()
        }
        thread.start()
    }

    /// Waits for the `n`th session report (1-based).
    func report(_ n: Int, timeout: Double = 20) -> SyncServer.Report? {
        lock.lock()
        defer { lock.unlock() }
        let deadline = Date().addingTimeInterval(timeout)
        while reports.count < n && Date() < deadline { _ = lock.wait(until: deadline) }
        return reports.count >= n ? reports[n - 1] : nil
    }

    /// Stops the server and waits for its `run` to return; a second call returns at once.
    func stop() {
        lock.lock()
        let first = !stopped
        stopped = true
        lock.unlock()
        guard first else { return }
        server.stop()
        finished.wait()
    }
    private var stopped = false

    /// Syncs `client` with this server over TLS, pinning the server's key.
    func sync(_ client: Store, options: SyncSession.Options = .init(), port: Int? = nil) -> (Result<SyncStats, SyncError>, SyncSession) {
        let session = SyncSession(role: .client, replica: StoreReplica(store: client), options: options)
        var connector = SyncConnector(selfExecutable: "/bin/false")
        connector.timeout = 5
        do {
            let (stream, _) = try connector.open(.tcp(host: "127.0.0.1", port: port ?? self.port), nodeKey: client.nodeKey, pinned: key)
            defer { stream.close() }
            return (Result { () throws(SyncError) in try SyncRunner.run(session, over: stream) }, session)
        } catch {
            let e = (error as? SyncError) ?? (error as? StreamError)?.syncError ?? SyncError(.other, "\(error)")
            return (.failure(e), session)
        }
    }
}
