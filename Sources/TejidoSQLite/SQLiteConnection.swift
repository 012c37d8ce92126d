import CSQLite
import Glibc
import Dispatch

/// One SQLite connection. Owns the `sqlite3*` handle and closes it on deinit.
/// Confined to the thread that uses it (see the unavailable Sendable conformance).
public final class SQLiteConnection {
    let handle: OpaquePointer
    public let path: String

    public struct OpenMode: Sendable {
        let flags: Int32
        public static let readOnly = OpenMode(flags: SQLITE_OPEN_READONLY)
        public static let readWrite = OpenMode(flags: SQLITE_OPEN_READWRITE)
        public static let create = OpenMode(flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
    }

    public init(path: String, mode: OpenMode) throws {
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, mode.flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            // Why the file could not be opened (EMFILE under a low `ulimit -n`, EACCES...).
            var e = SQLiteError(code: rc, message: message, sql: nil, systemErrno: db.map { sqlite3_system_errno($0) } ?? 0)
            e.path = path
            sqlite3_close_v2(db)
            throw e
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 10_000)
        ClampedSum.register(on: db)
    }

    deinit {
        if onWALCommit != nil { sqlite3_wal_hook(handle, nil, nil) }
        // The authorizer holds this object unretained.
        sqlite3_set_authorizer(handle, nil, nil)
        sqlite3_close_v2(handle)
    }

    /// Called on this connection's thread after each commit in WAL mode, with the number of
    /// frames now in the log. Setting it replaces SQLite's automatic checkpoint (`WALCheckpointer`),
    /// and setting it back to nil does not bring that back: the connection then never checkpoints
    /// until it closes.
    public var onWALCommit: ((Int) -> Void)? {
        didSet {
            guard onWALCommit != nil else {
                sqlite3_wal_hook(handle, nil, nil)
                return
            }
            sqlite3_wal_hook(handle, { context, _, _, frames in
                guard let context else { return SQLITE_OK }
                let connection = Unmanaged<SQLiteConnection>.fromOpaque(context).takeUnretainedValue()
                connection.onWALCommit?(Int(frames))
                return SQLITE_OK
            }, Unmanaged.passUnretained(self).toOpaque())
        }
    }

    /// Copies what it can of the log into the database without waiting for or blocking anyone
    /// (SQLITE_CHECKPOINT_PASSIVE). Returns the failure, if any; a busy log is not one.
    @discardableResult
    public func checkpointPassive() -> SQLiteError? {
        var logFrames: Int32 = 0
        var copied: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied)
        if rc == SQLITE_OK || rc == SQLITE_BUSY { return nil }
        return error(rc, sql: "checkpoint")
    }

    /// The linked library's version number, e.g. 3040001.
    public static var libraryVersion: Int32 { sqlite3_libversion_number() }

    func error(_ rc: Int32, sql: String?) -> SQLiteError {
        var e = SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), sql: sql, systemErrno: sqlite3_system_errno(handle))
        e.path = path
        return e
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errmsg)
        if rc != SQLITE_OK {
            let message = errmsg.map { String(cString: $0) } ?? "error"
            sqlite3_free(errmsg)
            var e = SQLiteError(code: sqlite3_extended_errcode(handle), message: message, sql: sql, systemErrno: sqlite3_system_errno(handle))
            e.path = path
            throw e
        }
    }

    public func prepare(_ sql: String) throws -> SQLiteStatement { try SQLiteStatement(connection: self, sql: sql) }

    /// Prepares exactly one statement: trailing statements are an error, not silently ignored.
    public func prepareSingle(_ sql: String) throws -> SQLiteStatement { try SQLiteStatement(connection: self, sql: sql, single: true) }

    /// Runs `body` in a transaction (BEGIN IMMEDIATE), committing on return and rolling back on a throw.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Refuses, from now on, every statement that could change any database, including PRAGMAs
    /// (even those that only read: telling them apart is not worth the risk) and ATTACH.
    public func denyWrites() {
        deniedPragma = false
        sqlite3_set_authorizer(handle, { context, action, table, column, _, _ in
            switch action {
            case SQLITE_SELECT, SQLITE_READ, SQLITE_FUNCTION, SQLITE_RECURSIVE: return SQLITE_OK
            default:
                // A pragma table function (`pragma_user_version`) asks, as it starts, to update
                // the schema table's `type` column: that is how it shows here.
                let pragmaFunction = action == SQLITE_UPDATE && table.map { strcmp($0, "sqlite_master") == 0 } == true
                    && column.map { strcmp($0, "type") == 0 } == true
                if action == SQLITE_PRAGMA || pragmaFunction, let context {
                    Unmanaged<SQLiteConnection>.fromOpaque(context).takeUnretainedValue().deniedPragma = true
                }
                return SQLITE_DENY
            }
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// True once `denyWrites`' authorizer has refused a PRAGMA statement or a pragma table
    /// function: the caller can say that PRAGMAs are not offered, rather than that the statement
    /// would write.
    public private(set) var deniedPragma = false

    /// Caps the length of any string or blob a statement may make (SQLite's default is 1 GB):
    /// `randomblob(1000000000)` then fails at once instead of taking the memory.
    public func limitValueLength(_ bytes: Int32) {
        sqlite3_limit(handle, SQLITE_LIMIT_LENGTH, bytes)
    }

    /// Makes every statement of this connection stop with SQLITE_INTERRUPT once `seconds` have
    /// passed from now (checked every few thousand virtual-machine steps); nil: no limit.
    public func setDeadline(seconds: Double?) {
        guard let seconds, seconds.isFinite, seconds < 1e9 else {
            sqlite3_progress_handler(handle, 0, nil, nil)
            return
        }
        deadline = DispatchTime.now().uptimeNanoseconds &+ UInt64(max(0, seconds) * 1e9)
        sqlite3_progress_handler(handle, 4096, { context in
            guard let context else { return 0 }
            let connection = Unmanaged<SQLiteConnection>.fromOpaque(context).takeUnretainedValue()
            return DispatchTime.now().uptimeNanoseconds > connection.deadline ? 1 : 0
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// When `setDeadline` stops statements (uptime nanoseconds).
    private var deadline: UInt64 = .max

    /// First column of the first row, or nil when there is no row.
    public func scalar(_ sql: String, _ args: [SQLiteValue] = []) throws -> SQLiteValue? {
        let st = try prepare(sql)
        try st.bind(args)
        return try st.step() ? st.value(0) : nil
    }
}

@available(*, unavailable)
extension SQLiteConnection: Sendable {}
