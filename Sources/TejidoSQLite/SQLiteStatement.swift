import CSQLite

/// A prepared statement. Holds its connection so it can never outlive it; finalized on deinit.
public final class SQLiteStatement {
    let handle: OpaquePointer
    let connection: SQLiteConnection
    public let sql: String

    /// Prepares the first statement of `sql`; with `single`, a second statement after it is an
    /// error (spaces, `;` and comments are not statements).
    init(connection: SQLiteConnection, sql: String, single: Bool = false) throws {
        var st: OpaquePointer?
        var another = false
        let rc = sql.withCString { text -> Int32 in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v2(connection.handle, text, -1, &st, &tail)
            // Spaces of any kind and `;` are no statement (SQLite's tokenizer knows only ASCII
            // spaces, and would refuse a pasted non-breaking one).
            if rc == SQLITE_OK, single, var rest = tail, !String(cString: rest).allSatisfy({ $0 == ";" || $0.isWhitespace }) {
                // SQLite itself tells whether the rest holds a statement: it makes none from
                // spaces, `;` or comments. Anything it cannot prepare there counts as one.
                while rest.pointee != 0 {
                    var next: OpaquePointer?
                    var after: UnsafePointer<CChar>?
                    let r = sqlite3_prepare_v2(connection.handle, rest, -1, &next, &after)
                    sqlite3_finalize(next)
                    if r != SQLITE_OK || next != nil { another = true; break }
                    guard let after, after != rest else { break }
                    rest = after
                }
            }
            return rc
        }
        guard rc == SQLITE_OK else {
            sqlite3_finalize(st)
            throw connection.error(rc, sql: sql)
        }
        // Only spaces, `;` or comments: SQLite succeeds and makes no statement.
        guard let st else { throw SQLiteError(code: SQLITE_MISUSE, message: "no SQL statement in the text", sql: sql) }
        if another {
            sqlite3_finalize(st)
            throw SQLiteError(code: SQLITE_MISUSE, message: Self.secondStatementMessage, sql: sql)
        }
        self.handle = st
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// The message of `prepareSingle` for a text that holds a second statement.
    public static let secondStatementMessage = "only one statement is allowed"

    /// True if the statement cannot write to the database.
    public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }

    // MARK: Binding (1-based indexes)

    public func bind(_ i: Int32, _ v: Int64) { sqlite3_bind_int64(handle, i, v) }
    public func bind(_ i: Int32, _ v: Int) { sqlite3_bind_int64(handle, i, Int64(v)) }
    public func bind(_ i: Int32, _ v: Double) { sqlite3_bind_double(handle, i, v) }
    public func bindNull(_ i: Int32) { sqlite3_bind_null(handle, i) }

    public func bind(_ i: Int32, _ v: String) {
        var s = v
        s.withUTF8 { u in
            u.withMemoryRebound(to: CChar.self) { c in
                _ = sqlite3_bind_text(handle, i, c.baseAddress ?? UnsafePointer(bitPattern: 1), Int32(c.count), csqlite_transient())
            }
        }
    }

    public func bind(blob i: Int32, _ v: ArraySlice<UInt8>) {
        v.withUnsafeBytes { b in
            _ = sqlite3_bind_blob(handle, i, b.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(b.count), csqlite_transient())
        }
    }

    public func bind(blob i: Int32, _ v: [UInt8]) {
        v.withUnsafeBytes { b in
            _ = sqlite3_bind_blob(handle, i, b.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(b.count), csqlite_transient())
        }
    }

    /// Binds text without SQLite copying it: the bytes must stay valid and unchanged until the
    /// statement has been stepped and then reset or bound again. For hot loops that would
    /// otherwise pay an allocation and a copy per value.
    public func bind(unsafeText i: Int32, _ v: UnsafeBufferPointer<UInt8>) {
        v.withMemoryRebound(to: CChar.self) { c in
            _ = sqlite3_bind_text(handle, i, c.baseAddress ?? UnsafePointer(bitPattern: 1), Int32(c.count), nil)
        }
    }

    /// Binds a blob without SQLite copying it, under the same rule as `bind(unsafeText:_:)`.
    public func bind(unsafeBlob i: Int32, _ v: UnsafeBufferPointer<UInt8>) {
        _ = sqlite3_bind_blob(handle, i, v.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(bitPattern: 1), Int32(v.count), nil)
    }

    public func bind(_ i: Int32, _ v: SQLiteValue) {
        switch v {
        case .null: bindNull(i)
        case .integer(let x): bind(i, x)
        case .real(let x): bind(i, x)
        case .text(let x): bind(i, x)
        case .blob(let x): bind(blob: i, x)
        }
    }

    public func bind(_ values: [SQLiteValue]) throws {
        for (i, v) in values.enumerated() { bind(Int32(i + 1), v) }
    }

    // MARK: Stepping

    /// Advances; true when a row is available, false when done.
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.error(rc, sql: sql)
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            throw error
        }
    }

    /// Resets for another execution and clears the bindings.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds, runs to completion and resets.
    public func run(_ values: [SQLiteValue] = []) throws {
        defer { reset() }
        try bind(values)
        while try step() {}
    }

    // MARK: Columns (0-based)

    public var columnCount: Int32 { sqlite3_column_count(handle) }
    public func columnName(_ i: Int32) -> String { String(cString: sqlite3_column_name(handle, i)) }
    public func int64(_ i: Int32) -> Int64 { sqlite3_column_int64(handle, i) }

    /// A column that holds a count or a seq: never negative in a sound database, so a negative
    /// value is reported as damage (SQLITE_CORRUPT) rather than trapping on conversion.
    public func uint64(_ i: Int32) throws(SQLiteError) -> UInt64 {
        let v = sqlite3_column_int64(handle, i)
        guard v >= 0 else { throw Self.damaged("\(v) in column \(columnName(i)), where no negative value belongs", sql: sql) }
        return UInt64(v)
    }

    /// `uint64`, or nil for NULL.
    public func uint64OrNil(_ i: Int32) throws(SQLiteError) -> UInt64? { isNull(i) ? nil : try uint64(i) }

    /// A column that holds one of `count` codes (0 to count - 1): anything else is damage.
    public func code(_ i: Int32, below count: Int) throws(SQLiteError) -> Int {
        let v = sqlite3_column_int64(handle, i)
        guard v >= 0, v < count else { throw Self.damaged("\(v) in column \(columnName(i)), which holds a code below \(count)", sql: sql) }
        return Int(v)
    }

    static func damaged(_ detail: String, sql: String) -> SQLiteError {
        SQLiteError(code: SQLITE_CORRUPT, message: "database disk image is malformed: " + detail, sql: sql)
    }
    public func double(_ i: Int32) -> Double { sqlite3_column_double(handle, i) }
    public func isNull(_ i: Int32) -> Bool { sqlite3_column_type(handle, i) == SQLITE_NULL }

    public func text(_ i: Int32) -> String {
        guard let p = sqlite3_column_text(handle, i) else { return "" }
        let n = Int(sqlite3_column_bytes(handle, i))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    public func blob(_ i: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(handle, i))
        guard n > 0, let p = sqlite3_column_blob(handle, i) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    public func value(_ i: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, i) {
        case SQLITE_INTEGER: .integer(int64(i))
        case SQLITE_FLOAT: .real(double(i))
        case SQLITE_TEXT: .text(text(i))
        case SQLITE_BLOB: .blob(blob(i))
        default: .null
        }
    }
}

@available(*, unavailable)
extension SQLiteStatement: Sendable {}
