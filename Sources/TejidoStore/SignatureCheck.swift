import Foundation
import TejidoCore
import TejidoCrypto

/// Checks the signatures of a batch on worker threads while the caller merges the changesets
/// already checked: verification of changeset i+1.. overlaps the merge of changeset i.
///
/// `@unchecked Sendable`: `results` and `cancelled` are guarded by `condition`; the envelopes are
/// immutable after init.
final class SignatureCheck: @unchecked Sendable {
    private let envelopes: [ChangesetEnvelope]
    private let condition = NSCondition()
    private var results: [Bool?]
    private var cancelled = false
    private var running: Int

    /// Starts `workers` threads, each taking every `workers`-th envelope in order.
    init(_ envelopes: [ChangesetEnvelope], workers: Int) {
        self.envelopes = envelopes
        results = Array(repeating: nil, count: envelopes.count)
        let n = max(1, min(workers, envelopes.count))
        running = n
        for w in 0..<n {
            Thread { [self] in
                let verifier = Ed25519Verifier()
                var i = w
                while i < envelopes.count {
                    condition.lock()
                    let stop = cancelled
                    condition.unlock()
                    if stop { break }
                    let ok = envelopes[i].hasValidSignature(using: verifier)
                    condition.lock()
                    results[i] = ok
                    condition.broadcast()
                    condition.unlock()
                    i += n
                }
                condition.lock()
                running -= 1
                condition.broadcast()
                condition.unlock()
            }.start()
        }
    }

    /// Whether envelope `i` carries a valid signature, waiting for its check if needed.
    func isValid(_ i: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while results[i] == nil { condition.wait() }
        return results[i]!
    }

    /// Stops the workers and waits for them (after a failure, or at the end).
    func finish() {
        condition.lock()
        cancelled = true
        while running > 0 { condition.wait() }
        condition.unlock()
    }
}
