import COpenSSL
import Foundation

/// One TLS 1.3 connection over a connected socket, or over a pair of pipes (a child's stdin and
/// stdout, or this process's). Owns the `SSL` object, not the descriptors. Used by one thread at a time.
public final class TLSConnection {
    private let ssl: OpaquePointer
    private let context: TLSContext
    /// Over pipes: the two descriptors (made non-blocking) and how long to wait for either.
    private var pipes: (read: Int32, write: Int32, timeout: Double, savedFlags: (Int32, Int32))?
    /// The peer's Ed25519 public key, read from its certificate once the handshake is done.
    public private(set) var peerKey: [UInt8]?

    public enum Failure: Error, Sendable, CustomStringConvertible {
        case timedOut
        case closed
        case failed(String)

        public var description: String {
            switch self {
            case .timedOut: "timed out"
            case .closed: "connection closed"
            case .failed(let d): d
            }
        }
    }

    public init(context: TLSContext, socket: Int32) throws(Failure) {
        CryptoError.clearQueue()
        guard let ssl = SSL_new(context.ctx) else { throw .failed(CryptoError.fromQueue("SSL_new").description) }
        self.ssl = ssl
        self.context = context
        guard SSL_set_fd(ssl, socket) == 1 else { throw .failed(CryptoError.fromQueue("SSL_set_fd").description) }
    }

    /// A connection that reads `readFD` and writes `writeFD` (two pipes). Both are made
    /// non-blocking for the life of the connection; every wait for either is at most `timeout` seconds.
    public init(context: TLSContext, readFD: Int32, writeFD: Int32, timeout: Double) throws(Failure) {
        CryptoError.clearQueue()
        guard let ssl = SSL_new(context.ctx) else { throw .failed(CryptoError.fromQueue("SSL_new").description) }
        self.ssl = ssl
        self.context = context
        guard let rbio = BIO_new_fd(readFD, BIO_NOCLOSE), let wbio = BIO_new_fd(writeFD, BIO_NOCLOSE) else {
            throw .failed(CryptoError.fromQueue("BIO_new_fd").description)
        }
        SSL_set_bio(ssl, rbio, wbio)
        let saved = (fcntl(readFD, F_GETFL), fcntl(writeFD, F_GETFL))
        _ = fcntl(readFD, F_SETFL, saved.0 | O_NONBLOCK)
        _ = fcntl(writeFD, F_SETFL, saved.1 | O_NONBLOCK)
        pipes = (readFD, writeFD, timeout, saved)
    }

    deinit {
        restoreBlocking()
        SSL_free(ssl)
    }

    /// Gives the pipes back their blocking mode (they may be this process's stdin and stdout).
    private func restoreBlocking() {
        guard let p = pipes else { return }
        if p.savedFlags.0 >= 0 { _ = fcntl(p.read, F_SETFL, p.savedFlags.0) }
        if p.savedFlags.1 >= 0 { _ = fcntl(p.write, F_SETFL, p.savedFlags.1) }
        pipes = nil
    }

    /// Over pipes, waits until OpenSSL can go on after `rc` asked to read or write; false for any
    /// other outcome (the caller reports it). Throws when the wait times out.
    private func waited(_ rc: Int32) throws(Failure) -> Bool {
        guard let p = pipes else { return false }
        let code = SSL_get_error(ssl, rc)
        let fd: Int32
        let events: Int32
        switch code {
        case SSL_ERROR_WANT_READ: (fd, events) = (p.read, Int32(POLLIN))
        case SSL_ERROR_WANT_WRITE: (fd, events) = (p.write, Int32(POLLOUT))
        default: return false
        }
        var pfd = pollfd(fd: fd, events: Int16(events), revents: 0)
        while true {
            let r = poll(&pfd, 1, Int32(min(p.timeout, 86_400) * 1000))
            if r > 0 { return true }
            if r == 0 { throw .timedOut }
            if errno != EINTR { throw .failed("poll: \(String(cString: strerror(errno)))") }
        }
    }

    /// Runs the handshake; afterwards `peerKey` is the key of the peer's Ed25519 certificate.
    public func handshake() throws(Failure) {
        var rc: Int32
        while true {
            CryptoError.clearQueue()
            rc = context.side == .client ? SSL_connect(ssl) : SSL_accept(ssl)
            if rc == 1 { break }
            if try !waited(rc) { throw failure(rc, "handshake") }
        }
        guard let cert = tejido_ssl_peer_certificate(ssl) else { throw .failed("the peer presented no certificate") }
        defer { X509_free(cert) }
        guard let key = X509_get0_pubkey(cert), EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 else {
            throw .failed("the peer's certificate does not hold an Ed25519 key")
        }
        var raw = [UInt8](repeating: 0, count: 32)
        var len = 32
        guard EVP_PKEY_get_raw_public_key(key, &raw, &len) == 1, len == 32 else { throw .failed("unreadable peer key") }
        // OpenSSL accepts signatures under small-order keys that no one holds the secret of; such
        // a key proves nothing, so it is refused like any other invalid key.
        guard Ed25519PublicKey(bytes: raw) != nil else { throw .failed("the peer's certificate key fails the strict Ed25519 checks") }
        peerKey = raw
    }

    /// Reads up to `buffer.count` bytes; 0 when the peer closed the connection cleanly.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(Failure) -> Int {
        var got = 0
        while true {
            CryptoError.clearQueue()
            let rc = SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &got)
            if rc == 1 { return got }
            if SSL_get_error(ssl, rc) == SSL_ERROR_ZERO_RETURN { return 0 }
            if try !waited(rc) { throw failure(rc, "read") }
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
        var done = 0
        while done < bytes.count {
            CryptoError.clearQueue()
            var wrote = 0
            let rc = SSL_write_ex(ssl, bytes.baseAddress! + done, bytes.count - done, &wrote)
            if rc != 1, try waited(rc) { continue }
            guard rc == 1 else { throw failure(rc, "write") }
            done += wrote
        }
    }

    /// Bytes read from and written to the socket so far, TLS records and handshake included.
    public var socketBytesRead: UInt64 { SSL_get_rbio(ssl).map { BIO_number_read($0) } ?? 0 }
    public var socketBytesWritten: UInt64 { SSL_get_wbio(ssl).map { BIO_number_written($0) } ?? 0 }

    /// Sends close_notify (best effort; the socket or pipes are closed by their owner).
    public func shutdown() {
        CryptoError.clearQueue()
        _ = SSL_shutdown(ssl)
        restoreBlocking()
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
            return .failed(CryptoError.fromQueue("TLS \(what)").description)
        }
    }
}
