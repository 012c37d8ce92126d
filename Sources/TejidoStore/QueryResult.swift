import TejidoSQLite

/// Rows of a read-only query.
public struct QueryResult: Sendable {
    public let columns: [String]
    public let rows: [[SQLiteValue]]
    /// Collections left without a view (their names clash with another's, ignoring case).
    public var skippedCollections: [String] = []
}
