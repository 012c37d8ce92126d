import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoSQLite
import TejidoStore
import TejidoTestSupport

/// Store life cycle, local writes, queries and bad input.
@Suite struct StoreTests {
    @Test func localWritesRoundTripAndVerify() throws {
        try withTemporaryStore { store in
            let ns = try store.createNamespace(name: "chiapas")
            #expect(ns.myRole == .admin)
            let rec = RecordKey(collection: "events", id: "e1")
            try store.put(namespace: "chiapas", record: rec, fields: [("title", .text("Asamblea")), ("n", .int(3)), ("ok", .bool(true))], message: "primera")
            try store.increment(namespace: "chiapas", record: rec, field: "firmas", by: 2)
            try store.tagAdd(namespace: "chiapas", record: rec, field: "tags", element: .text("agua"))
            try store.tagAdd(namespace: "chiapas", record: rec, field: "tags", element: .text("luz"))
            try store.tagRemove(namespace: "chiapas", record: rec, field: "tags", element: .text("agua"))
            let state = try #require(try store.get(namespace: "chiapas", record: rec))
            #expect(state.fields == ["title": .value(.text("Asamblea")), "n": .value(.int(3)), "ok": .value(.bool(true)),
                                     "firmas": .counter(2), "tags": .set([.text("luz")])])
            let rows = try store.query("SELECT namespace, id, title, firmas, tags FROM events").rows
            #expect(rows == [[.text("chiapas"), .text("e1"), .text("Asamblea"), .integer(2), .text("[\"luz\"]")]])
            let report = try store.verify()
            #expect(report.ok && report.applied == 6)
        }
    }

    /// `verify` checks the changesets; `databaseProblems` (verify --database) finds damage to the
    /// file that the changesets do not show, here a page of random bytes.
    @Test func aDamagedPageShowsInTheDatabaseCheck() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("s")
            do {
                let store = try Store.create(at: path)
                _ = try store.createNamespace(name: "chiapas")
                for i in 0..<300 {
                    try store.put(namespace: "chiapas", record: RecordKey(collection: "events", id: "e\(i)"),
                                  fields: [("title", .text(String(repeating: "asamblea ", count: 8) + String(i)))])
                }
                #expect(try store.databaseProblems().isEmpty)
            }
            // One whole page of the size the store was made with.
            let pageSize = try SQLiteConnection(path: path.appendingPathComponent("store.db").path, mode: .readOnly)
                .scalar("PRAGMA page_size")
            guard case .integer(let pageBytes)? = pageSize else {
                Issue.record("no page size")
                return
            }
            let page = UInt64(pageBytes)
            let file = try FileHandle(forUpdating: path.appendingPathComponent("store.db"))
            let size = try file.seekToEnd()
            #expect(size > 8 * page)
            try file.seek(toOffset: 5 * page)
            var rng = SystemRandomNumberGenerator()
            try file.write(contentsOf: (0..<page).map { _ in UInt8.random(in: 0...255, using: &rng) })
            try file.close()
            let problems = try Store.open(at: path).databaseProblems()
            #expect(!problems.isEmpty)
            #expect(problems.allSatisfy { $0.kind == "database" })
        }
    }

    /// A log past the checkpoint threshold is copied on the checkpoint thread; closing the store
    /// stops that thread and leaves the database whole, with no log behind.
    @Test func aLongLogIsCheckpointedAndRemovedAtClose() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("s")
            let value = String(repeating: "x", count: 900_000)
            do {
                let store = try Store.create(at: url)
                try store.createNamespace(name: "guerrero")
                // 24 changesets of about 900 KB: over 20 MiB of log, past the 16 MiB start.
                for i in 0..<24 {
                    try store.put(namespace: "guerrero", record: RecordKey(collection: "c", id: "r\(i)"), fields: [("f", .text(value))])
                }
            }
            #expect(!FileManager.default.fileExists(atPath: url.appendingPathComponent("store.db-wal").path))
            let size = (try FileManager.default.attributesOfItem(atPath: url.appendingPathComponent("store.db").path)[.size] as? Int) ?? 0
            #expect(size > 20 << 20)
            let store = try Store.open(at: url)
            #expect(try store.get(namespace: "guerrero", record: RecordKey(collection: "c", id: "r23"))?.fields["f"] == .value(.text(value)))
            #expect(try store.verify().ok)
        }
    }

    @Test func reopeningKeepsKeyNetworkAndData() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("s")
            let key: Ed25519PublicKey
            let network: [UInt8]
            do {
                let store = try Store.create(at: url)
                try store.createNamespace(name: "oaxaca")
                try store.put(namespace: "oaxaca", record: RecordKey(collection: "c", id: "1"), fields: [("f", .int(1))])
                key = store.nodeKey.publicKey
                network = store.networkID
            }
            let again = try Store.open(at: url)
            #expect(again.nodeKey.publicKey == key)
            #expect(again.networkID == network)
            #expect(try again.get(namespace: "oaxaca", record: RecordKey(collection: "c", id: "1"))?.fields["f"] == .value(.int(1)))
            let mode = try FileManager.default.attributesOfItem(atPath: url.appendingPathComponent("node.key").path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            #expect(throws: StoreError.alreadyAStore(path: url.path)) { try Store.create(at: url) }
        }
    }

    /// New stores use 16 KiB pages (see `Store.pageSize`), and keep them across reopening.
    @Test func newStoresUseSixteenKiBPages() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("s")
            do {
                let store = try Store.create(at: url)
                try store.createNamespace(name: "oaxaca")
            }
            _ = try Store.open(at: url)
            let db = try SQLiteConnection(path: url.appendingPathComponent("store.db").path, mode: .readOnly)
            #expect(try db.scalar("PRAGMA page_size") == .integer(16384))
            #expect(try db.scalar("PRAGMA journal_mode") == .text("wal"))
        }
    }

    @Test func queryRefusesEveryWrite() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "g")
            try store.put(namespace: "g", record: RecordKey(collection: "events", id: "1"), fields: [("title", .text("x"))])
            let before = try store.stateDigest()
            for sql in ["DELETE FROM records", "UPDATE history SET value = 1", "INSERT INTO meta VALUES('a', 1)", "DROP TABLE history",
                        "PRAGMA user_version = 9", "ATTACH DATABASE '/tmp/x.db' AS x", "CREATE TABLE t(a)"] {
                #expect(throws: StoreError.self, "\(sql)") { try store.query(sql) }
            }
            #expect(try store.stateDigest() == before)
            #expect(try store.query("SELECT count(*) FROM events").rows == [[.integer(1)]])
        }
    }

    @Test func foreignAndCorruptFilesAreRefused() throws {
        try withTemporaryDirectory { dir in
            #expect(throws: StoreError.notAStore(path: dir.path)) { try Store.open(at: dir) }
            try Data("not a database at all, just text".utf8).write(to: dir.appendingPathComponent("store.db"))
            #expect(throws: StoreError.self) { try Store.open(at: dir) }
            // A valid SQLite file that is not a Tejido store.
            let other = dir.appendingPathComponent("other")
            try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
            let db = try SQLiteConnection(path: other.appendingPathComponent("store.db").path, mode: .create)
            try db.execute("CREATE TABLE x(a)")
            let foreign = other.appendingPathComponent("store.db").path
            #expect(throws: StoreError.foreignDatabase(path: foreign)) { try Store.open(at: other) }
        }
    }

    @Test func writesWithoutARoleAreRefusedNamingTheNamespace() throws {
        try withTemporaryStore { store in
            var rng = SeededRandom(seed: 3)
            let f = try ChangesetFactory(network: store.networkID, rng: &rng)
            try store.receive(f.genesis(name: "ajeno", grants: [], hlc: HLC(milliseconds: 1_764_000_000_000, counter: 0)).bytes)
            // The refusal names who may grant the role: the namespace's root (its only admin here).
            let admins = [KeyText.fingerprint(f.root.publicKey.bytes)]
            #expect(throws: StoreError.notAuthorized(namespace: "ajeno", needed: .writer, admins: admins)) {
                try store.put(namespace: "ajeno", record: RecordKey(collection: "c", id: "1"), fields: [("f", .int(1))])
            }
            #expect(throws: StoreError.notAuthorized(namespace: "ajeno", needed: .admin, admins: admins)) {
                try store.grant(namespace: "ajeno", key: store.nodeKey.publicKey, role: .admin)
            }
        }
    }

    @Test func badImportLeavesTheStoreUnchanged() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "chiapas")
            let good = (0..<300).map { i in
                #"{"replica":"chiapas","txn":\#(i / 10),"op":"set","collection":"events","id":"e\#(i % 7)","field":"title","value":"v\#(i)"}"#
            }
            let cases = [
                good + ["{not json"],
                good + [#"{"replica":"nadie","txn":99,"op":"set","collection":"events","id":"x","field":"t","value":1}"#],
                good + [#"{"replica":"chiapas","txn":99,"op":"set","collection":"events","id":"x","field":"id","value":1}"#],
                good + [#"{"replica":"chiapas","txn":99,"op":"inc","collection":"petitions","id":"x","field":"n","value":"uno"}"#],
                good + [#"{"replica":"chiapas","txn":99,"op":"explode","collection":"events","id":"x","field":"t","value":1}"#],
            ]
            let before = try store.stateDigest()
            for (i, lines) in cases.enumerated() {
                let file = store.directory.appendingPathComponent("bad\(i).jsonl")
                try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
                #expect(throws: StoreError.self) { try store.importJSONLines(path: file.path, options: ImportOptions(changesetsPerCommit: 5)) }
                #expect(try store.stateDigest() == before)
                #expect(try store.changesetCounts().applied == 1)
            }
            let file = store.directory.appendingPathComponent("good.jsonl")
            try good.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            var reported: [ImportSummary] = []
            let summary = try store.importJSONLines(path: file.path, options: ImportOptions(changesetsPerCommit: 5)) { reported.append($0) }
            #expect(summary.changesets == 30 && summary.ops == 300)
            // Batches of 5 changesets, merged while the checking thread is still reading: 1 to 6 commits.
            #expect((1...6).contains(reported.count))
            #expect(reported.last == summary)
            #expect(zip(reported, reported.dropFirst()).allSatisfy { $0.changesets < $1.changesets })
            #expect(try store.verify().ok)
        }
    }

    @Test func anImportCutShortResumesAfterItsLastReportedLine() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "chiapas")
            let lines = (0..<200).map { i in
                #"{"replica":"chiapas","txn":\#(i / 10),"op":"inc","collection":"petitions","id":"p\#(i % 3)","field":"firmas","value":1}"#
            }
            let file = store.directory.appendingPathComponent("w.jsonl")
            try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            // Import only the first 7 changesets' lines, as if the rest had been cut off.
            let head = store.directory.appendingPathComponent("head.jsonl")
            try lines.prefix(70).joined(separator: "\n").write(to: head, atomically: true, encoding: .utf8)
            let first = try store.importJSONLines(path: head.path)
            #expect(first.lines == 70)
            var options = ImportOptions()
            options.afterLine = first.lines
            let rest = try store.importJSONLines(path: file.path, options: options)
            #expect(rest.changesets == 13 && rest.ops == 130)
            let total = try store.query("SELECT sum(firmas) FROM petitions").rows
            #expect(total == [[.integer(200)]], "every line counted exactly once")
        }
    }

    @Test func aRemoveOfMoreAddsThanOneOpMayNameIsSplitAndStaysValid() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "g")
            let rec = RecordKey(collection: "events", id: "e1")
            for _ in 0..<(FormatLimits.maxObserved + 30) {
                try store.tagAdd(namespace: "g", record: rec, field: "tags", element: .text("agua"))
            }
            let id = try store.tagRemove(namespace: "g", record: rec, field: "tags", element: .text("agua"))
            var removeOps = 0
            try store.forEachEnvelope { bytes in
                let env = try ChangesetEnvelope(bytes: bytes)
                if env.id == id { removeOps = env.body.ops.count }
            }
            #expect(removeOps == 2)
            #expect(try store.get(namespace: "g", record: rec)?.fields["tags"] == nil)
            #expect(try store.verify().ok)
        }
    }

    @Test func aLocalWriteWithAnEmptyMessageIsRefusedBeforeSigning() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "g")
            let rec = RecordKey(collection: "events", id: "e1")
            #expect(throws: StoreError.self) { try store.tagRemove(namespace: "g", record: rec, field: "tags", element: .text("x"), message: "") }
            #expect(throws: StoreError.self) { try store.put(namespace: "g", record: rec, fields: [("t", .int(1))], message: "") }
            #expect(try store.changesetCounts().applied == 1)
        }
    }

    /// Two processes on one store: one rebuilds a namespace (a revocation takes back applied
    /// changesets), which gives its records new row ids. The other must not go on writing to the
    /// row ids it had cached before: its next write has to land on the record as it now is.
    @Test func aRebuildByAnotherConnectionInvalidatesCachedRecordRows() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("store")
            let first = try Store.create(at: url)
            first.now = FixedClock(start: 1_764_000_000_000).reading
            var rng = SeededRandom(seed: 11)
            let f = try ChangesetFactory(network: first.networkID, rng: &rng)
            let writer = try f.addAuthor(rng: &rng)
            let hlc = HLC(milliseconds: 1_764_000_000_000, counter: 0)
            _ = try first.receive(f.genesis(name: "grupo", grants: [(first.nodeKey.publicKey, .admin), (writer.publicKey, .writer)], hlc: hlc).bytes)
            let x = RecordKey(collection: "c", id: "x")
            _ = try first.receive(f.make(by: writer, ops: [.set(x, field: "w", value: .int(9))], hlc: hlc, deps: []).bytes)
            _ = try first.put(namespace: "grupo", record: x, fields: [("f", .int(1))])
            // A second namespace whose record rows come after the first's.
            _ = try first.createNamespace(name: "otro")
            _ = try first.put(namespace: "otro", record: RecordKey(collection: "c", id: "y"), fields: [("g", .int(1))])

            let second = try Store.open(at: url)
            second.now = FixedClock(start: 1_764_000_100_000).reading
            _ = try second.revoke(namespace: "grupo", key: writer.publicKey, after: 0)
            #expect(try second.get(namespace: "grupo", record: x)?.fields["w"] == nil)

            _ = try first.put(namespace: "grupo", record: x, fields: [("f", .int(2))])
            #expect(try second.get(namespace: "grupo", record: x)?.fields["f"] == .value(.int(2)))
            #expect(try first.get(namespace: "grupo", record: x)?.fields["f"] == .value(.int(2)))
            #expect(try first.query("SELECT count(*) FROM history WHERE rec NOT IN (SELECT rec FROM records)").rows == [[.integer(0)]])
        }
    }

    /// Record ids are compared byte for byte (as SQLite compares them): "é" written precomposed
    /// and "e" + combining accent are two records, even in one process, whose caches must not
    /// take them for one because Swift's String equality would.
    @Test func recordIdsThatAreCanonicallyEqualButDifferentBytesStayTwoRecords() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "g")
            let composed = RecordKey(collection: "c", id: "caf\u{E9}")
            let decomposed = RecordKey(collection: "c", id: "cafe\u{301}")
            try store.put(namespace: "g", record: composed, fields: [("v", .int(1))])
            try store.put(namespace: "g", record: decomposed, fields: [("v", .int(2))])
            #expect(try store.get(namespace: "g", record: composed)?.fields["v"] == .value(.int(1)))
            #expect(try store.get(namespace: "g", record: decomposed)?.fields["v"] == .value(.int(2)))
            #expect(try store.query("SELECT count(*) FROM c").rows == [[.integer(2)]])
        }
    }
}
