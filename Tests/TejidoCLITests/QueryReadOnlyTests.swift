import Foundation
import Testing

/// `tejido query` is read-only: any statement that would write is refused with the read-only
/// message (a PRAGMA with its own), and the store (and the file system) is left as it was.
@Suite("query refuses writes")
struct QueryReadOnlyTests {
    static let writes = [
        "DELETE FROM events",
        "UPDATE events SET title = 'x'",
        "INSERT INTO events(namespace, id) VALUES ('chiapas', 'x')",
        "REPLACE INTO members(id) VALUES ('x')",
        "DELETE FROM main.changesets",
        "UPDATE main.records SET deleted = 1",
        "INSERT INTO main.meta(key, value) VALUES ('x', 1)",
        "WITH x AS (SELECT 1) DELETE FROM main.history",
        "DROP VIEW events",
        "DROP TABLE main.changesets",
        "CREATE TABLE t(x)",
        "CREATE TEMP TABLE t(x)",
        "ALTER TABLE main.records ADD COLUMN x",
        "PRAGMA user_version = 7",
        "PRAGMA main.application_id = 1",
        "PRAGMA journal_mode = DELETE",
        "PRAGMA writable_schema = ON",
        "VACUUM",
        "REINDEX",
        "ATTACH DATABASE 'ATTACHED' AS x",
    ]

    @Test("a write through query is refused as read-only", arguments: writes)
    func writeRefused(sql: String) throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            let attached = tmp.appendingPathComponent("attached.db")
            let statement = sql.replacingOccurrences(of: "ATTACHED", with: attached.path)
            let dbBefore = try Data(contentsOf: s.databaseFile)
            let before = try s.snapshot()
            let r = s.run(["query", statement])
            #expect(r.status == 1, "exit \(r.status): \(r.stderr)")
            // A PRAGMA is refused as one (even one that would only read), any other write as a write.
            let said = sql.hasPrefix("PRAGMA") ? "PRAGMA statements and pragma functions are not offered there"
                : "`tejido query` is read-only; this statement would change data"
            #expect(r.stderr.contains(said), "stderr: \(r.stderr)")
            #expect(r.stdout.isEmpty)
            #expect(try s.snapshot() == before)
            #expect(try Data(contentsOf: s.databaseFile) == dbBefore)
            #expect(!FileManager.default.fileExists(atPath: attached.path), "ATTACH must not create a file")
            #expect(try CLI.json(["verify"], store: s.directory)["ok"] == .bool(true))
        }
    }

    @Test("a statement that is not SQL is a query failure, not a crash")
    func syntaxError() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            let r = s.run(["query", "SELEKT nada"])
            #expect(r.status == 1)
            #expect(r.stderr.contains("Query failed"))
            // A name that is no collection's view: the message lists those there are.
            let missing = s.run(["query", "select * from nope"])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("There is no collection \"nope\" to query"))
            #expect(missing.stderr.contains("Collections here: events"), "\(missing.stderr)")
            let json = s.run(["query", "select * from nope", "--json", "--lang", "es"])
            #expect(json.stderr.contains("\"error\":\"unknown_collection\""))
            #expect(json.stderr.contains("No hay una colección"))
        }
    }

    /// Two collections whose names differ only in case cannot both be views: the one left out is
    /// reported on stderr, in the user's language, and as a JSON object under --json.
    @Test func aCollectionLeftWithoutAViewIsReported() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            try CLI.ok(["put", "chiapas/Eventos/e1", "x=1"], store: s.directory)
            try CLI.ok(["put", "chiapas/eventos/e2", "x=2"], store: s.directory)
            let plain = s.run(["query", "SELECT 1", "--lang", "es"])
            #expect(plain.status == 0)
            #expect(plain.stderr.contains("tejido: ") && plain.stderr.contains("eventos"), "\(plain.stderr)")
            let json = s.run(["query", "SELECT 1", "--json"])
            #expect(json.status == 0)
            let warning = try JSON.parse(json.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(warning["warning"]?.string == "skipped_view")
            #expect(warning["collection"]?.string?.lowercased() == "eventos")
        }
    }
}
