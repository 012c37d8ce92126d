import Foundation
import Testing

/// A cut import continues with --resume from what the store committed: every line once.
@Suite("import --resume")
struct ImportResumeTests {
    /// More lines than the reader queues ahead (65,536): nothing commits before the reader's
    /// verdict on the whole input, so with a smaller input the first commit can hold all of it
    /// whenever the reader is the slower thread (as in a debug build). Past the queue, the
    /// applying thread waits for the verdict and then commits a changeset at a time.
    static let count = 100_000

    /// `count` increments of 1, 20 to a changeset: the total tells whether any was lost or counted twice.
    static let increments = (0..<count).map { i in
        #"{"replica":"chiapas","txn":\#(i / 20),"op":"inc","collection":"petitions","id":"p\#(i % 7)","field":"firmas","value":1}"#
    }

    /// Runs `body` with a fresh store (namespace chiapas) and a file of the `increments` beside
    /// it, until it says that it cut the import it ran. On a loaded machine an import may finish
    /// before the signal lands (the test process may not run while the import does): one
    /// changeset per commit makes that rare; up to 8 attempts, and one must be cut.
    static func untilCut(_ body: (_ store: StoreFixture, _ file: URL, _ attempt: Int) throws -> Bool) throws {
        var cut = false
        for attempt in 0..<8 where !cut {
            try withTemporaryDirectory { tmp in
                let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
                let file = tmp.appendingPathComponent("w.jsonl")
                try increments.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
                cut = try body(s, file, attempt)
            }
        }
        #expect(cut, "no attempt was cut before the import finished")
    }

    @Test("killed after a commit, resumed: every increment counted exactly once")
    func resumeAfterKill() throws {
        let count = Self.count
        try Self.untilCut { s, file, attempt in
            #expect(s.run(["import", file.path, "--resume"]).status == 1, "nothing to resume before any import")

            // Start, and kill right after the first durable commit is reported.
            try Self.importKilledAfterFirstCommit(file, store: s)
            // The kill may land after the last commit but before "done" is printed: what the
            // store holds, not the output, tells whether the import was cut.
            let before = try CLI.json(["query", "select sum(firmas) as total from petitions"], store: s.directory)
            let finished = before.array?.first?["total"] == .int(Int64(count))

            if finished {
                // Not cut before the last commit. The kill may still have landed before the
                // import cleared its resume marker (its own transaction when the last
                // changeset was committed as a due batch): a resume then finds nothing left.
                // Either way, afterwards there is nothing to resume and nothing counted twice.
                let again = s.run(["import", file.path, "--resume"])
                #expect(again.status == 0 || again.status == 1, "attempt \(attempt): \(again.stderr)")
                #expect(s.run(["import", file.path, "--resume"]).status == 1, "attempt \(attempt)")
            } else {
                let resumed = s.run(["import", file.path, "--resume"])
                #expect(resumed.status == 0, "attempt \(attempt): \(resumed.stderr)")
                #expect(s.run(["import", file.path, "--resume"]).status == 1, "a finished import leaves nothing to resume")
            }
            let total = try CLI.json(["query", "select sum(firmas) as total from petitions"], store: s.directory)
            #expect(total.array?.first?["total"] == .int(Int64(count)), "attempt \(attempt): every increment exactly once")
            #expect(try CLI.json(["verify"], store: s.directory)["ok"] == .bool(true))
            return !finished
        }
    }

    @Test("another file's import keeps a cut import's place, and no lock file is left behind")
    func oneImportOfAFileAtATime() throws {
        let count = 100_000
        func lines(_ field: String) -> String {
            (0..<count).map { i in
                #"{"replica":"chiapas","txn":\#(i / 20),"op":"inc","collection":"petitions","id":"p\#(i % 7)","field":"\#(field)","value":1}"#
            }.joined(separator: "\n")
        }
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let a = tmp.appendingPathComponent("a.jsonl"), b = tmp.appendingPathComponent("b.jsonl")
            try lines("firmas").write(to: a, atomically: true, encoding: .utf8)
            try lines("apoyos").write(to: b, atomically: true, encoding: .utf8)

            try Self.importKilledAfterFirstCommit(a, store: s)
            // Another file's whole import, then the cut one resumed: its place was kept.
            _ = try CLI.ok(["import", b.path], store: s.directory)
            let resumed = s.run(["import", a.path, "--resume"])
            #expect(resumed.status == 0 || resumed.status == 1, "\(resumed.stderr)")
            // Resumed from its place, or (the kill landed after its last commit) nothing to resume:
            // either way every increment of each file exactly once.
            let total = try CLI.json(["query", "select sum(firmas) as f, sum(apoyos) as a from petitions"], store: s.directory)
            #expect(total.array?.first?["a"] == .int(Int64(count)))
            #expect(total.array?.first?["f"] == .int(Int64(count)), "every increment of a.jsonl exactly once")
            // Nothing of the lock is left behind.
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: s.directory.path).filter { $0.hasSuffix(".lock") }
            #expect(leftovers.isEmpty, "\(leftovers)")
        }
    }

    @Test("an import that ends on a due commit leaves nothing to resume")
    func finishedImportLeavesNoMarker() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let file = tmp.appendingPathComponent("w.jsonl")
            let lines = (0..<40).map { i in
                #"{"replica":"chiapas","txn":\#(i / 4),"op":"inc","collection":"petitions","id":"p1","field":"firmas","value":1}"#
            }
            try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            // One changeset per commit: the last changeset is committed as a due batch, before the
            // import knows it was the last.
            #expect(s.run(["import", file.path, "--batch", "1"]).status == 0)
            #expect(s.run(["import", file.path, "--resume"]).status == 1)
            let total = try CLI.json(["query", "select sum(firmas) as total from petitions"], store: s.directory)
            #expect(total.array?.first?["total"] == .int(40))
        }
    }

    /// Runs `tejido import FILE --batch 1` and sends it `signal` (SIGKILL unless said) as soon as
    /// it reports its first durable commit (or when it ends, if it ends first). Returns its exit
    /// status and what it wrote on stderr.
    @discardableResult
    static func importKilledAfterFirstCommit(_ file: URL, store s: StoreFixture, signal: Int32 = SIGKILL)
        throws -> (status: Int32, stderr: String)
    {
        let p = Process()
        p.executableURL = try CLI.executable.get()
        p.arguments = ["import", file.path, "--json", "--batch", "1", "--store", s.directory.path]
        p.environment = CLI.baseEnvironment()
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        var buffer = Data()
        while !String(decoding: buffer, as: UTF8.self).contains("\"committed\"") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
        }
        kill(p.processIdentifier, signal)
        _ = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, stderr)
    }

    @Test("stopped by Ctrl-C after a commit: it says how to go on, and --resume counts every line once")
    func interruptSaysHowToGoOn() throws {
        let count = Self.count
        try Self.untilCut { s, file, _ in
            let stopped = try Self.importKilledAfterFirstCommit(file, store: s, signal: SIGINT)
            // An import that finished before the signal landed says nothing of the kind; one
            // stopped after its last commit has nothing left to resume. What the store holds
            // tells them apart from a cut one.
            guard stopped.status != 0 else { return false }
            #expect(stopped.status == 130, "\(stopped)")
            let before = try CLI.json(["query", "select sum(firmas) as total from petitions"], store: s.directory)
            guard before.array?.first?["total"] != .int(Int64(count)) else { return false }
            let said = try JSON.parse(stopped.stderr.split(separator: "\n").last.map(String.init) ?? "")
            #expect(said["error"] == .string("import_stopped"), "\(stopped.stderr)")
            guard case .string(let message)? = said["message"] else { Issue.record("no message: \(stopped.stderr)"); return true }
            #expect(message.contains("--resume"), "\(stopped.stderr)")
            let resumed = s.run(["import", file.path, "--resume"])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            let total = try CLI.json(["query", "select sum(firmas) as total from petitions"], store: s.directory)
            #expect(total.array?.first?["total"] == .int(Int64(count)), "every increment exactly once")
            #expect(try CLI.json(["verify"], store: s.directory)["ok"] == .bool(true))
            return true
        }
    }
}
