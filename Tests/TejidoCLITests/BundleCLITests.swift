import Foundation
import Testing

/// The bundle commands through the built binary: a bundle carried to another store and applied
/// twice, its receipt carried back, and what `--json` says of each file.
@Suite("Bundle files and receipts from the command line")
struct BundleCLITests {
    /// A bundle stopped by Ctrl-C while it is written leaves neither FILE nor FILE.part behind
    /// (on a stick, a partial file would stay until the next bundle replaced it).
    @Test("Ctrl-C while a bundle is written leaves no FILE.part")
    func interruptedBundleLeavesNoPart() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            // 80 changesets of 400 KB: a 32 MB bundle, long enough to write that the signal lands
            // while the part file is open.
            let workload = tmp.appendingPathComponent("w.jsonl")
            let value = String(repeating: "x", count: 400_000)
            let lines = (0..<80).map { #"{"replica":"chiapas","txn":\#($0),"op":"set","collection":"notes","id":"n\#($0)","field":"text","value":"\#(value)"}"# }
            try lines.joined(separator: "\n").write(to: workload, atomically: true, encoding: .utf8)
            #expect(s.run(["import", workload.path]).status == 0)
            var stopped = 0
            for attempt in 0..<6 where stopped == 0 {
                let out = tmp.appendingPathComponent("b\(attempt).tjb")
                let part = out.path + ".part"
                let p = Process()
                p.executableURL = try CLI.executable.get()
                p.arguments = ["bundle", "create", out.path, "--json", "--store", s.directory.path]
                p.environment = CLI.baseEnvironment()
                let err = Pipe()
                p.standardOutput = FileHandle.nullDevice
                p.standardError = err
                try p.run()
                // Signal as soon as the part file exists (or when the command ends, if first).
                let deadline = Date().addingTimeInterval(20)
                while p.isRunning && !FileManager.default.fileExists(atPath: part) && Date() < deadline { usleep(1_000) }
                kill(p.processIdentifier, SIGINT)
                let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                p.waitUntilExit()
                #expect(!FileManager.default.fileExists(atPath: part), "attempt \(attempt): \(stderr)")
                // Finished before the signal landed: a whole bundle, which says nothing of a stop.
                guard p.terminationStatus != 0, stderr.contains("bundle_stopped") else { continue }
                stopped += 1
                #expect(p.terminationStatus == 130)
                #expect(!FileManager.default.fileExists(atPath: out.path), "attempt \(attempt)")
            }
            #expect(stopped >= 1, "no attempt was stopped while its file was written")
        }
    }

    @Test("create, inspect, apply twice, and a receipt carried back")
    func roundTrip() throws {
        try withTemporaryDirectory { tmp in
            let a = try StoreFixture.populated(in: tmp)
            // A private namespace is left out of a bundle without a target, and not counted.
            _ = try CLI.json(["namespace", "create", "secreto", "--private"], store: a.directory)
            _ = try CLI.ok(["put", "secreto/c/r1", "v=dato"], store: a.directory)
            let (b, bKey) = try a.joined(in: tmp, name: "b")
            let bundle = tmp.appendingPathComponent("chiapas.tjb").path
            let receipt = tmp.appendingPathComponent("recibo.tjr").path

            let created = try CLI.json(["bundle", "create", bundle], store: a.directory)
            let count = try #require(created["changesets"]?.int)
            #expect(count >= 5)
            #expect(created["namespaces"] == .int(1))

            let inspected = try CLI.json(["bundle", "inspect", bundle], store: a.directory)
            #expect(inspected["kind"] == .string("bundle"))
            #expect(inspected["ok"] == .bool(true))
            #expect(inspected["changesets"] == .int(count))
            #expect(inspected["namespaces"]?.array?.count == 1)

            let applied = try CLI.json(["bundle", "apply", bundle, "--receipt", receipt], store: b)
            #expect(applied["ok"] == .bool(true))
            #expect(applied["applied"] == .int(count))
            #expect(applied["receipt"] == .string(receipt))
            #expect(try CLI.json(["get", "chiapas/events/ev1"], store: b)["fields"]?["title"] == .string("Asamblea"))
            let digest = try CLI.json(["status"], store: b)["digest"]
            // Applying it again changes nothing.
            let again = try CLI.json(["bundle", "apply", bundle], store: b)
            #expect(again["applied"] == .int(0))
            #expect(again["duplicates"] == .int(count))
            #expect(try CLI.json(["status"], store: b)["digest"] == digest)

            // The receipt names what b holds, feed by feed, and no changesets.
            let r = try CLI.json(["bundle", "inspect", receipt], store: a.directory)
            #expect(r["kind"] == .string("receipt"))
            #expect(r["holder"] == .string(bKey))
            #expect(r["ok"] == .bool(true))
            #expect(r["namespaces"]?.array?.count == 1)
            #expect((r["feeds"]?.int ?? 0) >= 1)
            #expect(r["changesets"] == nil)
            let carried = try CLI.json(["bundle", "apply", receipt], store: a.directory)
            #expect(carried["ok"] == .bool(true))
            #expect(carried["holder"] == .string(bKey))
        }
    }
}

extension BundleCLITests {
    @Test("unreadable inputs are named as such: a missing bundle to inspect, a --for that is no peer or key, a passphrase file")
    func unreadableInputs() throws {
        try withTemporaryDirectory { tmp in
            let a = try StoreFixture.populated(in: tmp)
            let missing = tmp.appendingPathComponent("nada").path
            let inspect = CLI.run(["bundle", "inspect", missing, "--lang", "es"], store: a.directory)
            #expect(inspect.status == 1)
            #expect(inspect.stderr.contains("no es un paquete de Tejido legible"))
            #expect(!inspect.stderr.contains("No se aplicó nada"), "inspect applies nothing anyway")
            let forNobody = CLI.run(["bundle", "create", tmp.appendingPathComponent("b.tjb").path, "--for", "nadie"], store: a.directory)
            #expect(forNobody.status == 1)
            #expect(forNobody.stderr.contains("\"nadie\" is neither a peer name nor a key"))
            #expect(!FileManager.default.fileExists(atPath: tmp.appendingPathComponent("b.tjb").path))
            for file in [missing, tmp.path] {
                let export = CLI.run(
                    ["namespace", "export-root", "chiapas", tmp.appendingPathComponent("r.sec").path, "--passphrase-file", file], store: a.directory)
                #expect(export.status == 1)
                #expect(export.stderr.contains("Cannot read \(file): "), "\(export.stderr)")
            }
            // A store without the root secret says so before any passphrase is asked for.
            let (b, _) = try a.joined(in: tmp, name: "b")
            _ = try CLI.json(["sync", a.directory.path], store: b)
            let noRoot = CLI.run(["namespace", "export-root", "chiapas", tmp.appendingPathComponent("r2.sec").path, "--json"], store: b)
            #expect(noRoot.status == 1)
            #expect(noRoot.stderr.contains("\"error\":\"no_root_key\""), "\(noRoot.stderr)")
        }
    }

    @Test("a root secret round trip; a missing or foreign file and an empty passphrase file are named as such")
    func rootSecretFiles() throws {
        try withTemporaryDirectory { tmp in
            let a = try StoreFixture.populated(in: tmp)
            let pass = tmp.appendingPathComponent("frase.txt")
            try Data("una frase larga de paso\n".utf8).write(to: pass)
            let empty = tmp.appendingPathComponent("vacia.txt")
            try Data("\n".utf8).write(to: empty)
            let sealed = tmp.appendingPathComponent("raiz.sec").path
            let exported = CLI.run(["namespace", "export-root", "chiapas", sealed, "--passphrase-file", empty.path, "--json"], store: a.directory)
            #expect(exported.status == 1)
            #expect(exported.stderr.contains("\"error\":\"empty_passphrase_file\""), "\(exported.stderr)")
            #expect(!FileManager.default.fileExists(atPath: sealed))
            _ = try CLI.json(["namespace", "export-root", "chiapas", sealed, "--passphrase-file", pass.path, "--forget-root"], store: a.directory)
            // A missing file is said before any passphrase is asked for; a foreign one is named.
            let missing = tmp.appendingPathComponent("no-existe.sec").path
            let r = CLI.run(["namespace", "import-root", missing, "--lang", "es"], store: a.directory)
            #expect(r.status == 1)
            #expect(r.stderr.contains("No se puede leer \(missing): No existe el archivo o el directorio."), "\(r.stderr)")
            let foreign = CLI.run(["namespace", "import-root", pass.path, "--passphrase-file", pass.path], store: a.directory)
            #expect(foreign.status == 1)
            #expect(foreign.stderr.contains("is not a root secret written by `tejido namespace export-root`"), "\(foreign.stderr)")
            let back = try CLI.json(["namespace", "import-root", sealed, "--passphrase-file", pass.path], store: a.directory)
            #expect(back["namespace"]?.string?.hasPrefix("tjns1") == true, "\(back)")
        }
    }

    @Test("a bundle made by a store with this store's node key (itself, or a copy) that would fork this node's feed is refused whole")
    func bundleOfTheSameNodeThatForks() throws {
        try withTemporaryDirectory { tmp in
            let a = try StoreFixture.populated(in: tmp)
            let copy = tmp.appendingPathComponent("copia")
            try FileManager.default.copyItem(at: a.directory, to: copy)
            // Both write the next changeset of the same feed: two different ones at one seq.
            try CLI.ok(["put", "chiapas/events/desde-copia", "title=copia"], store: copy)
            try CLI.ok(["put", "chiapas/events/propio", "title=original"], store: a.directory)
            let bundle = tmp.appendingPathComponent("copia.tjb").path
            _ = try CLI.json(["bundle", "create", bundle], store: copy)
            let before = try a.snapshot()
            let r = CLI.run(["bundle", "apply", bundle, "--json"], store: a.directory)
            #expect(r.status == 1)
            #expect(r.stderr.contains("\"error\":\"bundle_same_node\""), "\(r.stderr)")
            #expect(try a.snapshot() == before, "nothing applied")
            // The store's own feed is not forked: it can still write, and verify holds.
            try CLI.ok(["put", "chiapas/events/propio2", "title=sigue"], store: a.directory)
            try CLI.ok(["verify"], store: a.directory)
        }
    }

    @Test("a store restored from a backup takes back what it wrote since from a bundle it made itself")
    func restoredStoreAppliesItsOwnBundle() throws {
        try withTemporaryDirectory { tmp in
            let a = try StoreFixture.populated(in: tmp)
            let backup = tmp.appendingPathComponent("respaldo")
            try FileManager.default.copyItem(at: a.directory, to: backup)
            try CLI.ok(["put", "chiapas/events/despues", "title=escrito después del respaldo"], store: a.directory)
            try CLI.ok(["inc", "chiapas/petitions/pe1", "signatures", "5"], store: a.directory)
            let bundle = tmp.appendingPathComponent("propio.tjb").path
            _ = try CLI.json(["bundle", "create", bundle], store: a.directory)
            let expected = try a.snapshot()
            // The disk is lost; the backup comes back in its place and applies the bundle.
            try FileManager.default.removeItem(at: a.directory)
            try FileManager.default.moveItem(at: backup, to: a.directory)
            // Through a pipe it cannot be checked against this node's feed (that reads it twice).
            let errors = tmp.appendingPathComponent("pipe.err")
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "cat \"$1\" | \"$2\" bundle apply /dev/stdin --json --store \"$3\"", "sh", bundle,
                           try CLI.executable.get().path, a.directory.path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = try FileHandle(forWritingTo: errors)
            try p.run()
            p.waitUntilExit()
            let piped = String(decoding: try Data(contentsOf: errors), as: UTF8.self)
            #expect(p.terminationStatus == 1)
            #expect(piped.contains("\"error\":\"bundle_same_node\"") && piped.contains("regular file"), "\(piped)")
            let applied = try CLI.json(["bundle", "apply", bundle], store: a.directory)
            #expect(applied["applied"] == .int(2), "\(applied)")
            #expect(try a.snapshot() == expected)
            // Its feed goes on from the restored head, and everything verifies.
            try CLI.ok(["put", "chiapas/events/luego", "title=sigue"], store: a.directory)
            try CLI.ok(["verify"], store: a.directory)
            // Applying it again changes nothing.
            let again = try CLI.json(["bundle", "apply", bundle], store: a.directory)
            #expect(again["applied"] == .int(0), "\(again)")
        }
    }

    @Test("a bundle, receipt or exported secret is never written over one of the store's own files")
    func neverOverTheStoresOwnFiles() throws {
        try withTemporaryDirectory { tmp in
            let a = try StoreFixture.populated(in: tmp)
            let dir = a.directory
            let (b, _) = try a.joined(in: tmp, name: "b")
            let pass = tmp.appendingPathComponent("frase.txt")
            try Data("una frase de paso\n".utf8).write(to: pass)
            let link = tmp.appendingPathComponent("enlace.tjb")
            try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: dir.appendingPathComponent("node.key").path)
            func contents() throws -> [String: Data] {
                var out: [String: Data] = [:]
                for name in ["store.db", "node.key", "config.json"] { out[name] = try Data(contentsOf: dir.appendingPathComponent(name)) }
                return out
            }
            let keys = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("keys").path)
            let rootKey = dir.appendingPathComponent("keys").appendingPathComponent(try #require(keys.first)).path
            let before = try contents()
            let attempts: [[String]] = [
                ["bundle", "create", dir.appendingPathComponent("store.db").path],
                ["bundle", "create", dir.appendingPathComponent("node.key").path],
                ["bundle", "create", dir.appendingPathComponent("store.db-wal").path],
                ["bundle", "create", link.path],
                ["bundle", "create", dir.path + "/../" + dir.lastPathComponent + "/config.json"],
                ["namespace", "export-root", "chiapas", rootKey, "--passphrase-file", pass.path, "--forget-root"],
                ["namespace", "export-root", "chiapas", dir.appendingPathComponent("keys").path, "--passphrase-file", pass.path],
            ]
            for args in attempts {
                let r = CLI.run(args + ["--json"], store: dir)
                #expect(r.status == 1, "\(args)")
                #expect(r.stderr.contains("\"error\":\"own_store_file\""), "\(args): \(r.stderr)")
            }
            #expect(try contents() == before)
            #expect(FileManager.default.fileExists(atPath: rootKey), "the root secret is still there")
            try CLI.ok(["verify"], store: dir)
            // A receipt aimed at the receiving store's own database: refused before anything is applied.
            let bundle = tmp.appendingPathComponent("todo.tjb").path
            _ = try CLI.json(["bundle", "create", bundle], store: dir)
            let receipt = CLI.run(["bundle", "apply", bundle, "--receipt", b.appendingPathComponent("store.db").path, "--json"], store: b)
            #expect(receipt.status == 1)
            #expect(receipt.stderr.contains("own_store_file"), "\(receipt.stderr)")
            #expect(try CLI.json(["status"], store: b)["applied"]?.int == 0, "nothing applied")
            // Any other name in the store's folder is fine (the default store is the current folder).
            _ = try CLI.json(["bundle", "create", dir.appendingPathComponent("para-oaxaca.tjb").path], store: dir)
            try CLI.ok(["verify"], store: dir)
        }
    }

    @Test("a file that is no bundle, or no file at all, is one error code for inspect and apply")
    func unreadableBundleCode() throws {
        try withTemporaryDirectory { tmp in
            let a = try StoreFixture.populated(in: tmp)
            let garbage = tmp.appendingPathComponent("basura.tjb")
            try Data("no soy un paquete".utf8).write(to: garbage)
            for file in [garbage.path, tmp.appendingPathComponent("no-existe.tjb").path] {
                for command in ["inspect", "apply"] {
                    let r = CLI.run(["bundle", command, file, "--json"], store: a.directory)
                    #expect(r.status == 1, "\(command) \(file)")
                    #expect(r.stderr.contains("\"error\":\"bundle_unreadable\""), "\(command): \(r.stderr)")
                }
            }
        }
    }

    @Test("a receipt that cannot be written is not reported as written; the bundle stays applied")
    func unwritableReceipt() throws {
        try withTemporaryDirectory { tmp in
            let a = try StoreFixture.populated(in: tmp)
            let (b, _) = try a.joined(in: tmp, name: "b")
            let bundle = tmp.appendingPathComponent("all.tjb").path
            _ = try CLI.json(["bundle", "create", bundle], store: a.directory)
            let receipt = tmp.appendingPathComponent("no-such-dir/r.tjr").path
            let r = CLI.run(["bundle", "apply", bundle, "--receipt", receipt, "--json"], store: b)
            #expect(r.status == 1)
            let out = try JSON.parse(r.stdout)
            #expect(out["ok"] == .bool(true) && (out["applied"]?.int ?? 0) > 0)
            #expect(out["receipt"] == nil, "names a receipt that was not written: \(r.stdout)")
            #expect(r.stderr.contains("\"error\":\"cannot_write\""), "\(r.stderr)")
            #expect(!r.stderr.contains("could not be completed"), "the system's reason, not Foundation's sentence: \(r.stderr)")
        }
    }

    @Test("a bundle or receipt path that is a pipe or a directory is refused, a symbolic link is followed")
    func outputPaths() throws {
        try withTemporaryDirectory { tmp in
            let a = try StoreFixture.populated(in: tmp)
            let fifo = tmp.appendingPathComponent("pipe").path
            #expect(mkfifo(fifo, 0o644) == 0)
            let r = a.run(["bundle", "create", fifo])
            #expect(r.status == 1)
            #expect(CLI.errorMessage(r.stderr).contains("is not a regular file"))
            var st = stat()
            #expect(lstat(fifo, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO, "the pipe was replaced")

            // A link to a file: the file gets the bundle, the link stays a link.
            let real = tmp.appendingPathComponent("real.tjb").path
            let link = tmp.appendingPathComponent("link.tjb").path
            #expect(FileManager.default.createFile(atPath: real, contents: Data("old".utf8)))
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
            _ = try CLI.json(["bundle", "create", link], store: a.directory)
            #expect(lstat(link, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK, "the link was replaced")
            #expect(try CLI.json(["bundle", "inspect", real], store: a.directory)["ok"] == .bool(true))

            // A receipt into a directory: a clear message, and the bundle is applied all the same.
            let (b, _) = try a.joined(in: tmp, name: "b")
            let dir = tmp.appendingPathComponent("somedir").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
            let applied = CLI.run(["bundle", "apply", real, "--receipt", dir], store: b)
            #expect(applied.status == 1)
            #expect(CLI.errorMessage(applied.stderr).contains("is not a regular file"), "\(applied.stderr)")
            #expect(try CLI.json(["get", "chiapas/events/ev1"], store: b)["fields"]?["title"] == .string("Asamblea"))
        }
    }
}
