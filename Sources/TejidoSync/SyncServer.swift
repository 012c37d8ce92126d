import Foundation
import Logging
import TejidoCrypto
import TejidoStore
import TejidoSystem

/// Serves sync sessions over TLS 1.3: one thread per client, each with its own connection to the
/// store. A client that misbehaves ends only its own session.
public final class SyncServer: @unchecked Sendable {
    // `@unchecked Sendable`: configuration is immutable; `active` and `stopping` are guarded by `lock`.
    public struct Config: Sendable {
        public var store: URL
        public var policy: TrustPolicy = .known
        /// Seconds a client may stay silent (handshake included) before its session ends.
        public var timeout: Double = 30
        public var maxSessions = 16
        /// Whether clients may push changesets here.
        public var receives = true
        /// Most changesets per batch this server sends.
        public var batchCount = 1_000

        public init(store: URL) { self.store = store }
    }

    /// What one client session came to.
    public struct Report: Sendable {
        public let address: String
        public let key: [UInt8]?
        public let result: Result<SyncStats, SyncError>
        /// Counters of the session, also when it failed.
        public var stats = SyncStats()
    }

    public let config: Config
    public let listener: TCPListener
    private let context: TLSContext
    private let lock = NSCondition()
    private var active = 0
    /// Of `active`, the clients being turned away.
    private var turningAway = 0
    private var stopping = false
    /// The sockets of the sessions under way, to cut them when the drain time is up.
    private var sessions: [ObjectIdentifier: TCPSocket] = [:]

    public init(config: Config, listener: TCPListener, certificate: TLSCertificate) throws {
        self.config = config
        self.listener = listener
        self.context = try TLSContext(side: .server, certificate: certificate)
        // A client that goes away must end its session with an error, not kill the server.
        signal(SIGPIPE, SIG_IGN)
    }

    /// Asks the accept loop to stop; sessions under way finish first.
    public func stop() {
        lock.lock()
        stopping = true
        lock.broadcast()
        lock.unlock()
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    /// Closes a client's connection before any session, and says why.
    private static func drop(_ socket: TCPSocket, _ why: SyncProblem) -> Report {
        let address = socket.peerDescription
        socket.close()
        return Report(address: address, key: nil, result: .failure(SyncError(.other, why)))
    }

    /// Descriptors a session may need beyond its socket.
    public static let descriptorsPerSession = 6

    /// Accepts clients until `stop`, then waits for the sessions under way (at most `drain` seconds).
    public func run(drain: Double = 30, onReport: @escaping @Sendable (Report) -> Void) throws {
        // libdispatch makes its event descriptor at the first timer, and ends the process if it
        // cannot: made here, while descriptors are free, rather than in a session's handshake.
        DispatchQueue.global().asyncAfter(deadline: .now()) {}
        while !isStopping {
            lock.lock()
            while active >= config.maxSessions && !stopping { _ = lock.wait(until: Date().addingTimeInterval(0.2)) }
            lock.unlock()
            guard let socket = try listener.accept(timeout: 0.2) else { continue }
            // A session needs a few descriptors more (a read snapshot of the store, the timer of
            // its handshake). Without them the client is turned away with the reason after a TLS
            // handshake that needs no descriptor more, on a short bound; past `turnAwayLimit` of
            // those at once it is dropped without a word, so that silent clients cannot pile up.
            let canServe = FileDescriptors.available(Self.descriptorsPerSession)
            lock.lock()
            if !canServe && turningAway >= Self.turnAwayLimit {
                lock.unlock()
                onReport(Self.drop(socket, .tooManyOpenFiles))
                continue
            }
            if !canServe { turningAway += 1 }
            active += 1
            sessions[ObjectIdentifier(socket)] = socket
            lock.unlock()
            let ended: @Sendable () -> Void = { [self] in
                lock.lock()
                if !canServe { turningAway -= 1 }
                active -= 1
                sessions[ObjectIdentifier(socket)] = nil
                lock.broadcast()
                lock.unlock()
            }
            let started = WorkerThread.start(name: "tejido.session") { [self] in
                onReport(canServe ? serve(socket) : turnAway(socket, .tooManyOpenFiles))
                ended()
            }
            if !started {
                // No thread for this client (memory or thread limits): it is dropped, the server goes on.
                onReport(Self.drop(socket, .noThread))
                ended()
            }
        }
        // No new clients during the drain: refused at once, rather than queued by the kernel
        // until their own timeout.
        listener.close()
        lock.lock()
        let deadline = Date().addingTimeInterval(drain)
        while active > 0 && Date() < deadline { _ = lock.wait(until: deadline) }
        // Time is up: the sessions still running are cut (their reads and writes return at once)
        // and waited for, so that none runs on inside SQLite or OpenSSL while the process exits.
        // What each had committed stays committed; the rest is sent again next time.
        for socket in sessions.values { socket.shutDown() }
        let cut = Date().addingTimeInterval(Self.cutWait)
        while active > 0 && Date() < cut { _ = lock.wait(until: cut) }
        lock.unlock()
    }

    /// How long sessions that were cut at the end of the drain get to wind up.
    static let cutWait = 10.0

    /// Clients being turned away at once, at most; and the bound of each one's handshake.
    static let turnAwayLimit = 2
    static let turnAwaySeconds = 5.0

    /// A client this server cannot serve now: after the TLS handshake it is told why
    /// (`server_busy`), so that it does not report a cut link.
    func turnAway(_ socket: TCPSocket, _ why: SyncProblem) -> Report {
        let address = socket.peerDescription
        let busy = SyncError(.serverBusy, why)
        switch handshake(socket, timeout: min(config.timeout, Self.turnAwaySeconds)) {
        case .failure(let e): return Report(address: address, key: nil, result: .failure(e))
        case .success(let tls):
            defer { tls.close() }
            return Report(address: address, key: tls.peerKey, result: .failure(refuse(tls, busy)))
        }
    }

    /// The TLS handshake with a client, bounded as a whole by the timeout and half a second, so
    /// that a client that dribbles a byte at a time cannot hold a session slot.
    private func handshake(_ socket: TCPSocket, timeout: Double) -> Result<TLSStream, SyncError> {
        socket.setTimeouts(timeout)
        let handshakeDeadline = socket.deadline(timeout + 0.5)
        let timedOut = SyncError(.timeout, .handshakeTimedOut(seconds: timeout))
        do {
            let tls = try TLSStream(socket: socket, context: context, timeout: timeout)
            // The deadline may have fired as the handshake ended: the socket is shut down then.
            guard handshakeDeadline.cancel() else {
                tls.close()
                return .failure(timedOut)
            }
            return .success(tls)
        } catch {
            handshakeDeadline.cancel()
            if handshakeDeadline.fired { return .failure(timedOut) }
            return .failure((error as? StreamError)?.handshakeError ?? SyncError(.connectionLost, "TLS handshake: \(error)"))
        }
    }

    /// One client: handshake, key check against the policy, then the session.
    func serve(_ socket: TCPSocket) -> Report {
        let address = socket.peerDescription
        let tls: TLSStream
        switch handshake(socket, timeout: config.timeout) {
        case .failure(let e): return Report(address: address, key: nil, result: .failure(e))
        case .success(let t): tls = t
        }
        defer { tls.close() }
        let key = tls.peerKey
        let store: Store
        do { store = try Store.open(at: config.store) } catch {
            return Report(address: address, key: key, result: .failure(refuse(tls, SyncError.store(error))))
        }
        do {
            let allowed: Bool
            switch config.policy {
            case .any: allowed = true
            case .peers: allowed = try store.isPinnedPeer(key)
            case .known: allowed = try store.isKnownKey(key)
            }
            guard allowed else {
                let e = SyncError(.peerNotAllowed, .keyNotKnown(key: KeyText.key(bytes: key), policy: config.policy.rawValue))
                return Report(address: address, key: key, result: .failure(refuse(tls, e)))
            }
        } catch {
            return Report(address: address, key: key, result: .failure(refuse(tls, SyncError.store(error))))
        }
        var options = SyncSession.Options()
        options.receives = config.receives
        options.batchCount = config.batchCount
        let replica = StoreReplica(store: store)
        let session = SyncSession(role: .server, replica: replica, options: options)
        session.checkPeer = { hello in
            hello.nodeKey == key ? nil : SyncError(.wrongPeerKey, .helloKeyMismatch)
        }
        let result = Result { () throws(SyncError) in try SyncRunner.run(session, over: tls) }
        replica.close()
        if !result.ownStoreFailed {
            try? store.recordPeer(key: key, url: nil, heads: session.peerHolds, exact: session.exactNamespaces, sent: session.stats.sent,
                              received: session.stats.received, completed: session.isFinished)
        }
        var report = Report(address: address, key: key, result: result)
        report.stats = (try? result.get()) ?? session.stats
        return report
    }

    /// Tells the client why it is refused, then reads what it already sent (for at most a second)
    /// before closing: closing with unread data would reset the connection and could destroy the
    /// error message before the client reads it.
    private func refuse(_ tls: TLSStream, _ error: SyncError) -> SyncError {
        try? tls.write(FrameWriter.frame(SyncMessage.error(code: error.code.rawValue, text: error.peerDetail).encoded()))
        tls.socket?.setTimeouts(1)
        let drainDeadline = tls.socket?.deadline(1)
        defer { drainDeadline?.cancel() }
        var buffer = [UInt8](repeating: 0, count: 16_384)
        var drained = 0
        while drained < 1 << 20, let n = try? buffer.withUnsafeMutableBytes({ try tls.read(into: $0) }), n > 0 { drained += n }
        return error
    }
}
