import TejidoCrypto

/// A TLS 1.3 connection as a stream for a session: over a TCP socket, or over a pair of pipes (a
/// child process's stdin and stdout for a local or ssh sync, or this process's own for
/// `serve --stdio`). Every carrier runs the same handshake, so every peer key is proven the same way.
public final class TLSStream: ByteStream {
    /// The TCP socket, when the stream runs over one.
    public let socket: TCPSocket?
    public let connection: TLSConnection
    private let timeout: Double
    private let closeTransport: () -> Void

    /// Runs the handshake over `socket`; throws on failure (the socket is closed).
    public init(socket: TCPSocket, context: TLSContext, timeout: Double) throws {
        self.socket = socket
        self.timeout = timeout
        closeTransport = { socket.close() }
        do {
            connection = try TLSConnection(context: context, socket: socket.fd)
            try connection.handshake()
        } catch {
            socket.close()
            throw Self.map(error, timeout: timeout)
        }
    }

    /// Runs the handshake over two pipes; `close` ends the connection, then calls `closeTransport`
    /// (which closes the pipes, or waits for the child). Throws on failure, after `closeTransport`.
    /// `peerAlive` (for a child's pipes) turns a wait into a closed connection soon after the
    /// child has ended, even while a process it left behind holds the pipes open.
    public init(readFD: Int32, writeFD: Int32, context: TLSContext, timeout: Double, peerAlive: (() -> Bool)? = nil,
                closeTransport: @escaping () -> Void) throws {
        socket = nil
        self.timeout = timeout
        self.closeTransport = closeTransport
        do {
            connection = try TLSConnection(context: context, readFD: readFD, writeFD: writeFD, timeout: timeout, peerAlive: peerAlive)
            try connection.handshake()
        } catch {
            closeTransport()
            throw Self.map(error, timeout: timeout)
        }
    }

    /// The peer's node key, from its certificate.
    public var peerKey: [UInt8] { connection.peerKey ?? [] }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        do { return try connection.read(into: buffer) } catch { throw Self.map(error, timeout: timeout) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        do { try connection.write(bytes) } catch { throw Self.map(error, timeout: timeout) }
    }

    /// Ends the session and closes the transport (for a local child, waits for it to exit);
    /// a second call does nothing.
    public func close() {
        guard !closed else { return }
        closed = true
        connection.shutdown()
        closeTransport()
    }

    private var closed = false

    static func map(_ error: any Error, timeout: Double) -> StreamError {
        switch error as? TLSConnection.Failure {
        case .timedOut?: .timedOut(seconds: timeout)
        case .closed?: .closed
        case .failed(let d)?: .tls(d)
        case .notTLS?: .notTLS
        case .certificate(let p)?: .certificate(p)
        case nil: .tls("\(error)")
        }
    }
}
