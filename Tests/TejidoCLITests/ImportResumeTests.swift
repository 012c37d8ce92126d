import Foundation
import Testing

/// A cut import continues with --resume from what the store committed: every line once.
@Suite("import --resume")
struct ImportResumeTests {
    @Test("killed after a commit, resumed: every increment counted exactly once")
    func resumeAfterKill() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let count = 60_000
            let lines = (0..<count).map { i in
                #"{"replica":"chiapas","txn":\#(i / 20),"op":"inc","collection":"petitions","id":"p\#(i % 7)","field":"firmas","value":1}"#
            }
            let file = tmp.appendingPathComponent("w.jsonl")
            try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)

            #expect(s.run(["import", file.path, "--resume"]).status == 1, "nothing to resume before any import")

            // Start, and kill right after the first durable commit is reported.
            let p = Process()
            p.executableURL = try CLI.executable.get()
            p.arguments = ["import", file.path, "--json", "--batch", "5", "--store", s.directory.path]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            var commits = 0
            var buffer = Data()
            while commits < 1 {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                commits = String(decoding: buffer, as: UTF8.self).components(separatedBy: "\"committed\"").count - 1
            }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            try #require(commits >= 1, "the import reported no commit before ending")
            try #require(!String(decoding: buffer, as: UTF8.self).contains("\"done\""), "the import finished before the kill")

            let resumed = s.run(["import", file.path, "--resume"])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            let total = try CLI.json(["query", "select sum(firmas) as total from petitions"], store: s.directory)
            #expect(total.array?.first?["total"] == .int(Int64(count)))
            #expect(try CLI.json(["verify"], store: s.directory)["ok"] == .bool(true))
            // The finished import leaves nothing to resume.
            #expect(s.run(["import", file.path, "--resume"]).status == 1)
        }
    }
}
