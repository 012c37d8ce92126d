import Foundation
import TejidoCrypto
import TejidoStore

/// One session of `tejido serve --stdio`: TLS 1.3 over two pipes (this process's stdin and
/// stdout, under ssh or a local sync), then the session, with the same checks as a TCP server's
/// session except the trust policy: whoever may start the command (ssh, file permissions) may
/// sync. The client's certificate proves its node key, and the channel is encrypted end to end,
/// whatever relays the pipe.
public enum StdioServer {
    public struct Outcome {
        /// The client's node key, proven by its certificate; nil if the handshake failed.
        public let key: [UInt8]?
        public let result: Result<SyncStats, SyncError>
        /// True if the failure came before the session (nothing could be said in-band).
        public let failedInHandshake: Bool
        /// True if the client closed the pipe during the handshake: it reports its own failure.
        public var clientHungUp = false
        /// Counters of the session, also when it failed.
        public var stats = SyncStats()
    }

    public static func serve(store: Store, readFD: Int32, writeFD: Int32, options: SyncSession.Options, timeout: Double) -> Outcome {
        signal(SIGPIPE, SIG_IGN)
        let me = store.nodeKey
        let stream: TLSStream
        do {
            let certificate = try TLSCertificate(nodeKey: me)
            let context = try TLSContext(side: .server, certificate: certificate)
            stream = try TLSStream(readFD: readFD, writeFD: writeFD, context: context, timeout: timeout) {}
        } catch {
            let e = (error as? StreamError)?.handshakeError ?? SyncError(.connectionLost, "TLS handshake: \(error)")
            var outcome = Outcome(key: nil, result: .failure(e), failedInHandshake: true)
            if case .closed? = error as? StreamError { outcome.clientHungUp = true }
            return outcome
        }
        defer { stream.close() }
        let key = stream.peerKey
        let replica = StoreReplica(store: store)
        let session = SyncSession(role: .server, replica: replica, options: options)
        session.checkPeer = { hello in
            if hello.nodeKey != key { return SyncError(.wrongPeerKey, .helloKeyMismatch) }
            if key == me.publicKey.bytes { return SyncError(.sameNode, .clientIsThisNode) }
            return nil
        }
        let result = Result { () throws(SyncError) in try SyncRunner.run(session, over: stream) }
        replica.close()
        if session.peerHello != nil, !result.ownStoreFailed {
            do {
                try store.recordPeer(key: key, url: nil, heads: session.peerHolds, exact: session.exactNamespaces, sent: session.stats.sent,
                                     received: session.stats.received, completed: session.isFinished)
            } catch {
                if case .success = result { return Outcome(key: key, result: .failure(SyncError.store(error)), failedInHandshake: false) }
            }
        }
        var outcome = Outcome(key: key, result: result, failedInHandshake: false)
        outcome.stats = (try? result.get()) ?? session.stats
        return outcome
    }
}
