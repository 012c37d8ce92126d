import Foundation
import Testing

/// The stdio carrier, byte by byte: `tejido sync ssh://...` through an ssh stand-in that runs the
/// far side's `tejido serve --stdio` locally and keeps a copy of everything it sends back. The far
/// store holds a private namespace. The pipe carries TLS 1.3, so the copy holds the namespace's id
/// in clear for nobody (what the sessions say inside TLS is checked in PrivateNamespaceTests); the
/// member ends up holding the namespace and the outsider does not.
@Suite("Private namespace over stdio") struct PrivateNamespaceCLITests {
    @Test("sync over ssh sends a private namespace only to a node with a role in it")
    func stdioCarrier() throws {
        try withTemporaryDirectory { tmp in
            let far = try StoreFixture.create(in: tmp, name: "far", namespaces: ["publico"])
            let created = try CLI.json(["namespace", "create", "secreto", "--private"], store: far.directory)
            #expect(created["private"] == .bool(true))
            _ = try CLI.ok(["put", "secreto/c/r1", "v=dato"], store: far.directory)
            let config = try JSON.parse(String(decoding: try Data(contentsOf: far.directory.appendingPathComponent("config.json")), as: UTF8.self))
            let network = try #require(config["network"]?.string)
            let exe = try CLI.executable.get().path

            let capture = tmp.appendingPathComponent("capture.bin")
            let ssh = tmp.appendingPathComponent("fake-ssh")
            try """
                #!/bin/sh
                while [ $# -gt 0 ]; do case "$1" in -p|-l|-o|-i|-F) shift 2 ;; -*) shift ;; *) break ;; esac; done
                shift
                sh -c "$*" | tee "\(capture.path)"
                """.write(to: ssh, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: ssh.path)
            let env = ["TEJIDO_SSH": ssh.path]
            let url = "ssh://localhost\(far.directory.path)"

            // The raw namespace id: the 32 bytes inside every changeset, digest and head of it.
            let secretRaw = try #require(try rawNamespaceID(far: far.directory, name: "secreto"))

            for isMember in [false, true] {
                let near = tmp.appendingPathComponent(isMember ? "member" : "outsider")
                _ = try CLI.json(["init", "--join", network], store: near)
                if isMember {
                    let key = try #require(try CLI.json(["key", "show"], store: near)["key"]?.string)
                    _ = try CLI.ok(["grant", "secreto", key, "--role", "reader"], store: far.directory)
                }
                try? FileManager.default.removeItem(at: capture)
                _ = try CLI.ok(["sync", url, "--remote-command", exe, "--pull-only"], store: near, env: env)
                let sent = [UInt8](try Data(contentsOf: capture))
                #expect(sent.count > 100)
                // A TLS 1.3 server's first record: a handshake record (22) in the 0x0303 record version.
                #expect(Array(sent.prefix(3)) == [22, 3, 3], "the pipe does not carry TLS")
                #expect(!contains(sent, secretRaw), "the private namespace's id crossed the pipe in clear")
                let held = try #require(try CLI.json(["namespace", "list"], store: near).array).compactMap { $0["name"]?.string }
                if isMember {
                    #expect(held.contains("secreto"))
                    #expect(try CLI.json(["verify"], store: near)["ok"] == .bool(true))
                } else {
                    #expect(held == ["publico"])
                }
            }
        }
    }

    /// The 32 bytes of a namespace id, read from the envelope that names it (its root's first
    /// changeset holds the name as text), so the test does not depend on the id's text form.
    func rawNamespaceID(far: URL, name: String) throws -> [UInt8]? {
        for line in CLI.run(["log", "--envelopes"], store: far).stdout.split(separator: "\n") {
            let bytes = hex(String(line))
            guard contains(bytes, Array(name.utf8)) else { continue }
            // The body map starts {0: 1, 1: network, 2: namespace}: 00 01 01 58 20 <32> 02 58 20 <32>.
            guard let at = find(bytes, [0x00, 0x01, 0x01, 0x58, 0x20]), bytes.count >= at + 72,
                  bytes[(at + 37)..<(at + 40)].elementsEqual([0x02, 0x58, 0x20]) else { continue }
            return Array(bytes[(at + 40)..<(at + 72)])
        }
        return nil
    }

    func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = s.makeIterator()
        while let a = it.next(), let b = it.next(), let v = UInt8(String([a, b]), radix: 16) { out.append(v) }
        return out
    }

    func find(_ hay: [UInt8], _ needle: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
        return nil
    }

    func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool { find(hay, needle) != nil }
}
