import COpenSSL
import Foundation

/// One TLS 1.3 connection over a connected socket, or over a pair of pipes (a child's stdin and
/// stdout, or this process's). Owns the `SSL` object, not the descriptors. Used by one thread at a time.
public final class TLSConnection {
    private let ssl: OpaquePointer
    private let context: TLSContext
    /// Over pipes: the descriptors, how long any wait may last, and the two memory BIOs between
    /// OpenSSL and them (owned by `ssl`). The descriptors stay as they are (blocking or not): this
    /// side polls before each read and writes at most `PIPE_BUF` bytes once the pipe is writable,
    /// so no call blocks past the timeout, and descriptors shared with other processes (the stdin
    /// and stdout of `serve --stdio`) are never changed.
    private let pipes: Pipes?
    private typealias Pipes = (read: Int32, write: Int32, timeout: Double, fromPeer: OpaquePointer, toPeer: OpaquePointer)
    /// Over pipes to a child: false once the child has ended. Another process may still hold the
    /// pipes (a background process the child left behind), so their staying open says nothing.
    private let peerAlive: (() -> Bool)?
    /// The peer's Ed25519 public key, read from its certificate once the handshake is done.
    public private(set) var peerKey: [UInt8]?

    public enum Failure: Error, Sendable, CustomStringConvertible {
        case timedOut
        case closed
        case failed(String)
        case certificate(PeerCertificateProblem)
        /// The peer answered with something that is not TLS (plain text, HTTP).
        case notTLS

        public var description: String {
            switch self {
            case .timedOut: "timed out"
            case .closed: "connection closed"
            case .notTLS: "the peer answered with something other than TLS"
            case .failed(let d): d
            case .certificate(let p): p.description
            }
        }
    }

    /// Why the certificate the peer presented proves no usable key. Typed, so that a user
    /// interface can say it in its own language; `description` is the English.
    public enum PeerCertificateProblem: Error, Sendable, Equatable, CustomStringConvertible {
        case none
        case notEd25519
        case unreadableKey
        case failsStrictChecks

        public var description: String {
            switch self {
            case .none: "the peer presented no certificate"
            case .notEd25519: "the peer's certificate does not hold an Ed25519 key"
            case .unreadableKey: "unreadable peer key"
            case .failsStrictChecks: "the peer's certificate key fails the strict Ed25519 checks"
            }
        }
    }

    public init(context: TLSContext, socket: Int32) throws(Failure) {
        CryptoError.clearQueue()
        guard let ssl = SSL_new(context.ctx) else { throw .failed(CryptoError.fromQueue("SSL_new").description) }
        self.ssl = ssl
        self.context = context
        pipes = nil
        peerAlive = nil
        guard SSL_set_fd(ssl, socket) == 1 else { throw .failed(CryptoError.fromQueue("SSL_set_fd").description) }
    }

    /// A connection that reads `readFD` and writes `writeFD` (two pipes); every wait for either
    /// lasts at most `timeout` seconds. With `peerAlive`, a wait also ends, as a closed
    /// connection, soon after it returns false with nothing left to read or room to write.
    public init(context: TLSContext, readFD: Int32, writeFD: Int32, timeout: Double, peerAlive: (() -> Bool)? = nil) throws(Failure) {
        CryptoError.clearQueue()
        guard let ssl = SSL_new(context.ctx) else { throw .failed(CryptoError.fromQueue("SSL_new").description) }
        self.ssl = ssl
        self.context = context
        self.peerAlive = peerAlive
        guard let fromPeer = BIO_new(BIO_s_mem()) else {
            pipes = nil
            throw .failed(CryptoError.fromQueue("BIO_new").description)
        }
        guard let toPeer = BIO_new(BIO_s_mem()) else {
            BIO_free(fromPeer)
            pipes = nil
            throw .failed(CryptoError.fromQueue("BIO_new").description)
        }
        SSL_set_bio(ssl, fromPeer, toPeer)
        pipes = (readFD, writeFD, max(0.001, min(timeout, 86_400)), fromPeer, toPeer)
        // A peer that goes away must be an error, not a signal that ends the process.
        signal(SIGPIPE, SIG_IGN)
    }

    deinit { SSL_free(ssl) }

    /// Runs one OpenSSL call to completion: over pipes, after each try it sends what OpenSSL wrote
    /// and, if OpenSSL needs more input, waits for the peer's bytes and tries again. Returns the
    /// call's last result (1 for success).
    private func drive(_ call: () -> Int32) throws(Failure) -> Int32 {
        while true {
            CryptoError.clearQueue()
            let rc = call()
            guard let p = pipes else { return rc }
            try flush(p)
            guard rc != 1, SSL_get_error(ssl, rc) == SSL_ERROR_WANT_READ else { return rc }
            try fill(p)
        }
    }

    /// Writes everything OpenSSL has queued for the peer.
    private func flush(_ p: Pipes, timeout: Double? = nil) throws(Failure) {
        var chunk = [UInt8](repeating: 0, count: Int(PIPE_BUF))
        while BIO_ctrl_pending(p.toPeer) > 0 {
            let n = Int(BIO_read(p.toPeer, &chunk, Int32(chunk.count)))
            guard n > 0 else { return }
            var done = 0
            while done < n {
                try wait(p.write, for: POLLOUT, timeout ?? p.timeout)
                let w = chunk.withUnsafeBytes { Foundation.write(p.write, $0.baseAddress! + done, n - done) }
                if w > 0 { done += w; continue }
                if w < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if w < 0 && errno == EPIPE { throw .closed }
                throw .failed("write: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Reads what the peer has sent (waiting at most the timeout) into OpenSSL's input.
    private func fill(_ p: Pipes) throws(Failure) {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            try wait(p.read, for: POLLIN, p.timeout)
            let n = buffer.withUnsafeMutableBytes { Foundation.read(p.read, $0.baseAddress, $0.count) }
            if n > 0 {
                _ = BIO_write(p.fromPeer, buffer, Int32(n))
                return
            }
            if n == 0 { throw .closed }
            if errno == EINTR || errno == EAGAIN { continue }
            if errno == ECONNRESET { throw .closed }
            throw .failed("read: \(String(cString: strerror(errno)))")
        }
    }

    private func wait(_ fd: Int32, for event: Int32, _ timeout: Double) throws(Failure) {
        var pfd = pollfd(fd: fd, events: Int16(event), revents: 0)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            var slice = deadline.timeIntervalSinceNow
            if peerAlive != nil { slice = min(slice, Self.peerCheckSeconds) }
            let r = poll(&pfd, 1, Int32(max(0, slice) * 1000))
            if r > 0 { return }
            if r < 0 {
                if errno != EINTR { throw .failed("poll: \(String(cString: strerror(errno)))") }
                continue
            }
            if let peerAlive, !peerAlive() {
                // The child has ended. Bytes it wrote before it did are read first; after that,
                // nobody is left to answer, whoever else still holds the pipe.
                if poll(&pfd, 1, 0) > 0 { return }
                throw .closed
            }
            if Date() >= deadline { throw .timedOut }
        }
    }

    /// How often a wait on a child's pipes checks that the child still runs.
    static let peerCheckSeconds = 0.2

    /// Runs the handshake; afterwards `peerKey` is the key of the peer's Ed25519 certificate.
    public func handshake() throws(Failure) {
        let rc = try drive { context.side == .client ? SSL_connect(ssl) : SSL_accept(ssl) }
        guard rc == 1 else { throw failure(rc, "handshake") }
        guard let cert = tejido_ssl_peer_certificate(ssl) else { throw .certificate(.none) }
        defer { X509_free(cert) }
        guard let key = X509_get0_pubkey(cert), EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 else {
            throw .certificate(.notEd25519)
        }
        var raw = [UInt8](repeating: 0, count: 32)
        var len = 32
        guard EVP_PKEY_get_raw_public_key(key, &raw, &len) == 1, len == 32 else { throw .certificate(.unreadableKey) }
        // OpenSSL accepts signatures under small-order keys that no one holds the secret of; such
        // a key proves nothing, so it is refused like any other invalid key.
        guard Ed25519PublicKey(bytes: raw) != nil else { throw .certificate(.failsStrictChecks) }
        peerKey = raw
    }

    /// Reads up to `buffer.count` bytes; 0 when the peer closed the connection cleanly.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(Failure) -> Int {
        var got = 0
        let rc = try drive { SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &got) }
        if rc == 1 { return got }
        if SSL_get_error(ssl, rc) == SSL_ERROR_ZERO_RETURN { return 0 }
        throw failure(rc, "read")
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
        var done = 0
        while done < bytes.count {
            var wrote = 0
            let rc = try drive { SSL_write_ex(ssl, bytes.baseAddress! + done, bytes.count - done, &wrote) }
            guard rc == 1 else { throw failure(rc, "write") }
            done += wrote
        }
    }

    /// Bytes read from and written to the socket or pipes so far, TLS records and handshake included.
    public var socketBytesRead: UInt64 { SSL_get_rbio(ssl).map { BIO_number_read($0) } ?? 0 }
    public var socketBytesWritten: UInt64 { SSL_get_wbio(ssl).map { BIO_number_written($0) } ?? 0 }

    /// Sends close_notify (best effort; the socket or pipes are closed by their owner).
    public func shutdown() {
        CryptoError.clearQueue()
        _ = SSL_shutdown(ssl)
        // A peer that no longer reads must not hold this side for the whole timeout.
        if let p = pipes { try? flush(p, timeout: min(1, p.timeout)) }
    }

    private func failure(_ rc: Int32, _ what: String) -> Failure {
        let code = SSL_get_error(ssl, rc)
        let err = errno
        switch code {
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .timedOut
        case SSL_ERROR_SYSCALL:
            if err == EAGAIN || err == EWOULDBLOCK { return .timedOut }
            let queued = CryptoError.fromQueue(what)
            if err == 0 && queued.reason == "unknown error" { return .closed }
            return err == 0 ? .failed(queued.description) : .failed("\(what): \(String(cString: strerror(err)))")
        default:
            // OpenSSL 3 reports a peer that closed without close_notify as an error of its own.
            if tejido_err_is_unexpected_eof() == 1 {
                CryptoError.clearQueue()
                return .closed
            }
            if tejido_err_is_not_tls() == 1 {
                CryptoError.clearQueue()
                return .notTLS
            }
            return .failed(CryptoError.fromQueue("TLS \(what)").description)
        }
    }
}
