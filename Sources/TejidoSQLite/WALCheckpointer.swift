import CSQLite
import Foundation

/// Copies a database's write-ahead log back into the database file on a thread and a connection
/// of its own, so that the writing connection only appends to the log and syncs it.
///
/// SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold: the writer
/// then reads the log back, writes the database pages and syncs the file before the COMMIT
/// returns. With this, the writer's connection tells after each commit how long the log is
/// (`SQLiteConnection.walFrames`), and a PASSIVE checkpoint here does the copying while the writer
/// goes on. PASSIVE never blocks the writer nor waits for readers; once a pass has copied the
/// whole log, the writer's next transaction starts the log again from its beginning.
///
/// If the log still grows past `limitFrames` (this thread starved, or readers holding old
/// snapshots), the writer checkpoints inline, as SQLite would have, so the log stays bounded.
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
    private var stopping = false
    private var running = false
    private var thread: Thread?
    private var passCount = 0
    private var failure: SQLiteError?

    /// Passes that ran, and the last failure of one (for tests and diagnostics: a failed pass
    /// loses nothing, its frames stay in the log for the next pass or for the writer).
    public var passes: Int { locked { passCount } }
    public var lastError: SQLiteError? { locked { failure } }

    public init(path: String, startFrames: Int, limitFrames: Int) {
        self.path = path
        self.startFrames = startFrames
        self.limitFrames = max(limitFrames, startFrames)
    }

    deinit { stop() }

    /// Attaches to the writer: after every commit of `writer`, a log of `startFrames` or more
    /// starts a pass here. Replaces the connection's automatic checkpoint.
    public func attach(to writer: SQLiteConnection) {
        writer.onWALCommit = { [weak self, unowned writer] frames in
            guard let self else { return }
            if frames >= self.limitFrames {
                writer.checkpointPassive()
            } else if frames >= self.startFrames {
                self.request()
            }
        }
    }

    /// Asks for a pass; the thread and its connection are made on the first request.
    public func request() {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return }
        requested = true
        startThread()
        condition.signal()
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
        guard thread == nil else { return }
        running = true
        let t = Thread { [self] in loop() }
        t.name = "tejido.checkpoint"
        thread = t
        t.start()
    }

    /// Ends the thread after the pass in progress, if any, and waits for it. Called before the
    /// writer's connection closes, so that the close's own checkpoint finds the thread gone.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    /// Waits until no pass is asked for or in progress (tests).
    public func waitUntilIdle() {
        condition.lock()
        while running && (requested || inPass) { condition.wait() }
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
        } catch {}
        condition.lock()
        failure = openFailure
        while let c = connection {
            while !requested && !stopping { condition.wait() }
            if stopping { break }
            requested = false
            inPass = true
            condition.unlock()
            let result = c.checkpointPassive()
            condition.lock()
            inPass = false
            passCount += 1
            if let result { failure = result }
            condition.broadcast()
        }
        // Closed before `running` is cleared: the writer's close must find this connection gone.
        connection = nil
        running = false
        requested = false
        condition.broadcast()
        condition.unlock()
    }
}
