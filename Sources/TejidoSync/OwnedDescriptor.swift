import Foundation

/// A file descriptor closed exactly once, from any thread: once closed, the number may be reused
/// by the process for another file, so nothing may act on it again. Sockets and listeners keep
/// their descriptor in one of these.
///
/// `@unchecked Sendable`: `closed` is guarded by `lock`.
final class OwnedDescriptor: @unchecked Sendable {
    let fd: Int32
    private let lock = NSLock()
    private var closed = false

    init(_ fd: Int32) { self.fd = fd }

    deinit { close() }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        Foundation.close(fd)
    }

    /// Runs `body` with the descriptor unless it was closed; closing waits until `body` is done.
    func ifOpen(_ body: (Int32) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        body(fd)
    }
}
