import Foundation
import TejidoSync

/// A TCP proxy for one connection that forwards `budget` bytes (both directions together) and
/// then drops both sides, like a link that dies mid-session.
final class CuttingProxy: @unchecked Sendable {
    // `@unchecked Sendable`: `forwarded` is written by the proxy thread and read after `finished`.
    let listener: TCPListener
    let port: Int
    private let upstream: Int
    private let budget: Int
    private(set) var forwarded = 0
    private let finished = DispatchSemaphore(value: 0)

    init(upstreamPort: Int, budget: Int) throws {
        listener = try TCPListener(host: "127.0.0.1", port: 0)
        port = Int(listener.address.split(separator: ":").last!)!
        upstream = upstreamPort
        self.budget = budget
        Thread { [self] in
            run()
            finished.signal()
        }.start()
    }

    /// Waits for the proxy to finish its one connection; returns the bytes it forwarded.
    func wait() -> Int {
        finished.wait()
        return forwarded
    }

    private func run() {
        guard let client = try? listener.accept(timeout: 10),
            let server = try? TCPSocket.connect(host: "127.0.0.1", port: upstream, timeout: 10)
        else { return }
        defer {
            shutdown(client.fd, Int32(SHUT_RDWR))
            shutdown(server.fd, Int32(SHUT_RDWR))
            client.close()
            server.close()
        }
        var fds = [pollfd(fd: client.fd, events: Int16(POLLIN), revents: 0), pollfd(fd: server.fd, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while forwarded < budget {
            guard poll(&fds, 2, 10_000) > 0 else { return }
            for i in 0..<2 where fds[i].revents != 0 {
                let from = fds[i].fd
                let to = fds[1 - i].fd
                let want = min(buffer.count, budget - forwarded)
                let n = read(from, &buffer, want)
                if n <= 0 { return }
                var done = 0
                while done < n {
                    let w = buffer.withUnsafeBytes { write(to, $0.baseAddress! + done, n - done) }
                    if w <= 0 { return }
                    done += w
                }
                forwarded += n
                if forwarded >= budget { return }
            }
        }
    }
}
