import Foundation
import Testing
@testable import TejidoSync

@Suite struct TCPSocketTests {
    /// A timeout too small for a `timeval` still times out: a zero `timeval` would mean none, and
    /// a silent peer would hold the connection forever.
    @Test func aTinyTimeoutStillEndsAReadFromASilentPeer() throws {
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        let port = try #require(Int(listener.address.split(separator: ":").last ?? ""))
        let client = try TCPSocket.connect(host: "127.0.0.1", port: port, timeout: 5)
        let server = try #require(try listener.accept(timeout: 5))
        server.setTimeouts(1e-7)
        // Were there no timeout, the peer's close after 3 s ends the read (with 0, a failure here)
        // instead of the test hanging.
        DispatchQueue.global().asyncAfter(deadline: .now() + 3) { client.close() }
        var byte: UInt8 = 0
        let started = Date()
        let n = read(server.fd, &byte, 1)
        let failedWith = errno
        #expect(n < 0 && (failedWith == EAGAIN || failedWith == EWOULDBLOCK))
        #expect(Date().timeIntervalSince(started) < 2)
        server.close()
    }
}
