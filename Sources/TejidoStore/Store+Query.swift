import TejidoCore
import TejidoSQLite

extension Store {
    /// Runs one read-only SQL statement over one view per collection (`namespace`, `id`, then a
    /// column per field). The statement runs on a separate read-only connection with an authorizer
    /// that refuses any write, so nothing it says can change the store.
    /// A query stops with `queryTimedOut` after `timeout` seconds (nil: never), with
    /// `queryResultTooLarge` once its rows take `maxResultBytes` (as `rowBytes` counts), and no
    /// string or blob it makes may pass `maxValueBytes`: a runaway recursive query or
    /// `randomblob(1e9)` ends with a message instead of holding the process.
    public func query(_ sql: String, timeout: Double? = Store.defaultQueryTimeout, maxResultBytes: Int = Store.maxResultBytes) throws -> QueryResult {
        let reader: SQLiteConnection
        var skipped: [String] = []
        var trimmed: [(collection: String, shown: Int, omitted: Int)] = []
        do {
            reader = try SQLiteConnection(path: layout.database.path, mode: .readOnly)
            for view in try viewDefinitions() {
                // Two collections whose names differ only in case cannot both be views (SQLite
                // names are case-insensitive): the later one is skipped and reported.
                do { try reader.execute(view.sql) } catch { skipped.append(view.collection) }
                if view.omitted > 0 { trimmed.append((view.collection, view.shown, view.omitted)) }
            }
        } catch let e as SQLiteError {
            throw StoreError.from(e)
        }
        reader.denyWrites()
        reader.limitValueLength(Self.maxValueBytes)
        reader.setDeadline(seconds: timeout)
        let st: SQLiteStatement
        do { st = try reader.prepareSingle(sql) } catch let e as SQLiteError {
            // A second statement is refused as such, whatever it is (a PRAGMA after a SELECT too).
            if e.message == SQLiteStatement.secondStatementMessage { throw StoreError.queryFailed(e.message) }
            if reader.deniedPragma { throw StoreError.pragmaInQuery }
            // SQLite refuses DELETE/UPDATE/INSERT on a view while preparing, before the authorizer
            // is asked, with "cannot modify X because it is a view": that is a write too.
            if e.isReadOnlyViolation || e.message.hasPrefix("cannot modify ") { throw StoreError.readOnlyQuery(sql) }
            // A collection name with a typo, or one this store never saw: say which there are.
            let noTable = "no such table: "
            if e.message.hasPrefix(noTable) {
                let views = try viewDefinitions().map(\.collection).filter { !skipped.contains($0) }
                throw StoreError.unknownCollection(String(e.message.dropFirst(noTable.count)), known: views)
            }
            throw StoreError.queryFailed(e.message)
        }
        guard st.isReadOnly else { throw StoreError.readOnlyQuery(sql) }
        let columns = (0..<st.columnCount).map { st.columnName($0) }
        var rows: [[SQLiteValue]] = []
        // What the rows held so far take in memory, roughly: a runaway query (a recursive one
        // with no end) would otherwise take gigabytes before its time limit, and end the
        // process where memory is capped.
        var held = 0
        do {
            while try st.step() {
                let row = (0..<st.columnCount).map { st.value($0) }
                held += Self.rowBytes(row)
                if held > maxResultBytes { throw StoreError.queryResultTooLarge(mebibytes: max(1, maxResultBytes >> 20)) }
                rows.append(row)
            }
        } catch let e as SQLiteError {
            if e.isReadOnlyViolation { throw StoreError.readOnlyQuery(sql) }
            if e.isInterrupted, let timeout { throw StoreError.queryTimedOut(seconds: timeout) }
            throw StoreError.queryFailed(e.message)
        }
        return QueryResult(columns: columns, rows: rows, skippedCollections: skipped, trimmedCollections: trimmed)
    }

    public static let defaultQueryTimeout: Double? = 60
    /// The most a query's result may hold in memory (as `rowBytes` counts it) before it is stopped.
    public static let maxResultBytes = 256 << 20

    /// A row's memory, roughly: an array and a value slot per column, and the bytes of its texts and blobs.
    static func rowBytes(_ row: [SQLiteValue]) -> Int {
        var n = 32
        for v in row {
            switch v {
            case .text(let s): n += 24 + s.utf8.count
            case .blob(let b): n += 24 + b.count
            default: n += 24
            }
        }
        return n
    }
    /// At most this many field columns in one collection's view. SQLite allows 2,000 columns in a
    /// result, and a view past that cannot be read at all: one writer (in any namespace) who
    /// gave a collection thousands of fields would take that collection's queries from everyone.
    /// Past the limit the view keeps the fields the most records use.
    public static let maxViewFields = 1_000
    static let maxValueBytes: Int32 = 64 << 20

    /// `CREATE TEMP VIEW` statements, one per collection. Internal tables are named with `main.`
    /// so a collection that shares a table's name cannot shadow what its own view reads.
    func viewDefinitions() throws -> [(collection: String, sql: String, shown: Int, omitted: Int)] {
        var byCollection: [String: [(String, CRDTKind)]] = [:]
        let st = try db.prepare("SELECT collection, field, crdt FROM columns ORDER BY collection, field, crdt")
        while try st.step() {
            byCollection[st.text(0), default: []].append((st.text(1), CRDTKind(rawValue: st.int64(2)) ?? .register))
        }
        var sql: [(collection: String, sql: String, shown: Int, omitted: Int)] = []
        for (collection, allFields) in byCollection.sorted(by: { $0.key < $1.key }) {
            let names = Set(allFields.map(\.0))
            var fields = allFields
            if names.count > Self.maxViewFields {
                let kept = try mostUsedFields(of: collection, limit: Self.maxViewFields)
                fields = allFields.filter { kept.contains($0.0) }
            }
            let shown = Set(fields.map(\.0)).count
            let omitted = names.count - shown
            let visible = "(r.deleted IS NULL OR %@ > r.deleted)"
            var exprs: [String: [String]] = [:]
            var order: [String] = []
            /// Per field written as a register: the register's expression, and whether it was written.
            var registers: [String: (value: String, written: String)] = [:]
            for (field, kind) in fields {
                if exprs[field] == nil { order.append(field) }
                let f = "'\(field)'"

                switch kind {
                case .register:
                    let rows = "main.history h WHERE h.rec = r.rec AND h.field = \(f) AND \(visible.replacingOccurrences(of: "%@", with: "h.stamp"))"
                    let value = "(SELECT h.value FROM \(rows) ORDER BY h.stamp DESC LIMIT 1)"
                    registers[field] = (value, "EXISTS (SELECT 1 FROM \(rows))")
                    exprs[field, default: []].append(value)
                case .counter:
                    exprs[field, default: []].append(
                        "(SELECT clamped_sum(c.delta) FROM main.counters c WHERE c.rec = r.rec AND c.field = \(f) AND \(visible.replacingOccurrences(of: "%@", with: "c.stamp")))")
                case .set:
                    exprs[field, default: []].append(
                        """
                        (SELECT CASE WHEN count(*) = 0 THEN NULL ELSE json_group_array(e) END FROM (SELECT DISTINCT
                        CASE WHEN typeof(a.elem) = 'blob' THEN hex(a.elem) ELSE a.elem END AS e FROM main.set_adds a
                        WHERE a.rec = r.rec AND a.field = \(f) AND \(visible.replacingOccurrences(of: "%@", with: "a.stamp"))
                        AND \(setAddNotRemovedSQL) ORDER BY e))
                        """)
                }
            }
            // A field written as more than one kind shows as `get` shows it: a register written
            // at all wins (even when its latest value is null), then a counter, then a set.
            let columns = order.map { f -> String in
                let e = exprs[f]!
                let value: String
                if e.count == 1 {
                    value = e[0]
                } else if let register = registers[f] {
                    let rest = e.filter { $0 != register.value }
                    value = "CASE WHEN \(register.written) THEN \(register.value) ELSE \(rest.count == 1 ? rest[0] : "COALESCE(\(rest.joined(separator: ", ")))") END"
                } else {
                    value = "COALESCE(\(e.joined(separator: ", ")))"
                }
                return value + " AS \"\(f)\""
            }
            sql.append((collection: collection, sql: """
                CREATE TEMP VIEW "\(collection)" AS SELECT COALESCE(n.petname, n.name) AS namespace, r.rid AS id\(columns.isEmpty ? "" : ", ")\(columns.joined(separator: ", "))
                FROM main.records r JOIN main.namespaces n ON n.ns = r.ns
                WHERE r.collection = '\(collection)' AND \(visibleRecordSQL)
                """, shown: shown, omitted: omitted))
        }
        return sql
    }

    /// The `limit` fields of a collection that the most records use (ties by name).
    private func mostUsedFields(of collection: String, limit: Int) throws -> Set<String> {
        let st = try db.prepare(
            """
            SELECT field, count(DISTINCT rec) AS n FROM (
                SELECT h.field, h.rec FROM main.history h JOIN main.records r ON r.rec = h.rec WHERE r.collection = ?1
                UNION ALL SELECT c.field, c.rec FROM main.counters c JOIN main.records r ON r.rec = c.rec WHERE r.collection = ?1
                UNION ALL SELECT a.field, a.rec FROM main.set_adds a JOIN main.records r ON r.rec = a.rec WHERE r.collection = ?1)
            GROUP BY field ORDER BY n DESC, field LIMIT ?2
            """)
        st.bind(1, collection)
        st.bind(2, Int64(limit))
        var out: Set<String> = []
        while try st.step() { out.insert(st.text(0)) }
        return out
    }
}
