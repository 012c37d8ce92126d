import Foundation
import Testing
import TejidoSQLite

/// A --store directory that holds no store, someone else's file, or a damaged one: tejido refuses
/// with a message and leaves every file as it found it.
@Suite("Stores that are not stores")
struct StoreFileTests {
    /// Commands that read, and one that would write.
    static let commands: [[String]] = [
        ["log"], ["log", "--envelopes"], ["get", "chiapas/events/ev1"], ["put", "chiapas/events/ev1", "title=x"],
        ["verify"], ["key", "show"], ["namespace", "list"], ["query", "select 1"],
    ]

    /// Every file under `dir` (relative path) with its bytes.
    private func contents(of dir: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: dir.path) else { return result }
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            let path = dir.appendingPathComponent(rel).path
            if fm.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue { result[rel] = try Data(contentsOf: URL(fileURLWithPath: path)) }
            else { result[rel + "/"] = Data() }
        }
        return result
    }

    private func expectAllRefused(in dir: URL, status: Int32, stderrContains needle: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try contents(of: dir)
        for args in Self.commands {
            let r = CLI.run(args, store: dir)
            #expect(r.status == status, "tejido \(args): exit \(r.status), stderr: \(r.stderr)", sourceLocation: sourceLocation)
            #expect(r.stderr.contains(needle), "tejido \(args): stderr lacks \"\(needle)\": \(r.stderr)", sourceLocation: sourceLocation)
            #expect(r.stdout.isEmpty, "tejido \(args) printed: \(r.stdout)", sourceLocation: sourceLocation)
        }
        #expect(try contents(of: dir) == before, "files changed", sourceLocation: sourceLocation)
    }

    @Test("a directory that is not a store: exit 1, and the message points to tejido init")
    func notAStore() throws {
        try withTemporaryDirectory { tmp in
            try Data("notas\n".utf8).write(to: tmp.appendingPathComponent("notas.txt"))
            try expectAllRefused(in: tmp, status: 1, stderrContains: "is not a Tejido store. Create one with `tejido init")
            let missing = tmp.appendingPathComponent("no-existe")
            let r = CLI.run(["log"], store: missing)
            #expect(r.status == 1)
            #expect(r.stderr.contains("tejido init"))
            #expect(!FileManager.default.fileExists(atPath: missing.path))
        }
    }

    @Test("a node key without a store beside it is not replaced by init")
    func nodeKeyWithoutStore() throws {
        try withTemporaryDirectory { tmp in
            let network = try #require(try CLI.json(["init", "--network", "red"], store: tmp)["network"]?.string)
            let key = tmp.appendingPathComponent("node.key")
            let before = try Data(contentsOf: key)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: tmp.appendingPathComponent("store.db").path + suffix) }
            for args in [["init", "--join", network], ["init", "--network", "otra"]] {
                let r = CLI.run(args, store: tmp)
                #expect(r.status == 1, "\(args): \(r)")
                #expect(r.stderr.contains("is a node key with no store beside it"), "\(r.stderr)")
            }
            let es = CLI.run(["init", "--join", network, "--lang", "es"], store: tmp)
            #expect(es.stderr.contains("es la llave de un nodo sin almacén al lado"), "\(es.stderr)")
            let json = CLI.run(["init", "--join", network, "--json"], store: tmp)
            #expect(try JSON.parse(json.stderr)["error"]?.string == "node_key_without_store", "\(json.stderr)")
            #expect(try Data(contentsOf: key) == before)
            #expect(!FileManager.default.fileExists(atPath: tmp.appendingPathComponent("store.db").path))
        }
    }

    @Test("init where config.json is a directory: the system's reason, in the user's language, and nothing left")
    func configIsADirectory() throws {
        try withTemporaryDirectory { tmp in
            try FileManager.default.createDirectory(at: tmp.appendingPathComponent("config.json"), withIntermediateDirectories: false)
            let english = CLI.run(["init", "--network", "red"], store: tmp)
            #expect(english.status == 1)
            #expect(english.stderr.contains("Cannot create a store in") && english.stderr.contains("Is a directory"), "\(english.stderr)")
            let spanish = CLI.run(["init", "--network", "red", "--lang", "es"], store: tmp)
            #expect(spanish.stderr.contains("Es un directorio") && !spanish.stderr.contains("NSCocoaErrorDomain"), "\(spanish.stderr)")
            let left = try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { !$0.hasPrefix(".") }
            #expect(left == ["config.json"], "\(left)")
        }
    }

    @Test("a folder whose path is too long for SQLite: said so, in both languages, and nothing made")
    func pathTooLong() throws {
        try withTemporaryDirectory { tmp in
            var deep = tmp
            while deep.path.utf8.count < 500 { deep = deep.appendingPathComponent(String(repeating: "a", count: 40)) }
            let english = CLI.run(["init", "--network", "red"], store: deep)
            #expect(english.status == 1)
            #expect(english.stderr.contains("has a path of \(deep.path.utf8.count) bytes") && english.stderr.contains("at most 495"), "\(english.stderr)")
            let spanish = CLI.run(["init", "--network", "red", "--lang", "es"], store: deep)
            #expect(spanish.stderr.contains("Usa una carpeta con una ruta más corta"), "\(spanish.stderr)")
            let left = try FileManager.default.contentsOfDirectory(atPath: tmp.path)
            #expect(left.isEmpty, "\(left)")
        }
    }

    @Test("a store.db that is not SQLite at all")
    func foreignFile() throws {
        try withTemporaryDirectory { tmp in
            try Data(String(repeating: "esto no es una base de datos\n", count: 300).utf8).write(to: tmp.appendingPathComponent("store.db"))
            try expectAllRefused(in: tmp, status: 1, stderrContains: "is not a Tejido database")
            let r = CLI.run(["init", "--network", "x"], store: tmp)
            #expect(r.status == 1)
            #expect(r.stderr.contains("already holds a store"))
        }
    }

    @Test("a store.db that is a SQLite database of another program")
    func foreignSQLite() throws {
        try withTemporaryDirectory { tmp in
            do {  // closed at the end of this block
                let db = try SQLiteConnection(path: tmp.appendingPathComponent("store.db").path, mode: .create)
                try db.execute("CREATE TABLE recetas(nombre TEXT); INSERT INTO recetas VALUES ('mole'), ('tamales');")
            }
            try expectAllRefused(in: tmp, status: 1, stderrContains: "is not a Tejido database")
            #expect(CLI.run(["key", "show"], store: tmp).stderr.contains("use another directory"))
        }
    }

    @Test("a store.db damaged in the middle after the store was closed")
    func corruptStore() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            for i in 0..<40 {
                try CLI.ok(["put", "chiapas/events/e\(i)", "title=Evento \(i)", "description=\(String(repeating: "texto largo ", count: 40))"], store: s.directory)
            }
            #expect(!FileManager.default.fileExists(atPath: s.databaseFile.path + "-wal"), "the last connection checkpoints and removes the WAL")
            var bytes = try [UInt8](Data(contentsOf: s.databaseFile))
            try #require(bytes.count >= 16 * 4096, "the database spans many pages (\(bytes.count) bytes)")
            // Keep the first page (header and schema) so that SQLite opens the file; garble the rest of the middle.
            var rng = Workload.SplitMix(seed: 99)
            for i in max(4096, bytes.count / 10)..<(bytes.count * 9 / 10) { bytes[i] = UInt8(truncatingIfNeeded: rng.next()) }
            try Data(bytes).write(to: s.databaseFile)

            let before = try contents(of: s.directory)
            for args in [["verify"], ["log"], ["log", "--envelopes"], ["put", "chiapas/events/e1", "title=x"], ["get", "chiapas/events/e1"]] {
                let r = s.run(args)
                #expect(r.status != 0, "tejido \(args) exited 0 on a damaged store: \(r.stdout)")
                #expect(r.stderr.contains("damaged") || r.stderr.contains("malformed"), "tejido \(args): \(r.stderr)")
            }
            #expect(try contents(of: s.directory) == before, "a damaged store is left byte for byte as it was")
        }
    }

    @Test("a value out of range in the database (a negative seq, an unknown state) is damage, never a crash", arguments: [
        ("UPDATE changesets SET state = 77 WHERE seqno = 2", ["status"]),
        ("UPDATE changesets SET seq = -1 WHERE seqno = 2", ["verify"]),
        ("UPDATE roles SET cutoff = -7", ["members", "chiapas"]),
        ("UPDATE feeds SET seq = 9223372036854775807", ["import", "-"]),
        ("UPDATE feeds SET seq = 9223372036854775807", ["put", "chiapas/events/nuevo", "title=x"]),
    ])
    func outOfRangeValues(sql: String, args: [String]) throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            do {
                let db = try SQLiteConnection(path: s.databaseFile.path, mode: .readWrite)
                try db.execute(sql)
            }
            let line = #"{"replica":"chiapas","txn":1,"op":"set","collection":"events","id":"x","field":"f","value":1}"#
            let r = s.run(args, stdin: Data((line + "\n").utf8))
            #expect(r.status != 0 && r.status < 128, "tejido \(args) after \(sql): exit \(r.status), \(r.stderr)")
            #expect(r.stderr.hasPrefix("tejido: "), "a message, not a crash: \(r.stderr)")
        }
    }

    @Test("a store whose write lock another process holds too long: a clear message, here and from the far side of a sync")
    func busyStore() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            let (b, _) = try s.joined(in: tmp, name: "b")
            _ = try CLI.json(["namespace", "create", "oaxaca"], store: b)
            try CLI.ok(["put", "oaxaca/events/desde-b", "title=x"], store: b)
            let db = try SQLiteConnection(path: s.databaseFile.path, mode: .readWrite)
            try db.execute("BEGIN IMMEDIATE")
            defer { try? db.execute("ROLLBACK") }
            let put = s.run(["put", "chiapas/events/nuevo", "title=x", "--json"])
            #expect(put.status == 1)
            #expect(put.stderr.contains("\"error\":\"store_busy\""), "\(put.stderr)")
            // Pushed into it over a pipe: the far side's serve --stdio says why its store failed.
            let sync = CLI.run(["sync", s.directory.path, "--push-only", "--lang", "es"], store: b)
            #expect(sync.status == 1)
            #expect(sync.stderr.contains("El almacén está ocupado"), "\(sync.stderr)")
        }
    }

    @Test("status and namespace list only read: they answer while another command holds the write lock, on a store that has only received")
    func readingCommandsDoNotWrite() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            let bundle = tmp.appendingPathComponent("p.tjb").path
            try CLI.ok(["bundle", "create", bundle], store: s.directory)
            let (b, _) = try s.joined(in: tmp, name: "b")
            try CLI.ok(["bundle", "apply", bundle], store: b)
            let db = try SQLiteConnection(path: b.appendingPathComponent("store.db").path, mode: .readWrite)
            try db.execute("BEGIN IMMEDIATE")
            defer { try? db.execute("ROLLBACK") }
            for args in [["status", "--json"], ["namespace", "list", "--json"]] {
                let start = Date()
                let r = CLI.run(args, store: b)
                #expect(r.status == 0, "\(args): \(r.stderr)")
                // The write lock's wait is 10 s; a reading command does not wait for it at all.
                #expect(Date().timeIntervalSince(start) < 5, "\(args)")
            }
        }
    }

    @Test("a changeset whose signature was altered: verify exits 3 and names the problem in the user's language")
    func alteredSignature() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            do {
                let db = try SQLiteConnection(path: s.databaseFile.path, mode: .readWrite)
                let read = try db.prepare("SELECT seqno, envelope FROM changesets ORDER BY seqno DESC LIMIT 1")
                #expect(try read.step())
                let seqno = read.int64(0)
                var envelope = read.blob(1)
                read.reset()
                envelope[envelope.count - 1] ^= 0x01
                let write = try db.prepare("UPDATE changesets SET envelope=? WHERE seqno=?")
                write.bind(blob: 1, envelope)
                write.bind(2, seqno)
                _ = try write.step()
            }
            let r = s.run(["verify", "--lang", "es"])
            #expect(r.status == 3)
            #expect(r.stdout.contains("firma  "), "\(r.stdout)")
            #expect(r.stdout.contains("la firma no es válida"))
            #expect(r.stdout.contains("Problemas encontrados: 1."))
            #expect(r.stdout.contains("tejido init --join RED --store NUEVO"))
            let json = try JSON.parse(s.run(["verify", "--json"]).stdout)
            #expect(json["problems"]?.array?.first?["kind"] == .string("signature"), "JSON keeps the stable kind")
        }
    }
}
