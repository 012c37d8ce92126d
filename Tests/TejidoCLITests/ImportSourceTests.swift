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

    @Test("an error is reported at once while the input pipe stays open and idle")
    func errorOnAnIdlePipe() throws {
        try withTemporaryDirectory { tmp in
            let s = try StoreFixture.create(in: tmp, namespaces: ["chiapas"])
            // Two txns, so that the first is complete and applied; its namespace does not exist.
            let lines = (0..<60).map { i in
                #"{"replica":"nadie","txn":\#(i / 50),"op":"inc","collection":"petitions","id":"p1","field":"firmas","value":1}"#
            }
            let input = Pipe()
            let errors = tmp.appendingPathComponent("stderr")
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            let errHandle = try FileHandle(forWritingTo: errors)
            let p = Process()
            p.executableURL = try CLI.executable.get()
            p.arguments = ["import", "-", "--store", s.directory.path]
            p.environment = ["LANG": "C"]
            p.standardInput = input
            p.standardOutput = FileHandle.nullDevice
            p.standardError = errHandle
            try p.run()
            input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            // The write end stays open: the import must not wait for more input to report.
            let deadline = Date().addingTimeInterval(20)
            while p.isRunning && Date() < deadline { usleep(20_000) }
            let exitedOnItsOwn = !p.isRunning
            try input.fileHandleForWriting.close()
            p.waitUntilExit()
            try errHandle.close()
            #expect(exitedOnItsOwn, "the import waited for the pipe to close")
            #expect(p.terminationStatus == 1)
            let message = String(decoding: try Data(contentsOf: errors), as: UTF8.self)
            #expect(message.contains("no namespace named \"nadie\""), "\(message)")
        }
    }
}
