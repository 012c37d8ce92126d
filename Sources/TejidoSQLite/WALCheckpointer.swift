import CSQLite
import Foundation
import TejidoSystem

/// Copies a database's write-ahead log back into the database file on a thread and a connection
/// of its own, so that the writing connection mostly only appends to the log and syncs it.
///
/// SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold: the writer
/// then reads the log back, writes the database pages and syncs the file before the COMMIT
/// returns. With this, the writer's connection reports after each commit how long the log is
/// (`SQLiteConnection.onWALCommit`), and a PASSIVE checkpoint here does the copying while the
/// writer goes on. PASSIVE never blocks the writer nor waits for readers.
///
/// The log starts again from its beginning only when the writer opens a transaction and finds
/// every frame copied. In a stream of commits (an import, a sync) a pass may not finish between
/// two of them, so the log can keep growing; at `limitFrames` the writer waits for the pass in
/// progress, keeps the thread from starting another, and checkpoints inline (as SQLite would have),
/// so that its next transaction restarts the log. The log is bounded by that limit plus what one
/// transaction writes, unless readers on other connections hold old snapshots.
///
/// `@unchecked Sendable`: the mutable state is guarded by `condition`; the checkpoint connection
/// is used only by the checkpoint thread.
public final class WALCheckpointer: @unchecked Sendable {
    /// Log length, in frames (pages), from which a pass is started.
    public let startFrames: Int
    /// Log length at which the writer stops waiting for this thread and checkpoints itself.
    public let limitFrames: Int
    private let path: String
    private let condition = NSCondition()
    private var requested = false
    private var inPass = false
    /// The writer is checkpointing inline: the thread must not start a pass meanwhile.
    private var writerPass = false
    private var stopping = false
    /// The checkpoint thread while it runs (nil before it starts and once it has ended).
    private var threadRunning = false
    private var passCount = 0
    private var inlinePassCount = 0
    private var failure: SQLiteError?

    /// Passes that ran on the thread and on the writer, and the last failure of one or of the
    /// thread's connection (for tests and diagnostics: a failed pass loses nothing, its frames
    /// stay in the log for the next pass).
    public var passes: Int { locked { passCount } }
    public var inlinePasses: Int { locked { inlinePassCount } }
    public var lastError: SQLiteError? { locked { failure } }

    public init(path: String, startFrames: Int, limitFrames: Int) {
        self.path = path
        self.startFrames = startFrames
        self.limitFrames = max(limitFrames, startFrames)
    }

    deinit { stop() }

    /// Attaches to the writer: after every commit of `writer`, a log of `startFrames` or more
    /// starts a pass here, and one of `limitFrames` is checkpointed by the writer itself.
    /// Replaces the connection's automatic checkpoint.
    public func attach(to writer: SQLiteConnection) {
        writer.onWALCommit = { [weak self, unowned writer] frames in
            guard let self else { return }
            if frames >= self.limitFrames {
                self.checkpointInline(writer)
            } else if frames >= self.startFrames {
                self.request()
            }
        }
    }

    /// The writer's own pass, at the limit: waits for the thread's pass in progress (which holds
    /// the checkpoint lock, and would make this one return at once), keeps it from starting
    /// another, then copies the whole log on the writer's thread.
    private func checkpointInline(_ writer: SQLiteConnection) {
        condition.lock()
        writerPass = true
        requested = false
        while inPass { condition.wait() }
        condition.unlock()
        let result = writer.checkpointPassive()
        condition.lock()
        writerPass = false
        inlinePassCount += 1
        passEnded(result)
        condition.unlock()
    }

    /// Bookkeeping after a pass, thread's or writer's; called with `condition` locked.
    private func passEnded(_ result: SQLiteError?) {
        if let result { failure = result }
        condition.broadcast()
    }

    /// Asks for a pass; the thread and its connection are made on the first request.
    public func request() {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return }
        requested = true
        startThread()
        // Broadcast: the condition has waiters with other predicates (stop, waitUntilIdle).
        condition.broadcast()
    }

    /// Makes the thread now, idle until a pass is asked for. A sync calls it before its first
    /// batch, whose signature threads come and go: glibc hands a new thread the malloc arena an
    /// exited one left, so a checkpoint thread made later took an arena full of a batch's freed
    /// envelopes, and the next batch's threads filled another (4.5 MiB more at the peak).
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return }
        startThread()
    }

    private func startThread() {
        guard !threadRunning else { return }
        // A thread the system refuses is asked for again on a later request; until then the
        // writer's own pass at the limit keeps the log bounded.
        threadRunning = WorkerThread.start(name: "tejido.checkpoint") { [self] in loop() }
    }

    /// Ends the thread after the pass in progress, if any, and waits for it. Called before the
    /// writer's connection closes, so that the close's own checkpoint finds the thread gone.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while threadRunning { condition.wait() }
        condition.unlock()
    }

    /// Waits until no pass is asked for or in progress (tests).
    public func waitUntilIdle() {
        condition.lock()
        while threadRunning && (requested || inPass) { condition.wait() }
        condition.unlock()
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    private func loop() {
        // A connection of its own; synchronous=FULL so that a pass syncs the database file before
        // the log may be started again.
        var connection: SQLiteConnection?
        var openFailure: SQLiteError?
        do {
            let c = try SQLiteConnection(path: path, mode: .readWrite)
            try c.execute("PRAGMA synchronous=FULL")
            connection = c
        } catch let e as SQLiteError {
            openFailure = e
        } catch {
            openFailure = SQLiteError(code: SQLITE_ERROR, message: "\(error)", sql: nil)
        }
        condition.lock()
        if let openFailure { failure = openFailure }
        while let c = connection {
            while (!requested || writerPass) && !stopping { condition.wait() }
            if stopping { break }
            requested = false
            inPass = true
            condition.unlock()
            let result = c.checkpointPassive()
            condition.lock()
            inPass = false
            passCount += 1
            passEnded(result)
        }
        // Closed before `threadRunning` is cleared: the writer's close must find this connection gone.
        connection = nil
        requested = false
        // A thread that could not open its connection is made again on a later request; until
        // then the writer's own pass at the limit keeps the log bounded.
        threadRunning = false
        condition.broadcast()
        condition.unlock()
    }
}
