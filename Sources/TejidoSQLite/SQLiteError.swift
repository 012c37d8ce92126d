import CSQLite
import Foundation

/// A failure reported by SQLite: the result code, SQLite's message and the SQL or operation.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String
    public let sql: String?
    /// The operating system's errno behind an I/O error, when SQLite saw one (0 otherwise).
    public var systemErrno: Int32 = 0
    /// The database file, when the error came from an open connection.
    public var path: String?

    public init(code: Int32, message: String, sql: String?, systemErrno: Int32 = 0) {
        self.code = code
        self.message = message
        self.sql = sql
        self.systemErrno = systemErrno
    }

    public var description: String {
        if let sql { return "SQLite error \(code): \(message) (in: \(sql.prefix(200)))" }
        return "SQLite error \(code): \(message)"
    }

    /// True for "database or disk is full", and for I/O errors whose cause was ENOSPC (a full
    /// disk can surface as a failed write, sync or shared-memory resize).
    public var isDiskFull: Bool { code & 0xff == SQLITE_FULL || (code & 0xff == SQLITE_IOERR && systemErrno == ENOSPC) }
    /// True when the file is not a database or is damaged.
    public var isCorrupt: Bool { code & 0xff == SQLITE_NOTADB || code & 0xff == SQLITE_CORRUPT }
    /// True when a read-only connection or the authorizer refused a write.
    public var isReadOnlyViolation: Bool { code & 0xff == SQLITE_READONLY || code & 0xff == SQLITE_AUTH }
    /// True when a deadline (`SQLiteConnection.setDeadline`) stopped the statement.
    public var isInterrupted: Bool { code & 0xff == SQLITE_INTERRUPT }
    /// True when the database cannot be written through this connection's files (permissions).
    public var isReadOnlyFile: Bool { code & 0xff == SQLITE_READONLY }
    /// True when the database file cannot be opened at all (a directory, a missing parent...).
    public var isCannotOpen: Bool { code & 0xff == SQLITE_CANTOPEN }
    /// True when another connection held a lock past the busy timeout.
    public var isBusy: Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }
}
