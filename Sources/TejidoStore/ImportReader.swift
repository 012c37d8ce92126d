import Foundation
import TejidoCore

/// Reads, parses and checks the import input on its own thread, handing over each changeset's
/// lines (one (replica, txn) run) through a bounded queue, so parsing overlaps merging and signing.
///
/// The reader never waits while it checks: it queues what fits (`capacity` lines) and goes on
/// checking the rest, so its verdict on the whole input (`verdict`) comes as fast as the input
/// can be parsed. The applying thread may merge what it has been handed before the verdict but
/// must not commit until the verdict is good, so bad input leaves the store as it was. Lines
/// that did not fit are read again after the verdict (from the file, or from a spool file for
/// standard input and pipes) and handed over as room frees up: only those lines are parsed twice.
///
/// `@unchecked Sendable`: the queue, the verdict and the flags are only touched under `condition`.
final class ImportReader: @unchecked Sendable {
    /// How the whole input fared, once it has all been checked.
    struct Verdict {
        var failure: (any Error)?
        /// Namespace name -> first line naming it (lines before a failure only).
        var namespaces: [String: Int] = [:]
    }

    private let fd: Int32
    private let seekable: Bool
    private let spoolPath: String
    private let options: ImportOptions
    private let onlyReplica: [UInt8]?
    private let capacity: Int
    private let condition = NSCondition()
    private var queue: [[ImportLine]] = []
    private var head = 0
    private var queuedLines = 0
    private var verdictReady = false
    private var finished = false
    private var cancelled = false
    /// After an error elsewhere: nothing more is handed over.
    private var discarding = false
    private var result = Verdict()
    /// A failure while reading the overflow again (the file changed after it was checked).
    private var lateFailure: (any Error)?

    /// Lines held at most in the queue (about 150 bytes each in the reference workload).
    static let capacity = 1 << 16
    /// Room kept in an envelope for everything but the ops: header fields, up to 1024 deps, signature.
    static let envelopeMargin = 40_000

    /// `seekable`: `fd` is a regular file that can be read again from an offset; otherwise lines
    /// that do not fit in the queue are spooled to a file named after `spoolPath` (made only if
    /// needed, with a unique name, and unlinked at once).
    init(fd: Int32, seekable: Bool, spoolPath: String, options: ImportOptions) {
        self.fd = fd
        self.seekable = seekable
        self.spoolPath = spoolPath
        self.options = options
        self.onlyReplica = options.replica.map { Array($0.utf8) }
        self.capacity = max(1, options.readerQueueLines)
    }

    private struct Cancelled: Error {}
    /// Phase 2 reached a line phase 1 never checked (the file grew meanwhile).
    private struct PastChecked: Error {}

    /// Size, modification time and inode of an open file: equal before and after only if
    /// untouched (as far as the file system can tell).
    private static func identity(_ fd: Int32) -> [Int]? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return [Int(st.st_size), Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec), Int(st.st_ino)]
    }

    /// Where the lines that did not fit in the queue begin.
    private struct Overflow {
        let line: Int
        let offset: Int
    }

    func run() {
        var spool: Int32 = -1
        defer {
            // The spool was unlinked as soon as it was made: closing it frees it, on every exit.
            if spool >= 0 { close(spool) }
        }
        var overflow: Overflow?
        var verdict = Verdict()
        // The last line phase 1 checked, and the file as it was then: phase 2 hands over nothing
        // past that line, and nothing at all from a file that changed in between.
        var lastChecked = 0
        let fileBefore = seekable ? Self.identity(fd) : nil
        do {
            // Phase 1: check every line; queue what fits.
            var group: [ImportLine] = []
            var groupBytes = 0
            var groupStart = Overflow(line: 0, offset: 0)
            // For a spool: raw lines not written yet, from the first line of the group being built
            // (written in large pieces, not a call per line).
            var pendingRaw: [UInt8] = []
            func spoolWrite(_ bytes: UnsafeRawBufferPointer) throws {
                var done = 0
                while done < bytes.count {
                    let n = write(spool, bytes.baseAddress! + done, bytes.count - done)
                    if n < 0 {
                        if errno == EINTR { continue }
                        if errno == ENOSPC || errno == EDQUOT { throw StoreError.diskFull }
                        throw StoreError.database("cannot write \(spoolPath): \(String(cString: strerror(errno)))")
                    }
                    done += n
                }
            }
            func spoolPending() throws {
                guard spool >= 0 else { return pendingRaw.removeAll(keepingCapacity: true) }
                try pendingRaw.withUnsafeBytes { try spoolWrite($0) }
                pendingRaw.removeAll(keepingCapacity: true)
            }
            func closeGroup() throws {
                guard !group.isEmpty else { return }
                if overflow == nil && !tryPush(group) {
                    overflow = groupStart
                    if !seekable {
                        // A name no other import can have, unlinked at once: nothing is left behind
                        // whatever ends this process, and two imports never share a spool.
                        var template = Array((spoolPath + ".XXXXXX").utf8CString)
                        spool = mkstemp(&template)
                        guard spool >= 0 else {
                            throw StoreError.database("cannot create \(spoolPath): \(String(cString: strerror(errno)))")
                        }
                        unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
                    }
                }
                group.removeAll(keepingCapacity: true)
                groupBytes = 0
                try spoolPending()
            }
            // Checking stops early once the result is no longer needed in full (see `finishChecking`),
            // and also while the input is an idle pipe.
            try LineReader(fd: fd, shouldStop: { [unowned self] in self.isStoppingCheck }).forEachLine { number, offset, bytes in
                lastChecked = number
                if number & 1023 == 0 && isStoppingCheck { throw Cancelled() }
                let parsed = number > options.afterLine ? try ImportLine.parse(bytes, number: number, onlyReplica: onlyReplica) : nil
                if let line = parsed {
                    let name = options.namespace ?? line.replica
                    if verdict.namespaces[name] == nil { verdict.namespaces[name] = number }
                    if let first = group.first, first.replica != line.replica || first.txn != line.txn { try closeGroup() }
                    if group.isEmpty { groupStart = Overflow(line: number, offset: offset) }
                    group.append(line)
                    groupBytes += bytes.count
                    if group.count > FormatLimits.maxOps {
                        throw StoreError.badImportLine(line: number, detail: .tooManyOps(txn: line.txn, max: FormatLimits.maxOps))
                    }
                    // A line's JSON is never shorter than its op's CBOR; the margin covers the body's header and deps.
                    if groupBytes > FormatLimits.maxEnvelopeBytes - Self.envelopeMargin {
                        throw StoreError.badImportLine(line: number, detail: .txnTooLarge(txn: line.txn))
                    }
                }
                // Raw lines are kept only for a spool, from the first line of the group being built.
                if !seekable && (spool >= 0 || !group.isEmpty) {
                    pendingRaw.append(contentsOf: bytes)
                    pendingRaw.append(10)
                    if spool >= 0 && pendingRaw.count >= 1 << 20 { try spoolPending() }
                }
            }
            try closeGroup()
            try spoolPending()
            // A file that changed while it was read was not checked as it now is: refused before
            // the verdict, so nothing is committed.
            if let fileBefore, Self.identity(fd) != fileBefore { throw StoreError.inputChanged(committedThrough: 0) }
        } catch is Cancelled, is LineReader.Stopped {
        } catch {
            verdict.failure = error
        }
        condition.lock()
        result = verdict
        verdictReady = true
        let goOn = overflow != nil && verdict.failure == nil && !cancelled && !discarding
        if !goOn { finished = true }
        condition.broadcast()
        condition.unlock()
        guard goOn, let overflow else { return }

        // Phase 2: the input was good; hand over the lines that did not fit, waiting for room.
        var group: [ImportLine] = []
        do {
            let source: Int32
            let start: Int
            if seekable {
                options.secondPassHook?(0)
                guard let fileBefore, Self.identity(fd) == fileBefore else { throw StoreError.inputChanged(committedThrough: 0) }
                source = fd
                start = overflow.offset
            } else {
                source = spool
                start = 0
            }
            guard lseek(source, off_t(start), SEEK_SET) >= 0 else {
                throw StoreError.database("cannot read the import input again: \(String(cString: strerror(errno)))")
            }
            var lastRead = overflow.line - 1
            try LineReader(fd: source, lineNumberBefore: overflow.line - 1, shouldStop: { [unowned self] in self.isCancelled }).forEachLine { number, _, bytes in
                if number > lastChecked { throw PastChecked() }
                lastRead = number
                if seekable { options.secondPassHook?(number) }
                if number & 1023 == 0 && isCancelled { throw Cancelled() }
                // What is read now must be what phase 1 checked: a file rewritten in place since
                // then (same size, new time) is caught before any line of it is handed over, and
                // a line that no longer parses is the file's change, not a bad line.
                func unchanged() throws {
                    if seekable, Self.identity(fd) != fileBefore { throw StoreError.inputChanged(committedThrough: 0) }
                }
                let parsed: ImportLine?
                do { parsed = number > options.afterLine ? try ImportLine.parse(bytes, number: number, onlyReplica: onlyReplica) : nil } catch {
                    try unchanged()
                    throw error
                }
                guard let line = parsed else { return }
                if let first = group.first, first.replica != line.replica || first.txn != line.txn {
                    try unchanged()
                    try push(group)
                    group.removeAll(keepingCapacity: true)
                }
                group.append(line)
            }
            // Cut short (the file shrank) or rewritten while read: not what was checked.
            if seekable, lastRead < lastChecked || Self.identity(fd) != fileBefore { throw StoreError.inputChanged(committedThrough: 0) }
            if !group.isEmpty { try push(group) }
        } catch is PastChecked {
            // Lines the file gained during this phase were never checked: the import ends with the
            // last line that was.
            do { if !group.isEmpty { try push(group) } } catch {}
        } catch is Cancelled, is LineReader.Stopped {
        } catch {
            condition.lock()
            lateFailure = error
            condition.unlock()
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    private var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Phase 1 may stop where it is: the import was cancelled, or only the lines read so far matter.
    private var isStoppingCheck: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled || discarding
    }

    /// Queues a group if there is room; never waits.
    private func tryPush(_ group: [ImportLine]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if discarding { return true }
        guard queuedLines < capacity else { return false }
        queue.append(group)
        queuedLines += group.count
        condition.broadcast()
        return true
    }

    /// Queues a group, waiting for room.
    private func push(_ group: [ImportLine]) throws {
        condition.lock()
        defer { condition.unlock() }
        while queuedLines >= capacity && !cancelled && !discarding { condition.wait() }
        if cancelled || discarding { throw Cancelled() }
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
        if let failure = result.failure ?? lateFailure { throw failure }
        return nil
    }

    /// The verdict on the whole input, or nil while it is still being checked. Never blocks.
    var verdict: Verdict? {
        condition.lock()
        defer { condition.unlock() }
        return verdictReady ? result : nil
    }

    /// After an error elsewhere: hands nothing more over, and returns the verdict on the lines
    /// checked so far, so that the earliest bad line can be reported. Checking stops at its next
    /// pause (every 1,024 lines, or 200 ms without input from a pipe); it is always ahead of the
    /// lines handed over, so the verdict covers every line before the one that failed. Waiting for
    /// the rest of the input would hold the error back for as long as a pipe stays open.
    func finishChecking() -> Verdict {
        condition.lock()
        discarding = true
        queue.removeAll()
        head = 0
        queuedLines = 0
        condition.broadcast()
        while !verdictReady { condition.wait() }
        let r = result
        condition.unlock()
        return r
    }

    /// Stops the reader and waits until it has let go of the input.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
