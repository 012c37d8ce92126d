import Foundation
import Testing

/// A store made through the CLI, and the observable state the bad-input tests compare.
struct StoreFixture {
    let directory: URL

    /// `tejido init --network NAME` in `parent/name`, then one namespace per entry of `namespaces`.
    static func create(in parent: URL, name: String = "store", namespaces: [String] = []) throws -> StoreFixture {
        let dir = parent.appendingPathComponent(name, isDirectory: true)
        _ = try CLI.json(["init", "--network", "pruebas"], store: dir)
        for ns in namespaces { _ = try CLI.json(["namespace", "create", ns], store: dir) }
        return StoreFixture(directory: dir)
    }

    /// A second store, `name` in `parent`, joined to this store's network; with its node key.
    func joined(in parent: URL, name: String) throws -> (directory: URL, key: String) {
        let config = try JSON.parse(String(decoding: try Data(contentsOf: directory.appendingPathComponent("config.json")), as: UTF8.self))
        let network = try #require(config["network"]?.string)
        let dir = parent.appendingPathComponent(name)
        _ = try CLI.json(["init", "--join", network], store: dir)
        return (dir, try #require(try CLI.json(["key", "show"], store: dir)["key"]?.string))
    }

    /// A store with namespace chiapas and one record in each workload collection, so that the
    /// query views exist and a snapshot shows records as well as envelopes.
    static func populated(in parent: URL) throws -> StoreFixture {
        let s = try create(in: parent, namespaces: ["chiapas"])
        try CLI.ok(["put", "chiapas/events/ev1", "title=Asamblea", "asistentes:=12"], store: s.directory)
        try CLI.ok(["put", "chiapas/petitions/pe1", "title=Agua"], store: s.directory)
        try CLI.ok(["inc", "chiapas/petitions/pe1", "signatures", "3"], store: s.directory)
        try CLI.ok(["tag", "add", "chiapas/members/me1", "tags", "radio"], store: s.directory)
        return s
    }

    func run(_ args: [String], stdin: Data? = nil, env: [String: String] = [:]) -> (status: Int32, stdout: String, stderr: String) {
        CLI.run(args, store: directory, stdin: stdin, env: env)
    }

    /// Everything a user can see of the store's content: every envelope byte for byte, the
    /// namespaces and the rows of the three collections.
    func snapshot(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        var parts: [String] = []
        parts.append(try CLI.ok(["log", "--envelopes"], store: directory, sourceLocation: sourceLocation))
        parts.append(try CLI.ok(["namespace", "list", "--json"], store: directory, sourceLocation: sourceLocation))
        for c in ["events", "petitions", "members"] {
            parts.append(try CLI.ok(["query", "select * from \(c) order by namespace, id", "--json"], store: directory, sourceLocation: sourceLocation))
        }
        return parts.joined(separator: "\n--\n")
    }

    var databaseFile: URL { directory.appendingPathComponent("store.db") }
}
