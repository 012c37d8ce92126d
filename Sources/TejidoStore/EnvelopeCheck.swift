import Foundation
import TejidoCore
import TejidoCrypto
import TejidoSystem

/// Parses a batch of envelopes and checks their signatures on worker threads, while the caller
/// merges the ones already checked: the strict decode and the signature of changeset i+1..
/// overlap the merge of changeset i.
///
/// Envelopes are claimed one at a time, in order, by whichever thread is free. A caller whose
/// next envelope is not checked yet does not sleep: it claims and checks the next unclaimed one
/// itself, and sleeps only when every envelope is claimed. On two cores a signature costs about
/// what merging its changeset costs, so a caller that slept each time it caught up with the one
/// worker spent a third of a pull waiting (docs/performance.md, thirteenth session).
///
/// `@unchecked Sendable`: `results`, `nextUnclaimed`, `cancelled` and `running` are guarded by
/// `condition`; the input bytes are immutable after init; `callerVerifier` is used outside the
/// lock, by `result` only, which only the one merging thread calls.
final class EnvelopeCheck: @unchecked Sendable {
    /// What became of one envelope.
    enum Result {
        /// Well formed; `signed` tells whether its signature verifies.
        case parsed(ChangesetEnvelope, signed: Bool)
        case malformed(FormatError)
    }

    private let envelopes: [[UInt8]]
    private let condition = NSCondition()
    private var results: [Result?]
    /// Envelopes before this index are claimed: checked, or being checked by some thread.
    private var nextUnclaimed = 0
    private var cancelled = false
    private var running = 0
    /// The caller's verifier (made on first use).
    private var callerVerifier: Ed25519Verifier?

    /// Starts up to `workers` threads (0: the caller checks every envelope itself).
    init(_ envelopes: [[UInt8]], workers: Int) {
        self.envelopes = envelopes
        results = Array(repeating: nil, count: envelopes.count)
        // No more workers than envelopes beyond the first, which the caller needs at once.
        let n = max(0, min(workers, envelopes.count - 1))
        for _ in 0..<n {
            condition.lock()
            running += 1
            condition.unlock()
            let started = WorkerThread.start(name: "tejido.check") { [self] in
                let verifier = Ed25519Verifier()
                condition.lock()
                while !cancelled, let i = claim() {
                    condition.unlock()
                    let result = Self.check(envelopes[i], verifier)
                    condition.lock()
                    results[i] = result
                    condition.broadcast()
                }
                running -= 1
                condition.broadcast()
                condition.unlock()
            }
            if !started {
                // The caller checks what this worker would have: it claims whatever is left.
                condition.lock()
                running -= 1
                condition.unlock()
            }
        }
    }

    /// The next unclaimed envelope, now claimed. Call with `condition` locked.
    private func claim() -> Int? {
        guard nextUnclaimed < envelopes.count else { return nil }
        defer { nextUnclaimed += 1 }
        return nextUnclaimed
    }

    private static func check(_ bytes: [UInt8], _ verifier: Ed25519Verifier) -> Result {
        do throws(FormatError) {
            let env = try ChangesetEnvelope(bytes: bytes)
            return .parsed(env, signed: env.hasValidSignature(using: verifier))
        } catch {
            return .malformed(error)
        }
    }

    /// Envelope `i`, parsed and checked. While it is not ready, the caller checks the next
    /// unclaimed envelope (`i` itself if no thread has claimed it yet); it waits only when every
    /// envelope is claimed.
    func result(_ i: Int) -> Result {
        condition.lock()
        defer { condition.unlock() }
        while results[i] == nil {
            guard let j = claim() else {
                condition.wait()
                continue
            }
            condition.unlock()
            if callerVerifier == nil { callerVerifier = Ed25519Verifier() }
            let result = Self.check(envelopes[j], callerVerifier!)
            condition.lock()
            results[j] = result
            condition.broadcast()
        }
        return results[i]!
    }

    /// Envelope `i` if some thread has checked it already; never waits.
    func readyResult(_ i: Int) -> Result? {
        condition.lock()
        defer { condition.unlock() }
        return results[i]
    }

    /// Stops the workers and waits for them (after a failure, or at the end).
    func finish() {
        condition.lock()
        cancelled = true
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    /// Worker threads for a batch: every core but the merging thread's, which checks envelopes
    /// too whenever the one it needs next is not ready.
    static var workers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount - 1) }
}
