import Foundation
import Testing

/// Where import reads from: a pipe given as a path must not be split between the threads that read it.
@Suite("import sources") struct ImportSourceTests {
    @Test("a pipe passed as /dev/stdin imports every line")
    func pipeAsPath() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            let lines = (0..<3000).map { i in
                #"{"replica":"chiapas","txn":\#(i / 50),"op":"inc","collection":"petitions","id":"p\#(i % 5)","field":"firmas","value":1}"#
            }
            let file = tmp.appendingPathComponent("w.jsonl")
            try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            let exe = try CLI.executable.get()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "cat \"$1\" | \"$2\" import /dev/stdin --store \"$3\"", "sh", file.path, exe.path, s.directory.path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            let rows = try CLI.json(["query", "select sum(firmas) as total from petitions"], store: s.directory)
            #expect(rows.array?.first?["total"] == .int(3000))
        }
    }
}
