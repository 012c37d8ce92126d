import Foundation
import TejidoCore

/// Makes each changeset's ops and their encoding (`ImportChangeset`) on a thread of its own,
/// between the reader and the applying thread. That work would otherwise fall to the applying
/// thread, the import's critical path; it is kept off the reader too, whose verdict on the whole
/// input gates the first commit and should come as early as the input can be checked.
///
/// `@unchecked Sendable`: the queue and the flags are only touched under `condition`.
final class ImportPreparer: @unchecked Sendable {
    private let reader: ImportReader
    private let condition = NSCondition()
    private var ready: [ImportChangeset] = []
    private var head = 0
    /// Lines in `ready[head...]`.
    private var readyLines = 0
    /// How the reader's sequence ended: nil while it goes on.
    private var end: Result<Void, any Error>?
    private var stopped = false
    /// Which side sleeps on `condition`: each side wakes the other only when it waits, and the
    /// preparing thread, once the queue is full, sleeps until it is half empty. Waking it for
    /// every changeset taken made the two threads take turns one changeset at a time, and the
    /// wake-ups cost the applying thread (the import's critical path) about 3% of its time.
    private var producerWaiting = false
    private var consumerWaiting = false

    /// Lines prepared ahead of the applying thread, at most (beyond one changeset, which may hold
    /// up to 10,000): counted in lines, like the reader's queue, so that large changesets cannot
    /// make it hold much more than the reader does.
    static let capacity = 4_096
    private let capacity: Int

    init(reader: ImportReader, capacity: Int = ImportPreparer.capacity) {
        self.reader = reader
        self.capacity = capacity
    }

    func run() {
        while true {
            let lines: [ImportLine]?
            do { lines = try reader.next() } catch {
                finish(.failure(error))
                return
            }
            guard let lines else {
                finish(.success(()))
                return
            }
            let prepared = ImportChangeset(lines: lines)
            condition.lock()
            if readyLines > 0 && readyLines + lines.count > capacity {
                producerWaiting = true
                while readyLines > capacity / 2 && !stopped { condition.wait() }
                producerWaiting = false
            }
            if stopped {
                condition.unlock()
                return
            }
            ready.append(prepared)
            readyLines += lines.count
            if consumerWaiting { condition.broadcast() }
            condition.unlock()
        }
    }

    private func finish(_ result: Result<Void, any Error>) {
        condition.lock()
        end = result
        condition.broadcast()
        condition.unlock()
    }

    /// The next changeset, nil at the end of the input; throws what the reader threw, in the same
    /// place in the sequence.
    func next() throws -> ImportChangeset? {
        condition.lock()
        defer { condition.unlock() }
        while head == ready.count && end == nil {
            consumerWaiting = true
            condition.wait()
        }
        consumerWaiting = false
        if head < ready.count {
            let c = ready[head]
            head += 1
            readyLines -= c.lines.count
            if head >= 256 {
                ready.removeFirst(head)
                head = 0
            }
            if producerWaiting && readyLines <= capacity / 2 { condition.broadcast() }
            return c
        }
        if case .failure(let error)? = end { throw error }
        return nil
    }

    /// True when `next()` would return nil without waiting: every changeset handed out and the
    /// input read to its end without an error. (False while the thread has not yet seen the end.)
    var isAtCleanEnd: Bool {
        condition.lock()
        defer { condition.unlock() }
        if head < ready.count { return false }
        if case .success? = end { return true }
        return false
    }

    /// Lets the thread go: it ends once the reader hands it nothing more (see `ImportReader.cancel`).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
