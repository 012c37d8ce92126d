import CSQLite
import Foundation

/// Makes a database's write-ahead log durable on a thread of its own, for commits made without
/// a sync (`synchronous=NORMAL`): the writer goes on with its next transaction while the log is
/// flushed, and waits only when it is about to report a commit as durable.
///
/// A commit in WAL mode appends its pages and a commit frame to the log; the sync that
/// `synchronous=FULL` adds is an `fdatasync` of the log file. Any sync of the file that starts
/// after the commit returned covers it, so this one syncs its own descriptor of the same file.
/// SQLite still syncs the log itself before every checkpoint and when it starts the log again,
/// in either mode, so a commit that is not synced yet can be lost to a power cut but never
/// damages what was synced before (SQLite's guarantee for `synchronous=NORMAL`).
///
/// A failed sync is kept: the kernel may report a write-back error only once, so a later sync
/// that succeeds would prove nothing about the pages of the failed one.
///
/// `@unchecked Sendable`: the mutable state is guarded by `condition`.
public final class WALSyncer: @unchecked Sendable {
    private let path: String
    private let condition = NSCondition()
    private var requested: UInt64 = 0
    private var synced: UInt64 = 0
    private var failure: SQLiteError?
    private var stopping = false
    private var running = false
    private var fd: Int32 = -1

    /// `databasePath` is the database file; its log is the file with `-wal` appended.
    public init(databasePath: String) {
        path = databasePath + "-wal"
    }

    deinit { stop() }

    /// Asks for a sync of everything committed so far; returns the ticket to wait for.
    public func request() -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        requested += 1
        if !running && !stopping {
            running = true
            let t = Thread { [self] in loop() }
            t.name = "tejido.walsync"
            t.start()
        }
        condition.broadcast()
        return requested
    }

    /// Whether the sync of `ticket` is done (false while it is not, and after a failure).
    public func isSynced(_ ticket: UInt64) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return failure == nil && synced >= ticket
    }

    /// Waits for the sync of `ticket`; throws if a sync failed, or if the syncer was stopped first.
    public func wait(_ ticket: UInt64) throws {
        condition.lock()
        defer { condition.unlock() }
        while synced < ticket && failure == nil && !(stopping && !running) { condition.wait() }
        if let failure { throw failure }
        if synced < ticket { throw SQLiteError(code: SQLITE_IOERR, message: "the log was not synced: the syncer stopped", sql: nil) }
    }

    /// Ends the thread after the sync asked for so far, and waits for it.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
        if fd >= 0 {
            close(fd)
            fd = -1
        }
    }

    private func loop() {
        condition.lock()
        while true {
            while requested == synced && !stopping && failure == nil { condition.wait() }
            if requested == synced || failure != nil { break }
            let target = requested
            condition.unlock()
            let error = syncOnce()
            condition.lock()
            if let error { failure = error } else { synced = target }
            condition.broadcast()
        }
        running = false
        condition.broadcast()
        condition.unlock()
    }

    /// One `fdatasync` of the log, opening it on first use (only this thread touches `fd` while
    /// it runs).
    private func syncOnce() -> SQLiteError? {
        if fd < 0 {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 { return Self.error("cannot open the log \(path) to sync it") }
        }
        while fdatasync(fd) != 0 {
            if errno == EINTR { continue }
            return Self.error("cannot sync the log \(path)")
        }
        return nil
    }

    private static func error(_ what: String) -> SQLiteError {
        SQLiteError(code: SQLITE_IOERR, message: "\(what): \(String(cString: strerror(errno)))", sql: nil)
    }
}
