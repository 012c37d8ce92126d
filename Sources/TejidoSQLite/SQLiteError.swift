import CSQLite

/// A failure reported by SQLite: the result code, SQLite's message and the SQL or operation.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String
    public let sql: String?

    public var description: String {
        if let sql { return "SQLite error \(code): \(message) (in: \(sql.prefix(200)))" }
        return "SQLite error \(code): \(message)"
    }

    /// True for "database or disk is full" and I/O errors.
    public var isDiskFull: Bool { code & 0xff == SQLITE_FULL }
    /// True when the file is not a database or is damaged.
    public var isCorrupt: Bool { code & 0xff == SQLITE_NOTADB || code & 0xff == SQLITE_CORRUPT }
    /// True when a read-only connection or the authorizer refused a write.
    public var isReadOnlyViolation: Bool { code & 0xff == SQLITE_READONLY || code & 0xff == SQLITE_AUTH }
}
