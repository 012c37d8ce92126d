import Foundation
import Testing

/// Progress of a sync goes to stderr: NDJSON events with --json, nothing when stderr is not a
/// terminal and --json is not given. Results stay on stdout either way.
@Suite struct ProgressTests {
    @Test func syncShowsNDJSONProgressWithJSONAndStaysQuietWhenPiped() throws {
        try withTemporaryDirectory { dir in
            let a = try StoreFixture.create(in: dir, name: "a", namespaces: ["chiapas"])
            for i in 0..<30 { try CLI.ok(["put", "chiapas/events/e\(i)", "n:=\(i)"], store: a.directory) }
            let network = try #require(try CLI.json(["status"], store: a.directory)["network"]?.string)
            let b = dir.appendingPathComponent("b")
            let c = dir.appendingPathComponent("c")
            _ = try CLI.json(["init", "--join", network], store: b)
            _ = try CLI.json(["init", "--join", network], store: c)
            let env = ["TEJIDO_PROGRESS_INTERVAL": "0"]

            let withJSON = CLI.run(["sync", a.directory.path, "--pull-only", "--json"], store: b, env: env)
            #expect(withJSON.status == 0, "\(withJSON.stderr)")
            let events = withJSON.stderr.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(!events.isEmpty, "no progress events: \(withJSON.stderr)")
            #expect(events.allSatisfy { $0["event"] as? String == "progress" })
            let last = try #require(events.last)
            #expect(last["received"] as? Int == 31)
            #expect(last["peer_remaining"] as? Int == 0)
            #expect(events.allSatisfy { $0["bytes_in"] is Int && $0["rate"] is Int && $0["eta_seconds"] is Int })
            // stdout holds the result only.
            let result = try JSONSerialization.jsonObject(with: Data(withJSON.stdout.utf8)) as? [String: Any]
            #expect((result?["results"] as? [[String: Any]])?.first?["received"] as? Int == 31)

            let piped = CLI.run(["sync", a.directory.path, "--pull-only"], store: c, env: env)
            #expect(piped.status == 0)
            #expect(piped.stderr.isEmpty, "progress on a pipe: \(piped.stderr)")
            #expect(piped.stdout.contains("received 31"))
        }
    }

    /// Without TEJIDO_PROGRESS_INTERVAL a moment's work shows no progress on the way, but under
    /// --json it still ends with one event holding the final figures: sync, bundle create, apply.
    @Test func aQuickJobStillEndsWithOneEventUnderJSON() throws {
        try withTemporaryDirectory { dir in
            let a = try StoreFixture.create(in: dir, name: "a", namespaces: ["chiapas"])
            for i in 0..<5 { try CLI.ok(["put", "chiapas/events/e\(i)", "n:=\(i)"], store: a.directory) }
            let network = try #require(try CLI.json(["status"], store: a.directory)["network"]?.string)
            let b = dir.appendingPathComponent("b")
            _ = try CLI.json(["init", "--join", network], store: b)
            let bundle = dir.appendingPathComponent("x.tjb").path
            func events(_ stderr: String) -> [[String: Any]] {
                stderr.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            }
            let created = CLI.run(["bundle", "create", bundle, "--json"], store: a.directory)
            #expect(created.status == 0, "\(created.stderr)")
            let c = events(created.stderr)
            #expect(c.count == 1 && c.last?["sent"] as? Int == 6, "\(created.stderr)")
            let applied = CLI.run(["bundle", "apply", bundle, "--json"], store: b)
            #expect(applied.status == 0, "\(applied.stderr)")
            let p = events(applied.stderr)
            #expect(p.count == 1 && p.last?["received"] as? Int == 6, "\(applied.stderr)")
            let synced = CLI.run(["sync", a.directory.path, "--json"], store: b)
            #expect(synced.status == 0, "\(synced.stderr)")
            #expect(events(synced.stderr).count == 1, "\(synced.stderr)")
        }
    }
}
