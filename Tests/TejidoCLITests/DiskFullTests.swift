import Foundation
import Testing

/// A full disk: a clear message, a non-zero exit, the store as it was; and it works again once
/// there is room. Needs a small tmpfs, so it runs where this process may mount one (root in CI).
@Suite("full disk", .enabled(if: Tmpfs.canMount))
struct DiskFullTests {
    @Test("writes on a full disk are refused cleanly and succeed once there is room")
    func fullDisk() throws {
        try withTemporaryDirectory { tmp in
            try Tmpfs.mounted(in: tmp, size: "4M") { try check(on: $0) }
        }
    }

    @Test("a store on a filesystem mounted read-only: every command says so, and the store is untouched")
    func readOnlyMount() throws {
        try withTemporaryDirectory { tmp in try Tmpfs.mounted(in: tmp, size: "8M") { mountPoint in
            let s = try StoreFixture.populated(in: mountPoint)
            try #require(Tmpfs.shell(["mount", "-o", "remount,ro", mountPoint.path]) == 0)
            for args in [["status"], ["get", "chiapas/events/ev1"], ["verify"], ["put", "chiapas/events/ev1", "title=x"]] {
                let r = s.run(args + ["--json"])
                #expect(r.status == 1, "\(args): \(r.status)")
                #expect(r.stderr.contains("\"error\":\"read_only_filesystem\""), "\(args): \(r.stderr)")
            }
        } }
    }

    @Test("a sync into a store on a full disk names the full disk, in text and in JSON")
    func syncIntoAFullDisk() throws {
        try withTemporaryDirectory { tmp in
            let source = try StoreFixture.populated(in: tmp)
            let big = String(repeating: "texto ", count: 4000)
            for i in 0..<200 { try CLI.ok(["put", "chiapas/events/e\(i)", "description=\(big)\(i)"], store: source.directory) }
            try Tmpfs.mounted(in: tmp, size: "3M") { mountPoint in
            let (target, _) = try source.joined(in: mountPoint, name: "target")
            let r = CLI.run(["sync", source.directory.path, "--pull-only", "--json"], store: target)
            #expect(r.status == 1)
            let result = try JSON.parse(r.stdout)["results"]?.array?.first
            #expect(result?["error"] == .string("store_failure"))
            #expect(result?["store_error"] == .string("disk_full"), "\(r.stdout)")
            #expect(result?["message"]?.string?.contains("The disk is full") == true)
            let text = CLI.run(["sync", source.directory.path, "--pull-only", "--lang", "es"], store: target)
            #expect(text.status == 1)
            #expect(text.stderr.contains("El disco está lleno"), "\(text.stderr)")
            #expect(!text.stderr.contains("diskFull"))
            #expect(try CLI.json(["verify"], store: target)["ok"] == .bool(true))
            // Pushed the other way, the full store is the local child: it says why itself.
            let push = CLI.run(["sync", target.path, "--push-only", "--lang", "es"], store: source.directory)
            #expect(push.status == 1)
            #expect(push.stderr.contains("El disco está lleno"), "\(push.stderr)")
            #expect(push.stderr.contains("falló el almacén del par"), "\(push.stderr)")
            }
        }
    }
}

/// A small tmpfs to fill up, where this process may mount one.
enum Tmpfs {
    static let canMount: Bool = {
        guard getuid() == 0 else { return false }
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("tejido-mount-probe-\(getpid())")
        try? FileManager.default.createDirectory(at: probe, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: probe) }
        guard shell(["mount", "-t", "tmpfs", "-o", "size=1M", "tmpfs", probe.path]) == 0 else { return false }
        _ = shell(["umount", probe.path])
        return true
    }()

    /// A tmpfs of `size` mounted in a new folder of `parent` while `body` runs.
    static func mounted(in parent: URL, size: String, _ body: (URL) throws -> Void) throws {
        let mountPoint = parent.appendingPathComponent("tmpfs-\(size)")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        try #require(shell(["mount", "-t", "tmpfs", "-o", "size=\(size)", "tmpfs", mountPoint.path]) == 0)
        defer { shell(["umount", mountPoint.path]) }
        try body(mountPoint)
    }

    @discardableResult
    static func shell(_ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

}

extension DiskFullTests {
    func check(on mountPoint: URL) throws {
        do {
            let s = try StoreFixture.populated(in: mountPoint)
            let before = try s.snapshot()
            // Fill the rest of the disk.
            let filler = mountPoint.appendingPathComponent("filler")
            _ = FileManager.default.createFile(atPath: filler.path, contents: nil)
            let handle = try FileHandle(forWritingTo: filler)
            let block = Data(repeating: 0x61, count: 64 * 1024)
            while (try? handle.write(contentsOf: block)) != nil {}
            try? handle.close()

            let big = String(repeating: "texto ", count: 2000)
            for args in [["put", "chiapas/events/lleno", "description=\(big)"],
                         ["inc", "chiapas/petitions/pe1", "signatures", "5"]] {
                let r = s.run(args)
                #expect(r.status == 1, "tejido \(args) on a full disk exited \(r.status)")
                #expect(r.stderr.contains("disk is full") || r.stderr.contains("database or disk is full"), "\(r.stderr)")
            }
            // Room again: everything is as before, and writes work.
            try FileManager.default.removeItem(at: filler)
            #expect(try s.snapshot() == before)
            #expect(try CLI.json(["verify"], store: s.directory)["ok"] == .bool(true))
            try CLI.ok(["put", "chiapas/events/lleno", "title=ya cabe"], store: s.directory)
        }
    }
}
