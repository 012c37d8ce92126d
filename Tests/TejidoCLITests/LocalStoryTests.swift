import Foundation
import Testing

/// One group's story on a single store: create it, write every kind of field, read it back in
/// every shape, and check the history and its signatures.
@Suite("Local story")
struct LocalStoryTests {
    @Test("init, key show and namespaces report the same identity")
    func initKeyAndNamespaces() throws {
        try withTemporaryDirectory { tmp in
            let dir = tmp.appendingPathComponent("store")
            let created = try CLI.json(["init", "--network", "sierra"], store: dir)
            let network = try #require(created["network"]?.string)
            let key = try #require(created["key"]?.string)
            #expect(network.hasPrefix("tjnet1"))
            #expect(key.hasPrefix("tjk1"))

            let shown = try CLI.json(["key", "show"], store: dir)
            #expect(shown["key"]?.string == key)
            #expect(shown["fingerprint"]?.string == created["fingerprint"]?.string)
            #expect(shown["fingerprint"]?.string?.isEmpty == false)

            let ns = try CLI.json(["namespace", "create", "chiapas"], store: dir)
            #expect(ns["name"]?.string == "chiapas")
            let nsID = try #require(ns["namespace"]?.string)
            #expect(nsID.hasPrefix("tjns1"))

            let list = try #require(try CLI.json(["namespace", "list"], store: dir).array)
            #expect(list.count == 1)
            #expect(list.first?["name"]?.string == "chiapas")
            #expect(list.first?["namespace"]?.string == nsID)
            #expect(list.first?["role"]?.string == "admin")
            let text = try CLI.ok(["namespace", "list"], store: dir)
            #expect(text.contains("chiapas") && text.contains(nsID))
        }
    }

    @Test("put reads FIELD=TEXT as text and FIELD:=JSON as typed scalars; get shows them typed")
    func putAndGetTypedValues() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let put = try CLI.json(
                ["put", "chiapas/events/ev1", "title=Asamblea general", "asistentes:=42", "abierta:=true", "lugar:=null",
                 "codigo:=\"007\"", "cuota:=2.5", "numero=42"],
                store: s.directory)
            #expect(put["changeset"]?.string?.count == 64)

            let got = try CLI.json(["get", "chiapas/events/ev1"], store: s.directory)
            #expect(got.object.map { Set($0.keys) } == ["namespace", "collection", "id", "fields"])
            #expect(got["namespace"] == .string("chiapas"))
            #expect(got["collection"] == .string("events"))
            #expect(got["id"] == .string("ev1"))
            #expect(got["fields"] == .object([
                "title": .string("Asamblea general"), "asistentes": .int(42), "abierta": .bool(true), "lugar": .null,
                "codigo": .string("007"), "cuota": .double(2.5), "numero": .string("42"),
            ]))

            let text = try CLI.ok(["get", "chiapas/events/ev1"], store: s.directory)
            #expect(text.hasPrefix("chiapas/events/ev1\n"))
            #expect(text.contains("Asamblea general"))
        }
    }

    @Test("list shows every live record of a collection")
    func listRecords() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            #expect(try CLI.ok(["list", "chiapas/events"], store: s.directory).contains("No records."))
            try CLI.ok(["put", "chiapas/events/a", "title=Uno"], store: s.directory)
            try CLI.ok(["put", "chiapas/events/b", "title=Dos"], store: s.directory)
            try CLI.ok(["put", "chiapas/members/m", "name=Tres"], store: s.directory)
            let rows = try #require(try CLI.json(["list", "chiapas/events"], store: s.directory).array)
            #expect(rows.compactMap { $0["id"]?.string }.sorted() == ["a", "b"])
            #expect(rows.allSatisfy { $0["collection"] == .string("events") && $0["namespace"] == .string("chiapas") })
            let titles = rows.compactMap { $0["fields"]?["title"]?.string }.sorted()
            #expect(titles == ["Dos", "Uno"])
            let text = try CLI.ok(["list", "chiapas/events"], store: s.directory)
            #expect(text.contains("a  title=Uno") && text.contains("b  title=Dos"))
        }
    }

    @Test("inc adds up, negative deltas included; tag add and remove keep a set")
    func countersAndSets() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            try CLI.ok(["inc", "chiapas/petitions/p1", "signatures", "3"], store: s.directory)
            try CLI.ok(["inc", "chiapas/petitions/p1", "signatures"], store: s.directory)  // default 1
            try CLI.ok(["inc", "chiapas/petitions/p1", "signatures", "--", "-2"], store: s.directory)
            try CLI.ok(["inc", "chiapas/petitions/p1", "signatures", "10"], store: s.directory)
            try CLI.ok(["tag", "add", "chiapas/petitions/p1", "tags", "agua"], store: s.directory)
            try CLI.ok(["tag", "add", "chiapas/petitions/p1", "tags", "maiz"], store: s.directory)
            try CLI.ok(["tag", "add", "chiapas/petitions/p1", "tags", "radio"], store: s.directory)
            try CLI.ok(["tag", "remove", "chiapas/petitions/p1", "tags", "maiz"], store: s.directory)
            let got = try CLI.json(["get", "chiapas/petitions/p1"], store: s.directory)
            #expect(got["fields"]?["signatures"] == .int(12))
            let tags = try #require(got["fields"]?["tags"]?.array)
            #expect(tags.compactMap(\.string).sorted() == ["agua", "radio"])
        }
    }

    @Test("delete hides a record (get exits 2); a newer put revives it with only the new fields")
    func deleteAndRevive() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            try CLI.ok(["put", "chiapas/events/ev1", "title=Vieja", "lugar=Escuela"], store: s.directory)
            try CLI.ok(["inc", "chiapas/events/ev1", "votos", "5"], store: s.directory)
            try CLI.ok(["tag", "add", "chiapas/events/ev1", "tags", "fiesta"], store: s.directory)
            try CLI.ok(["delete", "chiapas/events/ev1"], store: s.directory)

            let gone = s.run(["get", "chiapas/events/ev1"])
            #expect(gone.status == 2)
            #expect(gone.stderr.contains("chiapas/events/ev1") && gone.stderr.contains("deleted"))
            #expect(gone.stdout.isEmpty)
            #expect(try CLI.json(["list", "chiapas/events"], store: s.directory) == .array([]))

            try CLI.ok(["put", "chiapas/events/ev1", "title=Nueva"], store: s.directory)
            let got = try CLI.json(["get", "chiapas/events/ev1"], store: s.directory)
            #expect(got["fields"] == .object(["title": .string("Nueva")]))
        }
    }

    @Test("query returns rows with namespace, id, then one column per field")
    func queryRows() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            try CLI.ok(["put", "chiapas/petitions/p1", "title=Agua", "meta:=100"], store: s.directory)
            try CLI.ok(["inc", "chiapas/petitions/p1", "signatures", "7"], store: s.directory)
            try CLI.ok(["tag", "add", "chiapas/petitions/p1", "tags", "salud"], store: s.directory)
            try CLI.ok(["tag", "add", "chiapas/petitions/p1", "tags", "agua"], store: s.directory)
            try CLI.ok(["put", "chiapas/petitions/p2", "title=Luz"], store: s.directory)

            let raw = try CLI.ok(["query", "select * from petitions order by id", "--json"], store: s.directory)
            let rows = try #require(try JSON.parse(raw).array)
            try #require(rows.count == 2)
            #expect(rows[0]["namespace"] == .string("chiapas"))
            #expect(rows[0]["id"] == .string("p1"))
            #expect(rows[0]["title"] == .string("Agua"))
            #expect(rows[0]["meta"] == .int(100))
            #expect(rows[0]["signatures"] == .int(7))
            let tagsText = try #require(rows[0]["tags"]?.string, "a set is a column of JSON array text")
            #expect(try JSON.parse(tagsText).array?.compactMap(\.string).sorted() == ["agua", "salud"])
            #expect(rows[1]["id"] == .string("p2"))
            #expect(rows[1]["signatures"] == .null)
            // Column order: namespace, id, then the fields.
            let ns = try #require(raw.range(of: "\"namespace\":"))
            let id = try #require(raw.range(of: "\"id\":"))
            let title = try #require(raw.range(of: "\"title\":"))
            #expect(raw.hasPrefix("[{\"namespace\":"))
            #expect(ns.lowerBound < id.lowerBound && id.lowerBound < title.lowerBound)

            let text = try CLI.ok(["query", "select id, signatures from petitions order by id"], store: s.directory)
            #expect(text.split(separator: "\n").first?.split(separator: " ", omittingEmptySubsequences: true) == ["id", "signatures"])
            #expect(text.contains("(2 rows)"))
        }
    }

    @Test("blame names the author key and the changeset of each value")
    func blameNamesAuthorAndChangeset() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let key = try #require(try CLI.json(["key", "show"], store: s.directory)["key"]?.string)
            let first = try #require(try CLI.json(["put", "chiapas/events/ev1", "title=Uno", "lugar=Plaza"], store: s.directory)["changeset"]?.string)
            let second = try #require(try CLI.json(["put", "chiapas/events/ev1", "title=Dos"], store: s.directory)["changeset"]?.string)
            let entries = try #require(try CLI.json(["blame", "chiapas/events/ev1"], store: s.directory).array)
            let byField = Dictionary(uniqueKeysWithValues: entries.compactMap { e in e["field"]?.string.map { ($0, e) } })
            #expect(Set(byField.keys) == ["title", "lugar"])
            #expect(byField["title"]?["value"] == .string("Dos"))
            #expect(byField["title"]?["changeset"] == .string(second))
            #expect(byField["title"]?["superseded"] == .int(1))
            #expect(byField["lugar"]?["changeset"] == .string(first))
            #expect(entries.allSatisfy { $0["author"] == .string(key) })
            let missing = s.run(["blame", "chiapas/events/nope"])
            #expect(missing.status == 2)
        }
    }

    @Test("log lists every changeset; --envelopes prints one lowercase hex line each; verify passes")
    func logAndVerify() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            let log = try #require(try CLI.json(["log"], store: s.directory).array)
            // namespace create + put + put + inc + tag add
            #expect(log.count == 5)
            #expect(log.allSatisfy { $0["state"] == .string("applied") && $0["namespace"] == .string("chiapas") })
            let ids = log.compactMap { $0["id"]?.string }
            #expect(Set(ids).count == 5)

            let envelopes = try CLI.ok(["log", "--envelopes"], store: s.directory).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(envelopes.last == "")
            let lines = envelopes.dropLast()
            #expect(lines.count == log.count)
            #expect(lines.allSatisfy { !$0.isEmpty && $0.count % 2 == 0 && $0.allSatisfy { "0123456789abcdef".contains($0) } })

            let limited = try #require(try CLI.json(["log", "--limit", "2"], store: s.directory).array)
            #expect(limited.count == 2)
            // With --envelopes, the limit keeps the last N envelopes, in the same order.
            for n in [0, 2, 5, 9] {
                let last = try CLI.ok(["log", "--envelopes", "-l", String(n)], store: s.directory).split(separator: "\n")
                #expect(Array(last) == Array(lines.suffix(n)), "log --envelopes -l \(n)")
            }

            #expect(try CLI.ok(["verify"], store: s.directory).contains("All checks passed."))
            let report = try CLI.json(["verify"], store: s.directory)
            #expect(report["ok"] == .bool(true))
            #expect(report["checked"] == .int(5))
            #expect(report["problems"] == .array([]))
        }
    }

    @Test("init --join makes a second store in the same network, and an admin can grant its key")
    func joinAndGrant() throws {
        try withTemporaryDirectory { tmp in
            let first = try StoreFixture.create(in: tmp, name: "first", namespaces: ["chiapas"])
            let config = try JSON.parse(String(decoding: try Data(contentsOf: first.directory.appendingPathComponent("config.json")), as: UTF8.self))
            let network = try #require(config["network"]?.string)

            let second = tmp.appendingPathComponent("second")
            let joined = try CLI.json(["init", "--join", network], store: second)
            #expect(joined["network"] == .string(network))
            let secondConfig = try JSON.parse(String(decoding: try Data(contentsOf: second.appendingPathComponent("config.json")), as: UTF8.self))
            #expect(secondConfig["network"] == .string(network))

            let firstKey = try #require(try CLI.json(["key", "show"], store: first.directory)["key"]?.string)
            let secondKey = try #require(try CLI.json(["key", "show"], store: second)["key"]?.string)
            #expect(firstKey != secondKey)

            let before = try #require(try CLI.json(["log"], store: first.directory).array).count
            let granted = try CLI.json(["grant", "chiapas", secondKey], store: first.directory)
            #expect(granted["key"] == .string(secondKey))
            #expect(granted["role"] == .string("writer"))
            let changeset = try #require(granted["changeset"]?.string)
            let log = try #require(try CLI.json(["log"], store: first.directory).array)
            #expect(log.count == before + 1)
            #expect(log.contains { $0["id"] == .string(changeset) })
            let admin = try CLI.json(["grant", "chiapas", secondKey, "--role", "admin"], store: first.directory)
            #expect(admin["role"] == .string("admin"))
            #expect(try CLI.json(["verify"], store: first.directory)["ok"] == .bool(true))

            // Roles only go up: a lower grant writes nothing and says which role the key holds.
            let logged = try #require(try CLI.json(["log"], store: first.directory).array).count
            let lower = try CLI.json(["grant", "chiapas", secondKey, "--role", "reader"], store: first.directory)
            #expect(lower["unchanged"] == .bool(true))
            #expect(lower["role"] == .string("admin"))
            #expect(lower["changeset"] == .null)
            #expect(try #require(try CLI.json(["log"], store: first.directory).array).count == logged)
            let said = CLI.run(["grant", "chiapas", secondKey, "--lang", "es"], store: first.directory)
            #expect(said.status == 0)
            #expect(said.stdout.contains("ya tiene el rol admin en chiapas"), "\(said.stdout)")

            // The second store holds no namespace yet, so it cannot grant there.
            let refused = CLI.run(["grant", "chiapas", firstKey], store: second)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("chiapas"))
        }
    }

    @Test("sync names what is wrong with a target: no store at a path, a store of another network")
    func syncTargetsThatAreNotPeers() throws {
        try withTemporaryDirectory { tmp in
            let first = try StoreFixture.create(in: tmp, name: "first", namespaces: ["chiapas"])
            let network = try #require(try CLI.json(["status"], store: first.directory)["network"]?.string)
            let empty = tmp.appendingPathComponent("vacio")
            try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
            let none = CLI.run(["sync", empty.path], store: first.directory)
            #expect(none.status == 1)
            #expect(none.stderr.contains("holds no Tejido store"), "\(none.stderr)")
            #expect(none.stderr.contains("tejido init --join \(network) --store \(empty.path)"), "\(none.stderr)")
            // A path with a space is quoted in the command, so that it can be pasted.
            let spaced = tmp.appendingPathComponent("no existe aquí")
            let quoted = CLI.run(["sync", spaced.path], store: first.directory)
            #expect(quoted.stderr.contains("--store '\(spaced.path)'`"), "\(quoted.stderr)")
            let other = try StoreFixture.create(in: tmp, name: "other", namespaces: ["oaxaca"])
            let foreign = CLI.run(["sync", other.directory.path], store: first.directory)
            #expect(foreign.status == 1)
            #expect(foreign.stderr.contains("another network"), "\(foreign.stderr)")
            #expect(!foreign.stderr.contains("(-)"), "no empty detail: \(foreign.stderr)")
        }
    }

    @Test("a target that stops sync (an unknown peer name) still leaves the earlier targets' results under --json")
    func syncStoppedByABadTargetReportsTheOthers() throws {
        try withTemporaryDirectory { tmp in
            let first = try StoreFixture.create(in: tmp, name: "first", namespaces: ["chiapas"])
            let (second, _) = try first.joined(in: tmp, name: "second")
            let r = CLI.run(["sync", first.directory.path, "nadie", "--json"], store: second)
            #expect(r.status == 1)
            let results = try JSON.parse(r.stdout)["results"]?.array
            #expect(results?.count == 1)
            #expect(results?.first?["ok"] == .bool(true))
            #expect(r.stderr.contains("\"error\":\"unknown_peer\""), "\(r.stderr)")
            #expect(try CLI.json(["namespace", "list"], store: second).array?.count == 1, "the first target was synced")
        }
    }

    @Test("sync with a store directory runs TLS in the pipe: a pinned key must match its certificate")
    func directorySyncChecksAPinnedKey() throws {
        try withTemporaryDirectory { tmp in
            let first = try StoreFixture.create(in: tmp, name: "first", namespaces: ["chiapas"])
            let (second, secondKey) = try first.joined(in: tmp, name: "second")
            let firstKey = try #require(try CLI.json(["key", "show"], store: first.directory)["key"]?.string)
            // A key pinned for the directory that is not its store's: refused before anything moves.
            let wrong = CLI.run(["sync", first.directory.path, "--key", secondKey], store: second)
            #expect(wrong.status == 1 && wrong.stderr.contains("not the one given with --key"), "\(wrong.stderr)")
            #expect(wrong.stderr.contains("sync again with --key \(firstKey)"), "the next step names the key it saw")
            // Pinned for a named peer: the message shows how to replace that peer's pin.
            try CLI.ok(["peer", "add", "primero", first.directory.path, "--key", secondKey], store: second)
            let named = CLI.run(["sync", "primero"], store: second)
            #expect(named.status == 1)
            #expect(named.stderr.contains("not the one pinned for peer primero"), "\(named.stderr)")
            #expect(named.stderr.contains("`tejido peer remove primero`, then `tejido peer add primero \(first.directory.path) --key \(firstKey)`"),
                    "\(named.stderr)")
            try CLI.ok(["peer", "remove", "primero"], store: second)
            #expect(try CLI.json(["namespace", "list"], store: second).array?.isEmpty == true)
            // The right key, or none: the pipe carries TLS records (their bytes are counted).
            for key in [[firstKey], []] {
                let synced = try CLI.json(["sync", first.directory.path] + (key.isEmpty ? [] : ["--key"] + key), store: second)
                let result = try #require(synced["results"]?.array?.first)
                #expect(result["ok"] == .bool(true) && result["key"] == .string(firstKey))
                if case .int(let tls)? = result["tls_bytes_in"], case .int(let frames)? = result["bytes_in"] {
                    #expect(tls > frames)
                } else {
                    Issue.record("no TLS byte counts for a directory sync")
                }
            }
            #expect(try CLI.json(["namespace", "list"], store: second).array?.count == 1)
        }
    }

    @Test("a far side that does not start a session (it ends, or prints a banner) is cannot_connect, and serve --stdio says why")
    func farSideWithoutASession() throws {
        try withTemporaryDirectory { tmp in
            let first = try StoreFixture.create(in: tmp, name: "first", namespaces: ["chiapas"])
            let (second, _) = try first.joined(in: tmp, name: "second")
            let exe = try CLI.executable.get().path
            let banner = tmp.appendingPathComponent("banner.sh")
            try "#!/bin/sh\necho 'Bienvenida al servidor'\nexec '\(exe)' \"$@\"\n".write(to: banner, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: banner.path)
            for program in ["/bin/true", banner.path] {
                let r = CLI.run(["sync", first.directory.path, "--remote-command", program, "--json"], store: second)
                #expect(r.status == 1)
                let result = try JSON.parse(r.stdout)["results"]?.array?.first
                #expect(result?["error"] == .string("cannot_connect"), "\(program): \(r.stdout)")
            }
            #expect(try CLI.json(["namespace", "list"], store: second).array?.isEmpty == true)
            // The far side's own view of the banner case: what it read was not TLS.
            let served = CLI.run(["serve", "--stdio", "--timeout", "5", "--json"], store: first.directory, stdin: Data("Bienvenida\n".utf8))
            #expect(served.status == 1)
            #expect(try JSON.parse(served.stderr.split(separator: "\n").last.map(String.init) ?? "")["error"] == .string("stdio_handshake"))
        }
    }

    @Test("revoke: a member's writes past the cut-off stop counting on both stores; members shows the cut-off")
    func revokeAcrossTwoStores() throws {
        try withTemporaryDirectory { tmp in
            let first = try StoreFixture.create(in: tmp, name: "first", namespaces: ["chiapas"])
            let (second, secondKey) = try first.joined(in: tmp, name: "second")
            _ = try CLI.ok(["grant", "chiapas", secondKey], store: first.directory)
            _ = try CLI.ok(["sync", first.directory.path, "--pull-only"], store: second)
            _ = try CLI.ok(["put", "chiapas/c/r1", "v:=1"], store: second)
            _ = try CLI.ok(["put", "chiapas/c/r1", "v:=2"], store: second)
            _ = try CLI.ok(["sync", first.directory.path, "--push-only"], store: second)
            // The second laptop is lost after its first write; it goes on writing offline.
            _ = try CLI.ok(["put", "chiapas/c/r1", "v:=3"], store: second)
            let revoked = try CLI.json(["revoke", "chiapas", secondKey, "--after", "1"], store: first.directory)
            #expect(revoked["after"] == .int(1))
            let got = try CLI.json(["get", "chiapas/c/r1"], store: first.directory)
            #expect(got["fields"]?["v"] == .int(1))
            let members = try #require(try CLI.json(["members", "chiapas"], store: first.directory).array)
            let cut = try #require(members.first { $0["key"] == .string(secondKey) })
            #expect(cut["cutoff"] == .int(1) && cut["role"] == .string("writer"))
            // The revocation travels; the lost laptop's third write is quarantined wherever it goes.
            _ = try CLI.ok(["sync", first.directory.path], store: second)
            for dir in [first.directory, second] {
                #expect(try CLI.json(["get", "chiapas/c/r1"], store: dir)["fields"]?["v"] == .int(1))
                let verify = try CLI.json(["verify"], store: dir)
                #expect(verify["ok"] == .bool(true))
                let held = try #require(verify["quarantined_changesets"]?.array)
                #expect(held.count == 2 && held.allSatisfy { $0["kind"] == .string("revoked") })
            }
            // The reason, in the user's language.
            let spanish = CLI.run(["verify", "--lang", "es"], store: second)
            #expect(spanish.status == 0 && spanish.stdout.contains("fue revocado después del número 1"))
            // Its own tejido now refuses to write, naming the admins.
            let refused = CLI.run(["put", "chiapas/c/r1", "v:=4"], store: second)
            #expect(refused.status == 1 && refused.stderr.contains("chiapas"))
            // Revoking again, with a lower cut-off, reports in the user's language.
            let human = CLI.run(["revoke", "chiapas", secondKey, "--after", "0", "--lang", "es"], store: first.directory)
            #expect(human.status == 0 && human.stdout.contains("Se revocó"))
        }
    }

    @Test("control characters in stored text are shown escaped in text output, and raw in JSON")
    func controlCharacters() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let value = "x\u{1b}[31mred\nFAKE\u{7f}\u{85}\u{9b}2J"
            _ = try CLI.ok(["put", "chiapas/events/e9", "a=\(value)", "-m", "m\u{1b}]0;t\u{7}"], store: s.directory)
            for args in [["get", "chiapas/events/e9"], ["list", "chiapas/events"], ["blame", "chiapas/events/e9"],
                         ["query", "SELECT id, a FROM events"], ["log"]] {
                let out = try CLI.ok(args, store: s.directory)
                #expect(!out.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || ($0.value >= 0x7f && $0.value <= 0x9f) },
                        "tejido \(args) printed a control character")
                // Under --json the same data is valid JSON (DEL and C1 escaped as \u00XX) that reads back whole.
                let json = CLI.run(args + ["--json"], store: s.directory)
                #expect(json.status == 0)
                #expect(!json.stdout.unicodeScalars.contains { $0.value >= 0x7f && $0.value <= 0x9f }, "tejido \(args) --json")
                #expect((try? JSON.parse(json.stdout)) != nil, "tejido \(args) --json is not JSON: \(json.stdout)")
                #expect(!out.contains("\nFAKE"), "tejido \(args) printed a value's newline")
            }
            #expect(try CLI.ok(["get", "chiapas/events/e9"], store: s.directory).contains("x\\x1b[31mred\\nFAKE\\x7f\\x85\\x9b2J"))
            #expect(try CLI.json(["get", "chiapas/events/e9"], store: s.directory)["fields"]?["a"] == .string(value))
        }
    }
}
