import Foundation
import TejidoCore
import TejidoCrypto
import TejidoSystem

/// Parses a batch of envelopes and checks their signatures on worker threads, while the caller
/// merges the ones already checked: the strict decode and the signature of changeset i+1..
/// overlap the merge of changeset i, and the merging thread never decodes.
///
/// `@unchecked Sendable`: `results` and `cancelled` are guarded by `condition`; the input bytes
/// are immutable after init.
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
    private var cancelled = false
    private var running: Int
    /// Workers, and those the system would not start: their envelopes are checked by the caller.
    private let workerCount: Int
    private var unstarted: Set<Int> = []
    /// The caller's verifier, for the envelopes of unstarted workers (made on first use).
    private var callerVerifier: Ed25519Verifier?

    /// Starts `workers` threads, each taking every `workers`-th envelope in order.
    init(_ envelopes: [[UInt8]], workers: Int) {
        self.envelopes = envelopes
        results = Array(repeating: nil, count: envelopes.count)
        let n = max(1, min(workers, envelopes.count))
        running = n
        workerCount = n
        for w in 0..<n {
            let started = WorkerThread.start(name: "tejido.check") { [self] in
                let verifier = Ed25519Verifier()
                var i = w
                while i < envelopes.count {
                    condition.lock()
                    let stop = cancelled
                    condition.unlock()
                    if stop { break }
                    let result = Self.check(envelopes[i], verifier)
                    condition.lock()
                    results[i] = result
                    condition.broadcast()
                    condition.unlock()
                    i += n
                }
                condition.lock()
                running -= 1
                condition.broadcast()
                condition.unlock()
            }
            if !started {
                // Under the lock: workers started before this one may be finishing already.
                condition.lock()
                running -= 1
                unstarted.insert(w)
                condition.unlock()
            }
        }
    }

    private static func check(_ bytes: [UInt8], _ verifier: Ed25519Verifier) -> Result {
        do throws(FormatError) {
            let env = try ChangesetEnvelope(bytes: bytes)
            return .parsed(env, signed: env.hasValidSignature(using: verifier))
        } catch {
            return .malformed(error)
        }
    }

    /// Envelope `i`, parsed and checked, waiting for its worker if needed (or checked here, if
    /// its worker could not be started).
    func result(_ i: Int) -> Result {
        condition.lock()
        defer { condition.unlock() }
        if results[i] == nil, unstarted.contains(i % workerCount) {
            if callerVerifier == nil { callerVerifier = Ed25519Verifier() }
            results[i] = Self.check(envelopes[i], callerVerifier!)
        }
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

    /// Worker threads for a batch: every core but the merging thread's.
    static var workers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount - 1) }
}
