import Foundation

/// Two pipe pairs with a relay between them that forwards `budget` bytes (both directions
/// together) and then closes its ends, like an ssh link that dies mid-session. The client uses
/// `clientRead`/`clientWrite`, the server `serverRead`/`serverWrite`; each side closes its own.
///
/// `@unchecked Sendable`: `forwarded` and `cut` are only touched under `lock`; each relay thread
/// owns the two descriptors it reads and writes and closes them, once, when it stops.
final class CuttingPipeRelay: @unchecked Sendable {
    let clientRead: Int32
    let clientWrite: Int32
    let serverRead: Int32
    let serverWrite: Int32
    private let budget: Int
    private let lock = NSLock()
    private var forwarded = 0
    private var cut = false
    private let finished = DispatchGroup()

    init(budget: Int) throws {
        var fromClient: [Int32] = [0, 0], toServer: [Int32] = [0, 0], fromServer: [Int32] = [0, 0], toClient: [Int32] = [0, 0]
        guard pipe(&fromClient) == 0, pipe(&toServer) == 0, pipe(&fromServer) == 0, pipe(&toClient) == 0 else {
            throw NSError(domain: "pipe", code: Int(errno))
        }
        (clientRead, clientWrite, serverRead, serverWrite) = (toClient[0], fromClient[1], toServer[0], fromServer[1])
        self.budget = budget
        // A side that has gone must be a failed write here, not a signal that ends the tests.
        signal(SIGPIPE, SIG_IGN)
        relay(from: fromClient[0], to: toServer[1])
        relay(from: fromServer[0], to: toClient[1])
    }

    /// Waits for both directions to stop; returns the bytes forwarded.
    func wait() -> Int {
        finished.wait()
        lock.lock()
        defer { lock.unlock() }
        return forwarded
    }

    private var isCut: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cut
    }

    /// How many of `wanted` bytes may still go; zero marks the link cut.
    private func reserve(_ wanted: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        let take = cut ? 0 : min(wanted, budget - forwarded)
        forwarded += take
        if forwarded >= budget || take == 0 { cut = true }
        return take
    }

    private func markCut() {
        lock.lock()
        cut = true
        lock.unlock()
    }

    private func relay(from source: Int32, to destination: Int32) {
        finished.enter()
        Thread { [self] in
            defer {
                close(source)
                close(destination)
                finished.leave()
            }
            var buffer = [UInt8](repeating: 0, count: Int(PIPE_BUF))
            while !isCut {
                var pin = pollfd(fd: source, events: Int16(POLLIN), revents: 0)
                guard poll(&pin, 1, 50) > 0 else { continue }
                let n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
                if n <= 0 { markCut(); return }
                // Bytes past the budget are read but never forwarded: the link died under them.
                let take = reserve(n)
                var done = 0
                while done < take {
                    var pout = pollfd(fd: destination, events: Int16(POLLOUT), revents: 0)
                    guard poll(&pout, 1, 50) > 0 else { if isCut { return }; continue }
                    let w = buffer.withUnsafeBytes { write(destination, $0.baseAddress! + done, take - done) }
                    if w <= 0 { markCut(); return }
                    done += w
                }
            }
        }.start()
    }
}
