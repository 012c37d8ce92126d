import Foundation
import Testing

/// `sync` and `bundle apply` stopped by Ctrl-C: each says what the store holds and how to go on,
/// exits 130, and leaves a store that verifies and that the same command then completes.
@Suite("Ctrl-C during sync and bundle apply")
struct StopSignalTests {
    /// A store with 4,000 small changesets: long enough to take in that a signal lands mid-way.
    static func source(in tmp: URL) throws -> StoreFixture {
        let s = try StoreFixture.create(in: tmp, name: "a", namespaces: ["chiapas"])
        let workload = tmp.appendingPathComponent("w.jsonl")
        let lines = (0..<40_000).map { i in
            #"{"replica":"chiapas","txn":\#(i / 10),"op":"set","collection":"notes","id":"n\#(i % 3_000)","field":"f\#(i % 7)","value":"\#(i)"}"#
        }
        try lines.joined(separator: "\n").write(to: workload, atomically: true, encoding: .utf8)
        #expect(s.run(["import", workload.path]).status == 0)
        return s
    }

    /// Runs `arguments` against `store` and sends SIGINT after `delay` seconds (if still running).
    static func interrupted(_ arguments: [String], store: URL, after delay: Double) throws -> (status: Int32, stderr: String) {
        let p = Process()
        p.executableURL = try CLI.executable.get()
        p.arguments = arguments + ["--json", "--store", store.path]
        p.environment = CLI.baseEnvironment()
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        let deadline = Date().addingTimeInterval(delay)
        while p.isRunning && Date() < deadline { usleep(2_000) }
        if p.isRunning { kill(p.processIdentifier, SIGINT) }
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, stderr)
    }

    /// Stops `arguments` part-way (trying later and later), then checks the store and runs the
    /// command again to the end: the target ends with the source's state.
    static func stopAndGoOn(_ arguments: [String], code: String, source: StoreFixture, tmp: URL) throws {
        let want = try CLI.json(["status"], store: source.directory)["digest"]
        var stopped = false
        for (attempt, delay) in [0.4, 0.8, 1.5, 3.0].enumerated() where !stopped {
            let (target, _) = try source.joined(in: tmp, name: "t\(code)\(attempt)")
            let (status, stderr) = try interrupted(arguments, store: target, after: delay)
            if status == 0 { continue }
            #expect(status == 130, "\(stderr)")
            #expect(stderr.contains("\"error\":\"\(code)\""), "\(stderr)")
            stopped = true
            #expect(CLI.run(["verify"], store: target).status == 0)
            #expect(CLI.run(arguments, store: target).status == 0)
            #expect(try CLI.json(["status"], store: target)["digest"] == want)
        }
        #expect(stopped, "no attempt was stopped before it finished")
    }

    /// The source store and a bundle of all it holds.
    static func withBundle(_ body: (_ source: StoreFixture, _ bundle: String, _ tmp: URL) throws -> Void) throws {
        try withTemporaryDirectory { tmp in
            let a = try source(in: tmp)
            let bundle = tmp.appendingPathComponent("todo.tjb").path
            #expect(a.run(["bundle", "create", bundle]).status == 0)
            try body(a, bundle, tmp)
        }
    }

    @Test("bundle apply stopped by a signal keeps what it committed, and goes on when run again")
    func bundleApply() throws {
        try Self.withBundle { a, bundle, tmp in
            try Self.stopAndGoOn(["bundle", "apply", bundle], code: "bundle_apply_stopped", source: a, tmp: tmp)
        }
    }

    @Test("sync stopped by a signal keeps what it committed, and goes on when run again")
    func sync() throws {
        try withTemporaryDirectory { tmp in
            let a = try Self.source(in: tmp)
            try Self.stopAndGoOn(["sync", a.directory.path], code: "sync_stopped", source: a, tmp: tmp)
        }
    }

    @Test("the stop messages in Spanish")
    func spanish() throws {
        try Self.withBundle { a, bundle, tmp in
            for delay in [0.4, 0.8, 1.5, 3.0] {
                let (target, _) = try a.joined(in: tmp, name: "es\(Int(delay * 10))")
                let (status, stderr) = try Self.interrupted(["bundle", "apply", bundle, "--lang", "es"], store: target, after: delay)
                guard status == 130 else { continue }
                #expect(stderr.contains("Detenido por una señal"), "\(stderr)")
                #expect(stderr.contains("tejido bundle apply \(bundle)"), "\(stderr)")
                return
            }
            Issue.record("no attempt was stopped before it finished")
        }
    }
}
