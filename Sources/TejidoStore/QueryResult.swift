import TejidoSQLite

/// Rows of a read-only query.
public struct QueryResult: Sendable {
    public let columns: [String]
    public let rows: [[SQLiteValue]]
}
