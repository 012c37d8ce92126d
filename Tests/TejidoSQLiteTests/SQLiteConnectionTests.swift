import Foundation
import Testing
import TejidoSQLite
import TejidoTestSupport

@Suite struct SQLiteConnectionTests {
    func withDatabase(_ body: (SQLiteConnection, String) throws -> Void) throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("t.db").path
            let db = try SQLiteConnection(path: path, mode: .create)
            try db.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v)")
            try body(db, path)
        }
    }

    /// A file that cannot be opened keeps the system's reason, and the path.
    @Test func aFailedOpenSaysWhyAndWhere() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("a-directory").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            do {
                _ = try SQLiteConnection(path: path, mode: .create)
                Issue.record("a directory opened as a database")
            } catch let e as SQLiteError {
                #expect(e.isCannotOpen)
                #expect(e.systemErrno == EISDIR)
                #expect(e.path == path)
            }
        }
    }

    @Test func valuesRoundTripWithTheirTypes() throws {
        try withDatabase { db, _ in
            let values: [SQLiteValue] = [.null, .integer(Int64.min), .integer(Int64.max), .real(-0.5), .text("añil ✓"), .blob([0, 1, 255]), .blob([])]
            let insert = try db.prepare("INSERT INTO t(k, v) VALUES(?, ?)")
            for (i, v) in values.enumerated() { try insert.run([.integer(Int64(i)), v]) }
            let read = try db.prepare("SELECT v FROM t ORDER BY k")
            var got: [SQLiteValue] = []
            while try read.step() { got.append(read.value(0)) }
            // SQLite keeps an empty blob as an empty blob.
            #expect(got == values)
        }
    }

    /// Bytes bound without a copy are read at step time, and stored as text or blob as asked.
    @Test func unsafeBindingsStoreTheBytesGiven() throws {
        try withDatabase { db, _ in
            let insert = try db.prepare("INSERT INTO t(k, v) VALUES(?, ?), (?, ?), (?, ?)")
            let bytes: [UInt8] = Array("añil".utf8) + [0, 1, 255]
            try bytes.withUnsafeBufferPointer { b in
                insert.bind(1, Int64(1)); insert.bind(unsafeText: 2, UnsafeBufferPointer(rebasing: b[0..<5]))
                insert.bind(3, Int64(2)); insert.bind(unsafeBlob: 4, UnsafeBufferPointer(rebasing: b[5...]))
                insert.bind(5, Int64(3)); insert.bind(unsafeText: 6, UnsafeBufferPointer(rebasing: b[0..<0]))
                try insert.step()
                insert.reset()
            }
            let read = try db.prepare("SELECT v FROM t ORDER BY k")
            var got: [SQLiteValue] = []
            while try read.step() { got.append(read.value(0)) }
            #expect(got == [.text("añil"), .blob([0, 1, 255]), .text("")])
        }
    }

    @Test func aTransactionThatThrowsLeavesNothing() throws {
        try withDatabase { db, _ in
            struct Boom: Error {}
            #expect(throws: Boom.self) {
                try db.transaction {
                    try db.execute("INSERT INTO t(k, v) VALUES(1, 'x')")
                    throw Boom()
                }
            }
            let count = try db.scalar("SELECT count(*) FROM t")
            #expect(count == .integer(0))
            #expect(!db.isInTransaction)
        }
    }

    @Test func prepareSingleRefusesTrailingStatements() throws {
        try withDatabase { db, _ in
            #expect(throws: SQLiteError.self) { try db.prepareSingle("SELECT 1; DELETE FROM t") }
            let ok = try db.prepareSingle("SELECT 1 ;  ")
            let row = try ok.step()
            #expect(row)
            // Comments after the statement are not a statement; one hidden after a comment is.
            for text in ["SELECT 1; -- total", "SELECT 1 /* uno */;;\n-- fin\n", "SELECT 1 -- sin punto y coma"] {
                #expect(try db.prepareSingle(text).step(), "\(text)")
            }
            for text in ["SELECT 1; -- a\nSELECT 2", "SELECT 1; /* b */ DELETE FROM t", "SELECT 1; SELEC"] {
                let error = #expect(throws: SQLiteError.self, "\(text)") { try db.prepareSingle(text) }
                #expect(error?.message == "only one statement is allowed", "\(text)")
            }
        }
    }

    /// A text with no statement (empty, spaces, a comment) is an error that says so, not
    /// "not an error".
    @Test func aTextWithoutAStatementIsRefusedSayingSo() throws {
        try withDatabase { db, _ in
            for text in ["", "  ", ";", "-- nada"] {
                let error = #expect(throws: SQLiteError.self) { try db.prepare(text) }
                #expect(error?.message == "no SQL statement in the text")
            }
        }
    }

    @Test func denyWritesRefusesEveryWriteButReads() throws {
        try withDatabase { db, path in
            try db.execute("INSERT INTO t(k, v) VALUES(1, 'x')")
            let reader = try SQLiteConnection(path: path, mode: .readOnly)
            reader.denyWrites()
            for sql in ["DELETE FROM t", "INSERT INTO t VALUES(2, 'y')", "CREATE TABLE u(a)", "PRAGMA user_version = 3", "ATTACH ':memory:' AS m"] {
                #expect(throws: SQLiteError.self, "\(sql)") { try reader.execute(sql) }
            }
            let v = try reader.scalar("SELECT v FROM t WHERE k = 1")
            #expect(v == .text("x"))
        }
    }

    @Test func errorsNameTheStatement() throws {
        try withDatabase { db, _ in
            do {
                _ = try db.prepare("SELECT nope FROM t")
                Issue.record("no error")
            } catch let e as SQLiteError {
                #expect(e.sql == "SELECT nope FROM t")
                #expect(e.message.contains("nope"))
            }
        }
    }
}
