import Foundation
import TejidoCrypto
import TejidoSystem

/// Checks chunks of `verify`'s rows (format, id, row columns, network, strict signature) on
/// `workers` threads of its own and on the calling thread, which takes a queued chunk itself
/// whenever the result it needs is not ready: exactly one busy thread per core, none waiting
/// while there is work, and no thread pool creating more threads than cores.
///
/// `@unchecked Sendable`: every mutable field is guarded by `condition`; rows are immutable
/// once submitted.
final class VerifyPool: @unchecked Sendable {
    private let network: [UInt8]
    private let condition = NSCondition()
    /// Chunks submitted and not yet taken by any thread, oldest first.
    private var queued: [(index: Int, rows: [Store.Row])] = []
    private var results: [Int: [Store.RowCheck]] = [:]
    private var submitted = 0
    private var stopping = false
    private var running = 0
    /// The calling thread's own verifier: a verifier keeps OpenSSL state and is not shared.
    private let callerVerifier = Ed25519Verifier()

    init(network: [UInt8], workers: Int) {
        self.network = network
        running = workers
        // A worker the system will not start leaves its share to the calling thread, which
        // checks queued chunks itself whenever a result it needs is not ready.
        for _ in 0..<workers where !WorkerThread.start(name: "tejido.verify", { [self] in work() }) {
            condition.lock()
            running -= 1
            condition.unlock()
        }
    }

    /// Queues a chunk and returns the number to ask `result` for.
    func submit(_ rows: [Store.Row]) -> Int {
        condition.lock()
        defer { condition.unlock() }
        let index = submitted
        submitted += 1
        queued.append((index, rows))
        condition.signal()
        return index
    }

    /// The checks of chunk `index`, in row order. While they are not ready, the calling thread
    /// checks the oldest queued chunk (it may be this one) instead of waiting. When nothing is
    /// queued and a worker still has the chunk, `wait: false` returns nil at once, so that the
    /// caller can read and queue more rows rather than sit idle.
    func result(_ index: Int, wait: Bool = true) -> [Store.RowCheck]? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let done = results.removeValue(forKey: index) { return done }
            if !queued.isEmpty {
                let chunk = queued.removeFirst()
                condition.unlock()
                let checks = check(chunk.rows, verifier: callerVerifier)
                condition.lock()
                if chunk.index == index { return checks }
                results[chunk.index] = checks
                continue
            }
            if !wait { return nil }
            condition.wait()
        }
    }

    /// Stops the workers and waits for them; chunks still queued are dropped.
    func finish() {
        condition.lock()
        stopping = true
        queued.removeAll()
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    private func work() {
        let verifier = Ed25519Verifier()
        condition.lock()
        while true {
            while queued.isEmpty && !stopping { condition.wait() }
            if stopping { break }
            let chunk = queued.removeFirst()
            condition.unlock()
            let checks = check(chunk.rows, verifier: verifier)
            condition.lock()
            results[chunk.index] = checks
            condition.broadcast()
        }
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    private func check(_ rows: [Store.Row], verifier: Ed25519Verifier) -> [Store.RowCheck] {
        rows.map { Store.check($0, network: network, verifier: verifier) }
    }
}
