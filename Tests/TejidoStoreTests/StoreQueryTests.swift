import Foundation
import Testing
import TejidoCore
import TejidoStore
import TejidoTestSupport

/// The query views show each field as `get` does.
@Suite struct StoreQueryTests {
    /// A PRAGMA, as a statement or as a table function, is refused as such: not as a write, and
    /// not as a bare "not authorized".
    @Test func aPragmaIsRefusedAsAPragma() throws {
        try withTemporaryStore { store in
            for sql in ["PRAGMA user_version", "PRAGMA table_info(x)", "SELECT * FROM pragma_user_version", "pragma journal_mode=delete"] {
                let error = #expect(throws: StoreError.self) { try store.query(sql) }
                #expect(error == .pragmaInQuery, "\(sql)")
            }
            // A PRAGMA after a statement is a second statement; other refusals keep their own words.
            let second = #expect(throws: StoreError.self) { try store.query("SELECT 1; PRAGMA user_version") }
            #expect(second == .queryFailed("only one statement is allowed"))
            let write = #expect(throws: StoreError.self) {
                try store.query("DELETE FROM main.history WHERE rec IN (SELECT cid FROM pragma_table_info('x'))")
            }
            #expect(write != .pragmaInQuery && write != nil)
            let typo = #expect(throws: StoreError.self) { try store.query("SELEC 1") }
            #expect(typo != .pragmaInQuery && typo != nil)
        }
    }

    /// A query with no end is stopped when its result outgrows the memory it may take, long
    /// before its time limit, with a message rather than the process's end.
    @Test func aRunawayQueryStopsAtTheResultLimit() throws {
        try withTemporaryStore { store in
            let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
            let start = Date()
            let error = #expect(throws: StoreError.self) { try store.query(endless, timeout: 60, maxResultBytes: 1 << 20) }
            #expect(error == .queryResultTooLarge(mebibytes: 1))
            #expect(Date().timeIntervalSince(start) < 30)
            // Below the limit, the same rows come back whole.
            let some = try store.query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 1000) SELECT x FROM c",
                                       maxResultBytes: 1 << 20)
            #expect(some.rows.count == 1000)
        }
    }

    /// A field written both as a register and as a counter: a register written at all wins, even
    /// when its latest value is null; without one, the counter shows.
    @Test func aFieldWrittenAsTwoKindsShowsAsGetShowsIt() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "g")
            let both = RecordKey(collection: "c", id: "both")
            let counterOnly = RecordKey(collection: "c", id: "counter")
            try store.increment(namespace: "g", record: both, field: "x", by: 5)
            try store.put(namespace: "g", record: both, fields: [("x", .null)])
            try store.increment(namespace: "g", record: counterOnly, field: "x", by: 7)
            #expect(try store.get(namespace: "g", record: both)?.fields["x"] == .value(.null))
            let rows = try store.query("SELECT id, x FROM c ORDER BY id").rows
            #expect(rows == [[.text("both"), .null], [.text("counter"), .integer(7)]])
        }
    }

    /// A collection given more fields than a result may have columns (one writer, any namespace)
    /// stays queryable: its view keeps the fields the most records use and says how many it left out.
    @Test func aCollectionWithThousandsOfFieldsStaysQueryable() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "g")
            for i in 0..<3 {
                try store.put(namespace: "g", record: RecordKey(collection: "events", id: "e\(i)"), fields: [("title", .text("asamblea \(i)"))])
            }
            let wide = (0..<2_100).map { ("a\(String(format: "%04d", $0))", Value.int(Int64($0))) }
            try store.put(namespace: "g", record: RecordKey(collection: "events", id: "ancho"), fields: wide)
            let result = try store.query("SELECT id, title FROM events WHERE title IS NOT NULL ORDER BY id")
            #expect(result.rows.map { $0[0] } == [.text("e0"), .text("e1"), .text("e2")])
            #expect(result.trimmedCollections.count == 1)
            #expect(result.trimmedCollections.first?.collection == "events")
            #expect(result.trimmedCollections.first?.omitted == 2_101 - Store.maxViewFields)
            #expect(result.trimmedCollections.first?.shown == Store.maxViewFields)
            #expect(try store.query("SELECT * FROM events").columns.count == 2 + Store.maxViewFields)
            // Every field is still there for `get`.
            #expect(try store.get(namespace: "g", record: RecordKey(collection: "events", id: "ancho"))?.fields.count == 2_100)
        }
    }

    /// A counter pushed past the int64 range reads as the bound, in `get`, `query` and the
    /// digest, instead of failing every read of its record (and `status` for the whole store).
    @Test func aCounterPastTheInt64RangeReadsAsTheBound() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "g")
            let rec = RecordKey(collection: "c", id: "r")
            try store.increment(namespace: "g", record: rec, field: "n", by: .max)
            try store.increment(namespace: "g", record: rec, field: "n", by: .max)
            #expect(try store.get(namespace: "g", record: rec)?.fields["n"] == .counter(.max))
            #expect(try store.query("SELECT n FROM c").rows == [[.integer(.max)]])
            _ = try store.stateDigest()
            try store.increment(namespace: "g", record: rec, field: "n", by: .min)
            try store.increment(namespace: "g", record: rec, field: "n", by: .min)
            // The exact sum is now -2: it is back in range.
            #expect(try store.get(namespace: "g", record: rec)?.fields["n"] == .counter(-2))
        }
    }
}
