import Foundation
import Testing

/// Bad input of every kind: a message on stderr naming the problem, a non-zero exit, and a store
/// whose envelopes, namespaces and rows are exactly what they were before.
@Suite("Bad input leaves the store unchanged")
struct BadInputTests {
    /// Runs `args` against a populated store and checks exit status, message and the unchanged store.
    private func expectRefused(
        _ args: [String], status: Int32, stderrContains needles: [String], stdin: Data? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            try refused(s, args, status: status, stderrContains: needles, sourceLocation: sourceLocation)
        }
    }

    private func refused(
        _ s: StoreFixture, _ args: [String], status: Int32, stderrContains needles: [String], sourceLocation: SourceLocation
    ) throws {
        let before = try s.snapshot(sourceLocation: sourceLocation)
        let r = s.run(args)
        #expect(r.status == status, "tejido \(args) exited \(r.status); stderr: \(r.stderr)", sourceLocation: sourceLocation)
        let message = CLI.errorMessage(r.stderr)
        for needle in needles {
            #expect(message.contains(needle), "stderr of tejido \(args) lacks \"\(needle)\": \(r.stderr)", sourceLocation: sourceLocation)
        }
        #expect(!r.stdout.contains("\"event\":\"committed\""), "nothing may be reported committed", sourceLocation: sourceLocation)
        #expect(try s.snapshot(sourceLocation: sourceLocation) == before, "the store changed", sourceLocation: sourceLocation)
    }

    // MARK: import

    /// `count` valid workload lines of replica chiapas: enough changesets (50 ops each) to fill
    /// more than one commit batch (250 changesets), so an early commit would show.
    private func validLines(_ count: Int) -> String {
        Workload.lines(ops: count, replicas: 1, seed: 7)
    }

    private func importRefused(
        lines: String, stderrContains needles: [String], code: String = "bad_import_line", sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            let file = tmp.appendingPathComponent("input.jsonl")
            try Data(lines.utf8).write(to: file)
            try refused(s, ["import", file.path, "--json"], status: 1, stderrContains: needles + ["Nothing was imported"], sourceLocation: sourceLocation)
            // The same input on standard input is refused the same way.
            let before = try s.snapshot()
            let piped = s.run(["import", "-", "--json"], stdin: Data(lines.utf8))
            #expect(piped.status == 1, sourceLocation: sourceLocation)
            #expect(needles.allSatisfy(CLI.errorMessage(piped.stderr).contains), "stdin import: \(piped.stderr)", sourceLocation: sourceLocation)
            // With --json the error is one object with a stable code.
            #expect((try? JSON.parse(piped.stderr.trimmingCharacters(in: .whitespacesAndNewlines)))?["error"]?.string == code,
                    "stdin import: \(piped.stderr)", sourceLocation: sourceLocation)
            #expect(try s.snapshot() == before, sourceLocation: sourceLocation)
            let left = try FileManager.default.contentsOfDirectory(atPath: s.directory.path).filter { $0.hasPrefix(".import-") }
            #expect(left.isEmpty, "the stdin spool file is removed", sourceLocation: sourceLocation)
        }
    }

    @Test("--store with an empty path is a usage error, not the current directory; an empty TEJIDO_STORE is unset")
    func emptyStorePath() throws {
        try withTemporaryDirectory { tmp in
            func run(_ args: [String], env: [String: String] = [:]) throws -> (status: Int32, stderr: String) {
                let p = Process()
                p.executableURL = try CLI.executable.get()
                p.arguments = args
                p.currentDirectoryURL = tmp
                p.environment = CLI.baseEnvironment().merging(env) { $1 }
                let err = Pipe()
                p.standardError = err
                p.standardOutput = FileHandle.nullDevice
                try p.run()
                let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                p.waitUntilExit()
                return (p.terminationStatus, text)
            }
            let english = try run(["init", "--network", "x", "--store", ""])
            #expect(english.status == 64 && english.stderr.contains("--store was given an empty path"), "\(english)")
            let spanish = try run(["status", "--store", " ", "--lang", "es"])
            #expect(spanish.status == 64 && spanish.stderr.contains("--store recibió una ruta vacía"), "\(spanish)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
            // An empty TEJIDO_STORE is no store at all: the current directory, here not a store.
            let unset = try run(["status"], env: ["TEJIDO_STORE": ""])
            #expect(unset.status == 1 && !unset.stderr.contains("empty path"), "\(unset)")
        }
    }

    @Test("malformed JSON on the last of 15,001 lines: nothing at all is imported")
    func importMalformedLateLine() throws {
        let bad = #"{"replica":"chiapas","txn":99999,"op":"set","collection":"events","id":"x","field":"t","value":"a""#
        try importRefused(lines: validLines(15_000) + bad + "\n", stderrContains: ["Import line 15001", "not JSON"])
    }

    @Test("a line naming an unknown namespace")
    func importUnknownNamespace() throws {
        let bad = #"{"replica":"nowhere","txn":1,"op":"set","collection":"events","id":"x","field":"t","value":"a"}"#
        try importRefused(lines: validLines(13_000) + bad + "\n" + validLines(100), stderrContains: ["Import line 13001", "no namespace named \"nowhere\"", "`tejido namespace create nowhere`"],
                          code: "import_unknown_namespace")
    }

    @Test("a line that gives a key twice, read fast or (with an escape) by the general parser", arguments: [
        #"{"replica":"chiapas","txn":99999,"op":"set","collection":"events","id":"x","field":"t","value":"a","value":"b"}"#,
        #"{"replica":"chiapas","txn":99999,"op":"set","collection":"events","id":"x","field":"t","value":"\u0061","op":"inc"}"#,
    ])
    func importDuplicateKey(bad: String) throws {
        try importRefused(lines: validLines(100) + bad + "\n", stderrContains: ["Import line 101", "appears twice"])
    }

    @Test("a line with a bad field name")
    func importBadFieldName() throws {
        let bad = #"{"replica":"chiapas","txn":99999,"op":"set","collection":"events","id":"x","field":"9bad","value":"a"}"#
        try importRefused(lines: validLines(13_000) + bad + "\n", stderrContains: ["Import line 13001", "\"field\""])
    }

    @Test("an inc line with a non-integer value")
    func importIncNotInteger() throws {
        let bad = #"{"replica":"chiapas","txn":99999,"op":"inc","collection":"petitions","id":"x","field":"signatures","value":1.5}"#
        try importRefused(lines: validLines(13_000) + bad + "\n", stderrContains: ["Import line 13001", "inc needs a whole-number value"])
    }

    @Test("an import file that does not exist")
    func importMissingFile() throws {
        try expectRefused(["import", "/nonexistent/tejido-input.jsonl"], status: 1,
                          stderrContains: ["Cannot read /nonexistent/tejido-input.jsonl: No such file or directory", "Nothing was imported"])
        // A directory is named as such, not reported as a failed read.
        try expectRefused(["import", "/tmp"], status: 1, stderrContains: ["Cannot read /tmp: Is a directory", "Nothing was imported"])
    }

    @Test("names that read as a key or a namespace id are refused", arguments: ["tjns1qqqq", "TJK1abc", "tjnet1x",
        "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"])
    func nameLooksLikeKey(name: String) throws {
        try expectRefused(["namespace", "create", name], status: 1, stderrContains: ["reads as a key or a namespace id"])
        try expectRefused(["namespace", "petname", "chiapas", name], status: 1, stderrContains: ["reads as a key or a namespace id"])
        // A peer's name stands where a key may be written too (`bundle create --for`, `sync`).
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            try refused(s, ["peer", "add", name, tmp.path], status: 1, stderrContains: ["reads as a key or a namespace id"],
                        sourceLocation: #_sourceLocation)
            #expect(try CLI.json(["peer", "list"], store: s.directory).array?.isEmpty == true)
        }
    }

    @Test("inc with an amount out of range, or --by followed by an option")
    func incAmountOutOfRangeOrMissing() throws {
        try expectRefused(["inc", "chiapas/petitions/pe1", "signatures", "--by", "99999999999999999999"], status: 64,
                          stderrContains: ["99999999999999999999 is out of range"])
        try expectRefused(["inc", "chiapas/petitions/pe1", "signatures", "--by", "-99999999999999999999"], status: 64,
                          stderrContains: ["-99999999999999999999 is out of range"])
        // The harness puts --store DIR last: `--by` takes it as the amount.
        try expectRefused(["inc", "chiapas/petitions/pe1", "signatures", "--by"], status: 64, stderrContains: ["\"--store\" is not a whole number"])
    }

    @Test("inc with both an amount and --by: neither is guessed")
    func incTwoAmounts() throws {
        try expectRefused(["inc", "chiapas/petitions/pe1", "signatures", "2", "--by", "3"], status: 64,
                          stderrContains: ["Two amounts, 2 and --by 3"])
    }

    @Test("an argument that is not UTF-8 is refused before anything runs")
    func argumentNotUTF8() throws {
        // Process passes arguments as Swift strings; bytes that are not UTF-8 need a shell.
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            let before = try s.snapshot()
            let exe = try CLI.executable.get().path
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "\"$0\" put chiapas/events/ev1 \"$(printf 'b=\\377\\376')\" --store \"$1\"", exe, s.directory.path]
            let err = Pipe()
            p.standardError = err
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 64)
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(text.contains("argument 3 is not valid UTF-8"), "\(text)")
            #expect(try s.snapshot() == before)
        }
    }

    @Test("a runaway query stops at its time limit; an oversized value fails at once")
    func queryLimits() throws {
        try expectRefused(["query", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c", "--timeout", "1"],
                          status: 1, stderrContains: ["ran for 1 s and was stopped"])
        try expectRefused(["query", "SELECT length(randomblob(1000000000))"], status: 1, stderrContains: ["too big"])
    }

    // MARK: command line

    @Test("inc with a value that is not a whole number", arguments: ["1.5", "abc", "1e3", ""])
    func incNotInteger(delta: String) throws {
        try expectRefused(["inc", "chiapas/petitions/pe1", "signatures", delta], status: 64, stderrContains: ["\"\(delta)\" is not a whole number"])
    }

    @Test("put with an argument that is neither FIELD=TEXT nor FIELD:=JSON", arguments: ["novalue", "=x"])
    func putBadAssignment(assignment: String) throws {
        try expectRefused(
            ["put", "chiapas/events/ev1", "title=bien", assignment], status: 64,
            stderrContains: ["\"\(assignment)\" is not FIELD=TEXT or FIELD:=JSON"])
    }

    @Test("put with a value after := that is not a JSON scalar", arguments: ["n:=[1]", "n:={}", "n:=tru", "n:=", "n:='x'", "n:=1 2"])
    func putBadJSON(assignment: String) throws {
        try expectRefused(
            ["put", "chiapas/events/ev1", assignment], status: 64,
            stderrContains: ["\"\(assignment)\": the value after := must be a JSON number, true, false, null or a string"])
    }

    @Test("put with an integer beyond 64 bits, or a float that would be read as zero: refused, not rounded",
          arguments: ["n:=12345678901234567890123", "n:=9223372036854775808", "n:=-9223372036854775809", "n:=1e-400"])
    func putNumberOutOfRange(assignment: String) throws {
        let integer = !assignment.contains("e")
        let textForm = assignment.replacingOccurrences(of: ":=", with: "=")
        try expectRefused(
            ["put", "chiapas/events/ev1", assignment], status: 64,
            stderrContains: [integer ? "beyond the 64-bit range and would lose digits as a float; to keep it as text, write \(textForm)" : "number out of range"])
    }

    @Test("put with a bad field name", arguments: ["9x=1", "id=2", "namespace=3", "con espacio=4"])
    func putBadField(assignment: String) throws {
        let field = String(assignment.prefix { $0 != "=" })
        try expectRefused(["put", "chiapas/events/ev1", assignment], status: 64, stderrContains: ["\"\(field)\" is not a valid field name"])
    }

    @Test(
        "a write naming a field, collection or record id the format refuses is a usage error",
        arguments: [
            (["inc", "chiapas/petitions/pe1", "con espacio"], "\"con espacio\" is not a valid field name"),
            (["tag", "add", "chiapas/petitions/pe1", "9tags", "x"], "\"9tags\" is not a valid field name"),
            (["tag", "remove", "chiapas/petitions/pe1", "id", "x"], "\"id\" is not a valid field name"),
            (["put", "chiapas/con espacio/ev1", "a=1"], "\"con espacio\""),
            (["delete", "chiapas/9events/ev1"], "\"9events\""),
            (["put", "chiapas/events/" + String(repeating: "x", count: 257), "a=1"], "is not a valid record id"),
            (["inc", "chiapas/events/a\u{7}b", "n"], "is not a valid record id"),
            // Control characters the user typed are shown escaped, a tab and a line break too.
            (["put", "chiapas/events/x\ty", "a=1"], #""x\ty" is not a valid record id"#),
            (["put", "chiapas/events/x\ny", "a=1"], #""x\ny" is not a valid record id"#),
        ])
    func badWriteNames(args: [String], message: String) throws {
        try expectRefused(args, status: 64, stderrContains: [message])
    }

    @Test(
        "a bad record path",
        arguments: [
            ["put", "chiapas/ev1", "a=1"], ["put", "chiapas//ev1", "a=1"], ["get", "chiapas"], ["delete", "/events/ev1"],
            ["inc", "chiapas/petitions", "signatures"], ["tag", "add", "chiapas", "tags", "x"], ["blame", "chiapas/events/"],
            ["list", "chiapas"], ["list", "chiapas/events/ev1"],
        ])
    func badPath(args: [String]) throws {
        try expectRefused(args, status: 64, stderrContains: ["is not NAMESPACE/COLLECTION"])
    }

    @Test("list names the path it takes, and where one record is shown; the code stays bad_path")
    func listPath() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            let r = s.run(["list", "chiapas/events/ev1"])
            #expect(r.status == 64)
            #expect(r.stderr.contains("\"chiapas/events/ev1\" is not NAMESPACE/COLLECTION (one record is shown by tejido get"), "\(r.stderr)")
            let json = s.run(["list", "chiapas", "--json"])
            #expect(json.stderr.contains("\"error\":\"bad_path\""), "\(json.stderr)")
        }
    }

    @Test("an import line for a namespace this node may not write in gives its line, and nothing is imported")
    func importNotAuthorized() throws {
        try withTemporaryDirectory { tmp in
            let a = try StoreFixture.populated(in: tmp)
            let (b, _) = try a.joined(in: tmp, name: "b")
            _ = try CLI.json(["sync", a.directory.path], store: b)
            _ = try CLI.json(["namespace", "create", "guerrero"], store: b)
            let lines = [
                #"{"replica":"guerrero","txn":0,"op":"set","collection":"events","id":"g1","field":"title","value":"propio"}"#,
                #"{"replica":"chiapas","txn":0,"op":"set","collection":"events","id":"c1","field":"title","value":"ajeno"}"#,
            ]
            let file = tmp.appendingPathComponent("dos.jsonl")
            try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            let before = try CLI.ok(["log", "--envelopes"], store: b)
            let r = CLI.run(["import", file.path, "--json"], store: b)
            #expect(r.status == 1)
            #expect(r.stderr.contains("\"error\":\"import_not_authorized\""), "\(r.stderr)")
            #expect(r.stderr.contains("Import line 2: this node may not write in namespace \\\"chiapas\\\""), "\(r.stderr)")
            #expect(r.stderr.contains("Nothing was imported."))
            #expect(try CLI.ok(["log", "--envelopes"], store: b) == before)
            // --replica leaves those lines out, as the message says.
            let kept = CLI.run(["import", file.path, "--replica", "guerrero"], store: b)
            #expect(kept.status == 0, "\(kept.stderr)")
            #expect(try CLI.json(["get", "guerrero/events/g1"], store: b)["fields"]?["title"] == .string("propio"))
        }
    }

    @Test("an ssh URL whose host or user starts with - is refused for that reason")
    func sshDashHost() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            for url in ["ssh://u@-oProxyCommand=x/p", "ssh://-host/p"] {
                let r = s.run(["sync", url, "--json"])
                #expect(r.status == 64, "\(url)")
                #expect(r.stderr.contains("\"error\":\"bad_url\""), "\(r.stderr)")
                #expect(r.stderr.contains("starts with \\\"-\\\" is refused"), "\(r.stderr)")
            }
            let plain = s.run(["peer", "add", "x", "ssh://sin-ruta"])
            #expect(plain.status == 64)
            #expect(plain.stderr.contains("is not a peer name or URL"), "\(plain.stderr)")
        }
    }

    @Test("a negative number taken for an option is explained, with how to give it")
    func negativeNumberArgument() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            let r = s.run(["inc", "chiapas/petitions/pe1", "signatures", "-1", "--json"])
            #expect(r.status == 64)
            #expect(r.stderr.contains("\"error\":\"usage\""), "\(r.stderr)")
            #expect(r.stderr.contains("for inc use --by -1"), "\(r.stderr)")
            // As the message says: both ways work.
            try CLI.ok(["inc", "chiapas/petitions/pe1", "signatures", "--by", "-1"], store: s.directory)
            try CLI.ok(["inc", "chiapas/petitions/pe1", "signatures", "--", "-1"], store: s.directory)
            #expect(try CLI.json(["get", "chiapas/petitions/pe1"], store: s.directory)["fields"]?["signatures"] == .int(1))
        }
    }

    @Test("a write to a namespace this store does not hold")
    func unknownNamespace() throws {
        try expectRefused(["put", "oaxaca/events/ev1", "title=x"], status: 1, stderrContains: ["No namespace named \"oaxaca\""])
    }

    @Test("grant with a typo in the key: the checksum catches it")
    func grantKeyTypo() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            let other = try StoreFixture.create(in: tmp, name: "other")
            let key = try #require(try CLI.json(["key", "show"], store: other.directory)["key"]?.string)
            // Change one character of the data part to another valid bech32 character.
            var chars = Array(key)
            let i = chars.count / 2
            chars[i] = chars[i] == "q" ? "p" : "q"
            let typo = String(chars)
            try refused(s, ["grant", "chiapas", typo], status: 1, stderrContains: ["\"\(typo)\" is not a public key", "typo"], sourceLocation: #_sourceLocation)
            // Dropped character, and hex of the wrong length.
            try refused(s, ["grant", "chiapas", String(key.dropLast())], status: 1, stderrContains: ["is not a public key"], sourceLocation: #_sourceLocation)
            try refused(s, ["grant", "chiapas", String(repeating: "ab", count: 31)], status: 1, stderrContains: ["is not a public key"], sourceLocation: #_sourceLocation)
            // A bad role is refused before the key is looked at.
            try refused(s, ["grant", "chiapas", key, "--role", "owner"], status: 64, stderrContains: ["\"owner\" is not a role"], sourceLocation: #_sourceLocation)
        }
    }

    @Test("revoking this node's own key is refused with its own code")
    func revokeSelf() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            let key = try #require(try CLI.json(["key", "show"], store: s.directory)["key"]?.string)
            try refused(s, ["revoke", "chiapas", key], status: 1, stderrContains: ["must leave the revocation itself standing", "--after 5"], sourceLocation: #_sourceLocation)
            let r = s.run(["revoke", "chiapas", key, "--json"])
            #expect(try JSON.parse(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))["error"] == .string("cannot_revoke_self"))
        }
    }

    @Test("two inits of one directory at once: exactly one makes the store, and its files agree")
    func concurrentInit() throws {
        try withTemporaryDirectory { tmp in
            for round in 0..<4 {
                let dir = tmp.appendingPathComponent("s\(round)")
                let exe = try CLI.executable.get()
                let runs = ["uno", "dos"].map { name -> (Process, Pipe) in
                    let p = Process()
                    p.executableURL = exe
                    p.arguments = ["init", "--network", name, "--json", "--store", dir.path]
                    let out = Pipe()
                    p.standardOutput = out
                    p.standardError = FileHandle.nullDevice
                    return (p, out)
                }
                for (p, _) in runs { try p.run() }
                var networks: [String] = []
                for (p, out) in runs {
                    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    p.waitUntilExit()
                    if p.terminationStatus == 0, let n = try JSON.parse(text)["network"]?.string { networks.append(n) }
                }
                #expect(networks.count == 1, "round \(round): \(networks.count) inits succeeded")
                let status = try CLI.json(["status"], store: dir)
                #expect(status["network"]?.string == networks.first, "round \(round): the store's network is not the winner's")
                let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
                #expect(!files.contains(".init.lock"))
            }
        }
    }

    @Test("init on an existing store is refused and changes nothing")
    func initOnExistingStore() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.populated(in: tmp)
            let files = ["config.json", "node.key"].map { s.directory.appendingPathComponent($0) }
            let bytes = try files.map { try Data(contentsOf: $0) }
            let key = try CLI.ok(["key", "show"], store: s.directory)
            let other = try StoreFixture.create(in: tmp, name: "other")
            let otherNetwork = try #require(try JSON.parse(String(decoding: try Data(contentsOf: other.directory.appendingPathComponent("config.json")), as: UTF8.self))["network"]?.string)

            try refused(s, ["init", "--network", "otra"], status: 1, stderrContains: ["already holds a store; nothing was changed"], sourceLocation: #_sourceLocation)
            try refused(s, ["init", "--join", otherNetwork], status: 1, stderrContains: ["already holds a store"], sourceLocation: #_sourceLocation)
            #expect(try files.map { try Data(contentsOf: $0) } == bytes)
            #expect(try CLI.ok(["key", "show"], store: s.directory) == key)
        }
    }

    @Test("init without --network or --join, or with a bad network id, creates nothing")
    func initBadArguments() throws {
        try withTemporaryDirectory { tmp in
            let dir = tmp.appendingPathComponent("nuevo")
            let none = CLI.run(["init"], store: dir)
            #expect(none.status == 64)
            #expect(none.stderr.contains("--network NAME"))
            let bad = CLI.run(["init", "--join", "tjnet1noesunared"], store: dir)
            #expect(bad.status == 1)
            #expect(bad.stderr.contains("is not a network id"))
            #expect(!FileManager.default.fileExists(atPath: dir.path))
        }
    }
}
