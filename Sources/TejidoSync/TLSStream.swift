import TejidoCrypto

/// A TLS 1.3 connection over a TCP socket, as a stream for a session. Owns both.
public final class TLSStream: ByteStream {
    public let socket: TCPSocket
    public let connection: TLSConnection
    private let timeout: Double

    /// Runs the handshake over `socket`; throws on failure (the socket is closed).
    public init(socket: TCPSocket, context: TLSContext, timeout: Double) throws {
        self.socket = socket
        self.timeout = timeout
        do {
            connection = try TLSConnection(context: context, socket: socket.fd)
            try connection.handshake()
        } catch {
            socket.close()
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

    public func close() {
        connection.shutdown()
        socket.close()
    }

    static func map(_ error: TLSConnection.Failure, timeout: Double) -> StreamError {
        switch error {
        case .timedOut: .timedOut(seconds: timeout)
        case .closed: .closed
        case .failed(let d): .tls(d)
        }
    }
}
