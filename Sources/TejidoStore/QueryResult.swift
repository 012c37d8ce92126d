import TejidoSQLite

/// Rows of a read-only query.
public struct QueryResult: Sendable {
    public let columns: [String]
    public let rows: [[SQLiteValue]]
    /// Collections left without a view (their names clash with another's, ignoring case).
    public var skippedCollections: [String] = []
    /// Collections with more fields than a view may show (`Store.maxViewFields`): how many of
    /// their fields the view leaves out (the least used ones; `get` still shows every field).
    public var trimmedCollections: [(collection: String, shown: Int, omitted: Int)] = []
}
