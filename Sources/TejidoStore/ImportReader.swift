import Foundation
import TejidoCore

/// Reads, parses and checks the import file on its own thread, handing over each changeset's
/// lines (one (replica, txn) run) through a bounded queue, so parsing overlaps merging and signing.
///
/// Every line is parsed once, here. Whether the whole input is good is known only when this
/// reader has reached its end without a failure (`verdict`); until then the applying thread
/// may merge what it has been handed but must not commit, so bad input leaves the store as it
/// was. The queue holds up to `capacity` lines: on inputs larger than that, the first commit
/// waits until the applying thread is within that many lines of the end.
///
/// `@unchecked Sendable`: the queue, the verdict and the flags are only touched under `condition`.
final class ImportReader: @unchecked Sendable {
    /// How the whole input fared, once it has all been read.
    struct Verdict {
        var failure: (any Error)?
        /// Namespace name -> first line naming it.
        var namespaces: [String: Int] = [:]
    }

    private let fd: Int32
    private let options: ImportOptions
    private let onlyReplica: [UInt8]?
    private let condition = NSCondition()
    private var queue: [[ImportLine]] = []
    private var head = 0
    private var queuedLines = 0
    private var finished = false
    private var cancelled = false
    /// After an error elsewhere: read on to the end, checking, but keep nothing.
    private var discarding = false
    private var result = Verdict()

    /// Lines held at most in the queue (about 150 bytes each in the reference workload).
    static let capacity = 1 << 16
    /// Room kept in an envelope for everything but the ops: header fields, up to 1024 deps, signature.
    static let envelopeMargin = 40_000

    init(fd: Int32, options: ImportOptions) {
        self.fd = fd
        self.options = options
        self.onlyReplica = options.replica.map { Array($0.utf8) }
    }

    func run() {
        var verdict = Verdict()
        var group: [ImportLine] = []
        var groupBytes = 0
        do {
            try LineReader(fd: fd).forEachLine { number, bytes in
                guard number > options.afterLine, let line = try ImportLine.parse(bytes, number: number, onlyReplica: onlyReplica) else { return }
                let name = options.namespace ?? line.replica
                if verdict.namespaces[name] == nil { verdict.namespaces[name] = number }
                if let first = group.first, first.replica != line.replica || first.txn != line.txn {
                    try push(group)
                    group.removeAll(keepingCapacity: true)
                    groupBytes = 0
                }
                group.append(line)
                groupBytes += bytes.count
                if group.count > FormatLimits.maxOps {
                    throw StoreError.badImportLine(line: number, detail: "txn \(line.txn) has more than \(FormatLimits.maxOps) ops (one changeset's limit)")
                }
                // A line's JSON is never shorter than its op's CBOR; the margin covers the body's header and deps.
                if groupBytes > FormatLimits.maxEnvelopeBytes - Self.envelopeMargin {
                    throw StoreError.badImportLine(line: number, detail: "txn \(line.txn) is too large for one changeset (1 MiB)")
                }
            }
            if !group.isEmpty { try push(group) }
        } catch is Cancelled {
        } catch {
            verdict.failure = error
        }
        condition.lock()
        result = verdict
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    private struct Cancelled: Error {}

    private func push(_ group: [ImportLine]) throws {
        condition.lock()
        defer { condition.unlock() }
        while queuedLines >= Self.capacity && !cancelled && !discarding { condition.wait() }
        if cancelled { throw Cancelled() }
        if discarding { return }
        queue.append(group)
        queuedLines += group.count
        condition.broadcast()
    }

    /// The next changeset's lines, nil at the end of the input. Throws the reader's failure once
    /// every good line before it has been handed over.
    func next() throws -> [ImportLine]? {
        condition.lock()
        defer { condition.unlock() }
        while head == queue.count && !finished { condition.wait() }
        if head < queue.count {
            let g = queue[head]
            head += 1
            queuedLines -= g.count
            // Drop the consumed front now and then, not on every call (removeFirst copies the rest).
            if head >= 1024 {
                queue.removeFirst(head)
                head = 0
            }
            condition.broadcast()
            return g
        }
        if let failure = result.failure { throw failure }
        return nil
    }

    /// The verdict on the whole input, or nil while it is still being read. Never blocks.
    var verdict: Verdict? {
        condition.lock()
        defer { condition.unlock() }
        return finished ? result : nil
    }

    /// After an error elsewhere: lets the reader check the rest of the input without queueing it,
    /// and returns its verdict, so the earliest bad line of the whole input can be reported.
    func finishChecking() -> Verdict {
        condition.lock()
        discarding = true
        queue.removeAll()
        head = 0
        queuedLines = 0
        condition.broadcast()
        while !finished { condition.wait() }
        let r = result
        condition.unlock()
        return r
    }

    /// Stops the reader and waits until it has let go of the file.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
