import Foundation
import Testing
import TejidoSQLite

/// Messages follow --lang, then LC_ALL, LC_MESSAGES and LANG; Spanish for any `es*`.
@Suite("Language of messages")
struct LanguageTests {
    /// A record that does not exist: an error whose text differs in each language.
    private func missingRecord(in s: StoreFixture, args extra: [String] = [], env: [String: String] = [:]) -> (status: Int32, stderr: String) {
        let r = s.run(["get", "chiapas/events/nadie"] + extra, env: env)
        return (r.status, r.stderr)
    }

    @Test("LANG=es_MX.UTF-8 gives Spanish errors")
    func langEnvironment() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let r = missingRecord(in: s, env: ["LANG": "es_MX.UTF-8"])
            #expect(r.status == 2)
            #expect(r.stderr.contains("No existe el registro chiapas/events/nadie"))
            #expect(r.stderr.contains("borrado"))

            let notStore = CLI.run(["log"], store: tmp.appendingPathComponent("vacio"), env: ["LANG": "es_MX.UTF-8"])
            #expect(notStore.status == 1)
            #expect(notStore.stderr.contains("no es un almacén de Tejido"))
        }
    }

    @Test("--lang es gives Spanish errors without any locale variable")
    func langFlagSpanish() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let r = missingRecord(in: s, args: ["--lang", "es"])
            #expect(r.status == 2)
            #expect(r.stderr.contains("No existe el registro"))
            let bad = s.run(["put", "chiapas/events/e1", "sinvalor", "--lang", "es"])
            #expect(bad.status == 64)
            #expect(bad.stderr.contains("no tiene la forma CAMPO=TEXTO"))
        }
    }

    @Test("--lang en wins over a Spanish LANG and LC_ALL")
    func langFlagOverridesEnvironment() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let r = missingRecord(in: s, args: ["--lang", "en"], env: ["LANG": "es_MX.UTF-8", "LC_ALL": "es_ES.UTF-8"])
            #expect(r.status == 2)
            #expect(r.stderr.contains("No record chiapas/events/nadie (missing or deleted)."))
            #expect(!r.stderr.contains("registro"))
        }
    }

    @Test("without any locale variable, messages are in English")
    func defaultEnglish() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let r = missingRecord(in: s)
            #expect(r.stderr.contains("No record chiapas/events/nadie"))
            let es = missingRecord(in: s, env: ["LC_ALL": "es_AR.UTF-8", "LANG": "en_US.UTF-8"])
            #expect(es.stderr.contains("No existe el registro"), "LC_ALL comes before LANG")
        }
    }

    @Test("with --json an error is one object with a stable code and the message in the user's language")
    func jsonErrors() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let r = missingRecord(in: s, args: ["--json", "--lang", "es"])
            #expect(r.status == 2)
            let error = try JSON.parse(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(error["error"]?.string == "record_not_found")
            #expect(error["message"]?.string?.contains("No existe el registro") == true)
            let bad = s.run(["put", "nadie/events/e1", "title=x", "--json"])
            #expect(bad.status == 1)
            #expect(try JSON.parse(bad.stderr.trimmingCharacters(in: .whitespacesAndNewlines))["error"]?.string == "unknown_namespace")
            let badID = s.run(["put", "chiapas/events/a\u{7}b", "title=x", "--json"])
            #expect(try JSON.parse(badID.stderr.trimmingCharacters(in: .whitespacesAndNewlines))["error"]?.string == "invalid_record_id")
        }
    }

    /// The codes of messages whose names hold one-letter words and runs of capitals, as
    /// docs/cli.md spells them (`not_a_store` is named there).
    @Test("--json error codes split words as the docs spell them")
    func jsonErrorCodesAreSnakeCase() throws {
        try withTemporaryDirectory { tmp in
            func code(_ r: (status: Int32, stdout: String, stderr: String)) throws -> String? {
                try JSON.parse(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))["error"]?.string
            }
            let empty = tmp.appendingPathComponent("empty")
            try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
            #expect(try code(CLI.run(["get", "a/b/c", "--json"], store: empty)) == "not_a_store")
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            #expect(try code(s.run(["init", "--network", "otra", "--json"])) == "already_a_store")
            #expect(try code(s.run(["put", "chiapas/events/e1", "n:={", "--json"])) == "bad_json_value")
        }
    }

    /// User text in a message is shown as typed, even when it looks like a placeholder.
    @Test("text the user typed is never filled in as a placeholder")
    func userTextIsNotAPlaceholder() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let r = s.run(["put", "chiapas/events/e1", "n:={1}"])
            #expect(r.status != 0)
            #expect(r.stderr.contains("\"n:={1}\""), "\(r.stderr)")
        }
    }

    @Test("what the system says about a failure is in Spanish too")
    func systemErrorsInSpanish() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let missing = tmp.appendingPathComponent("no-existe.jsonl").path
            let es = s.run(["import", missing, "--lang", "es"])
            #expect(es.status == 1)
            #expect(es.stderr.contains("No se puede leer \(missing): No existe el archivo o el directorio."), "\(es.stderr)")
            let en = s.run(["import", missing, "--lang", "en"])
            #expect(en.stderr.contains("No such file or directory"), "\(en.stderr)")
            // A refused connection (nothing listens on port 1), with a well-formed pinned key.
            let key = try CLI.json(["key", "show"], store: s.directory)["key"]?.string ?? ""
            let refused = s.run(["sync", "tcp://127.0.0.1:1", "--key", key, "--lang", "es"])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("Conexión rechazada"), "\(refused.stderr)")
            #expect(!refused.stderr.contains("Connection refused"), "\(refused.stderr)")
            // SQLite's account of a bad query.
            let query = s.run(["query", "select nada", "--lang", "es"])
            #expect(query.status != 0)
            #expect(query.stderr.contains("no existe la columna: nada"), "\(query.stderr)")
            let two = s.run(["query", "select 1; select 2", "--lang", "es"])
            #expect(two.stderr.contains("solo se permite una sentencia"), "\(two.stderr)")
        }
    }

    @Test("the details under a failure are in Spanish too: a cut bundle, a refused connection, a bad JSON value, a file that cannot be made")
    func detailsInSpanish() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            #expect(s.run(["put", "chiapas/events/e1", "title=Asamblea"]).status == 0)
            let bundle = tmp.appendingPathComponent("p.tjb")
            #expect(s.run(["bundle", "create", bundle.path]).status == 0)
            // Cut inside the second frame: the reader stops inside it.
            let bytes = try Data(contentsOf: bundle)
            let cut = tmp.appendingPathComponent("cortado.tjb")
            try bytes.prefix(bytes.count - 60).write(to: cut)
            let joined = try s.joined(in: tmp, name: "unido")
            let applied = CLI.run(["bundle", "apply", cut.path, "--lang", "es"], store: joined.directory)
            #expect(applied.status != 0)
            #expect(applied.stderr.contains("los datos terminan a mitad de un marco"), "\(applied.stderr)")
            #expect(!applied.stderr.contains("stream") && !applied.stderr.contains("truncated"), "\(applied.stderr)")
            let inspected = CLI.run(["bundle", "inspect", cut.path, "--lang", "es"], store: joined.directory)
            #expect(inspected.stdout.contains("dañado en el byte"), "\(inspected.stdout)")
            #expect(!inspected.stdout.contains("stream"), "\(inspected.stdout)")
            let english = CLI.run(["bundle", "inspect", cut.path, "--lang", "en"], store: joined.directory)
            #expect(english.stdout.contains("the stream ended inside a frame"), "\(english.stdout)")

            let message = s.run(["put", "chiapas/events/e1", "n:=1", "-m", "", "--lang", "es"])
            #expect(message.stderr.contains("el mensaje debe tener de 1 a 4096 bytes"), "\(message.stderr)")
            let value = s.run(["put", "chiapas/events/e1", "n:=[1,", "--lang", "es"])
            #expect(value.status == 64)
            #expect(value.stderr.contains("final inesperado en el byte 3"), "\(value.stderr)")

            let key = try CLI.json(["key", "show"], store: s.directory)["key"]?.string ?? ""
            let refused = s.run(["sync", "tcp://127.0.0.1:1", "--key", key, "--lang", "es"])
            #expect(refused.stderr.contains("no se puede conectar con 127.0.0.1:1"), "\(refused.stderr)")
            #expect(!refused.stderr.contains("cannot connect"), "\(refused.stderr)")

            let nowhere = tmp.appendingPathComponent("no-hay/p.tjb").path
            let made = s.run(["bundle", "create", nowhere, "--lang", "es"])
            #expect(made.status != 0)
            #expect(made.stderr.contains("no se puede crear \(nowhere).part: No existe el archivo o el directorio"), "\(made.stderr)")
        }
    }

    @Test("verify says what it found in Spanish too; --json keeps the English detail")
    func verifyFindingsInSpanish() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            try CLI.ok(["put", "chiapas/events/e1", "title=Asamblea"], store: s.directory)
            do {
                // The newest changeset's row says another seq than its envelope.
                let db = try SQLiteConnection(path: s.databaseFile.path, mode: .readWrite)
                try db.execute("UPDATE changesets SET seq = 99 WHERE seqno = (SELECT max(seqno) FROM changesets)")
            }
            let es = s.run(["verify", "--lang", "es"])
            #expect(es.status == 3)
            #expect(es.stdout.contains("las columnas del índice no coinciden con el sobre"), "\(es.stdout)")
            let json = s.run(["verify", "--json", "--lang", "es"])
            #expect(json.stdout.contains("index columns differ from the envelope"), "\(json.stdout)")
        }
    }

    @Test("what is wrong with an import line is said in Spanish", arguments: [
        (#"{"replica":"chiapas","txn":0,"op":"borrar","collection":"c","id":"r","field":"f","value":1}"#, #""op" debe ser set, inc, add, remove o delete"#),
        (#"{"replica":"chiapas","txn":0,"op":"inc","collection":"c","id":"r","field":"f","value":"x"}"#, "inc necesita un valor entero"),
        (#"{"replica":"chiapas","replica":"chiapas","txn":0,"op":"set","collection":"c","id":"r","field":"f","value":1}"#, #"la clave "replica" aparece dos veces"#),
        (#"{"txn":0,"op":"set","collection":"c","id":"r","field":"f","value":1}"#, #""replica" falta o no es un texto"#),
        ("{no json", "no es JSON: se esperaba una clave en el byte 1"),
    ])
    func importDefectsInSpanish(line: String, expected: String) throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let file = tmp.appendingPathComponent("mala.jsonl")
            try (line + "\n").write(to: file, atomically: true, encoding: .utf8)
            let r = s.run(["import", file.path, "--lang", "es"])
            #expect(r.status == 1)
            #expect(r.stderr.contains("Línea 1 de la importación"), "\(r.stderr)")
            #expect(r.stderr.contains(expected), "\(r.stderr)")
            let en = s.run(["import", file.path])
            #expect(!en.stderr.contains(expected), "English stays English: \(en.stderr)")
        }
    }

    @Test("--lang also picks the language of help and of the parser's own errors")
    func langFlagForHelpAndParserErrors() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let help = s.run(["put", "--help", "--lang", "es"], env: ["LANG": "en_US.UTF-8"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("Asigna campos de un registro"))
            let missing = s.run(["put", "--lang", "es"])
            #expect(missing.status == 64)
            #expect(missing.stderr.contains("Consulta `tejido put --help`."))
            // The parser's own account, and the names of values, are Spanish too.
            #expect(missing.stderr.contains("Falta el argumento '<ruta>'"), "\(missing.stderr)")
            #expect(help.stdout.contains("--store <almacén>") && help.stdout.contains("<asignaciones>"), "\(help.stdout)")
            #expect(!help.stdout.contains("<store>") && !help.stdout.contains("<path>"), "\(help.stdout)")
            let typo = s.run(["log", "--limti", "3", "--lang", "es"])
            #expect(typo.stderr.contains("Opción desconocida: '--limti'. ¿Quisiste decir '--limit'?"), "\(typo.stderr)")
            // Before the arguments a command needs, a misspelt option is what gets named.
            let typoFirst = s.run(["put", "--limti", "3", "--lang", "es"])
            #expect(typoFirst.status == 64)
            #expect(typoFirst.stderr.contains("Opción desconocida: '--limti'. Consulta `tejido put --help`."), "\(typoFirst.stderr)")
            let typoFirstEn = s.run(["put", "--limti=3"], env: ["LANG": "en_US.UTF-8"])
            #expect(typoFirstEn.status == 64)
            #expect(typoFirstEn.stderr.contains("Unknown option '--limti'. See `tejido put --help`."), "\(typoFirstEn.stderr)")
            let badValue = s.run(["log", "--limit", "abc", "--lang", "es"])
            #expect(badValue.stderr.contains("El valor 'abc' no es válido para '--limit <n>'"), "\(badValue.stderr)")
            let extra = s.run(["verify", "una", "otra", "--lang", "es"])
            #expect(extra.stderr.contains("2 argumentos inesperados: 'una', 'otra'"), "\(extra.stderr)")
            let helpCommand = s.run(["help", "put", "--lang", "es"], env: ["LANG": "en_US.UTF-8"])
            #expect(helpCommand.status == 0, "\(helpCommand.stderr)")
            #expect(helpCommand.stdout.contains("Asigna campos de un registro"))
            let english = s.run(["namespace", "create", "--lang=en"], env: ["LANG": "es_MX.UTF-8"])
            #expect(english.status == 64)
            #expect(english.stderr.contains("See `tejido namespace create --help`."))
            #expect(english.stderr.contains("Missing expected argument '<name>'"), "\(english.stderr)")
        }
    }

    @Test("a --lang other than en or es is a usage error", arguments: ["fr", "x", "esp", ""])
    func badLang(value: String) throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let r = s.run(["get", "chiapas/events/e1", "--lang", value])
            #expect(r.status == 64)
            #expect(r.stderr.contains("--lang takes en or es, not \"\(value)\"."))
            #expect(r.stderr.components(separatedBy: "--lang takes").count == 2, "reported once: \(r.stderr)")
            // --help still wins over a bad --lang, with nothing on stderr.
            let help = s.run(["get", "--help", "--lang", value])
            #expect(help.status == 0 && help.stderr.isEmpty, "\(help.stderr)")
            for ok in ["es_MX.UTF-8", "en-US", "ES"] { #expect(s.run(["namespace", "list", "--lang", ok]).status == 0, "\(ok)") }
        }
    }

    @Test("under --json the parser's errors are JSON too")
    func parserErrorsAsJSON() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            for args in [["put", "--json"], ["log", "--limit", "x", "--json"], ["get", "a/b/c", "--bogus", "--json"]] {
                let r = s.run(args)
                #expect(r.status == 64, "\(args)")
                let object = try JSONSerialization.jsonObject(with: Data(r.stderr.utf8)) as? [String: Any]
                #expect(object?["error"] as? String == "usage", "\(args): \(r.stderr)")
                #expect((object?["message"] as? String)?.contains("--help") == true)
            }
        }
    }

    @Test("init names what stands in the way of a store's folder, in the user's language")
    func initCannotCreate() throws {
        try withTemporaryDirectory { tmp in
            let file = tmp.appendingPathComponent("archivo")
            try Data("x".utf8).write(to: file)
            let r = CLI.run(["init", "--network", "red", "--lang", "es"], store: file.appendingPathComponent("sub"))
            #expect(r.status == 1)
            #expect(r.stderr.contains("No se puede crear un almacén en"))
            #expect(r.stderr.contains("No es un directorio"), "what the system says, in Spanish too")
            let json = CLI.run(["init", "--network", "red", "--json"], store: file)
            #expect(json.status == 1)
            #expect(json.stderr.contains("\"error\":\"cannot_create_store\""))
            // A failed init removes only what it made: a config.json of the user's own stays, and
            // so do the folders that were there.
            let mine = tmp.appendingPathComponent("mia")
            try FileManager.default.createDirectory(at: mine.appendingPathComponent("node.key"), withIntermediateDirectories: true)
            try Data("{\"mine\": true}".utf8).write(to: mine.appendingPathComponent("config.json"))
            let failed = CLI.run(["init", "--network", "red"], store: mine)
            #expect(failed.status == 1, "\(failed.stderr)")
            #expect(try String(contentsOf: mine.appendingPathComponent("config.json"), encoding: .utf8) == "{\"mine\": true}")
            #expect(!FileManager.default.fileExists(atPath: mine.appendingPathComponent("store.db").path))
            for name in ["", "   ", "a\u{7}b", String(repeating: "x", count: 257)] {
                let bad = CLI.run(["init", "--network", name], store: tmp.appendingPathComponent("s"))
                #expect(bad.status == 64, "network name \(name.debugDescription)")
                #expect(!FileManager.default.fileExists(atPath: tmp.appendingPathComponent("s").path), "nothing made")
            }
        }
    }
}
