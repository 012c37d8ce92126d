import Foundation
import Testing

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
}
