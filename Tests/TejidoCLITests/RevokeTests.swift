import Foundation
import Testing

/// `tejido revoke` as an admin meets it: a key that holds no role here is revoked with a note to
/// check the key, and a key already revoked is not revoked again.
@Suite struct RevokeTests {
    @Test func aKeyWithoutARoleGetsANoteAndARepeatWritesNothing() throws {
        try withTemporaryDirectory { dir in
            let store = try StoreFixture.create(in: dir, name: "store", namespaces: ["coop"])
            let (_, stranger) = try store.joined(in: dir, name: "other")
            func changesets() throws -> Int {
                try CLI.ok(["log", "--envelopes"], store: store.directory).split(separator: "\n").count
            }
            let before = try changesets()
            let first = CLI.run(["revoke", "coop", stranger], store: store.directory)
            #expect(first.status == 0, "\(first)")
            #expect(first.stderr.contains("holds no role in coop on this store; check that it is the right key"), "\(first.stderr)")
            #expect(try changesets() == before + 1)
            // Again, as an admin might after a scare: nothing new is written, and it says so.
            let again = CLI.run(["revoke", "coop", stranger, "--lang", "es"], store: store.directory)
            #expect(again.status == 0, "\(again)")
            #expect(again.stdout.contains("ya está revocada en coop"), "\(again.stdout)")
            let json = try CLI.json(["revoke", "coop", stranger], store: store.directory)
            #expect(json["unchanged"] == .bool(true) && json["changeset"] == .null, "\(json)")
            #expect(try changesets() == before + 1)
            // With --after it is written all the same; a higher cut-off than the one in force is
            // said to change nothing (the lower one counts).
            let moved = CLI.run(["revoke", "coop", stranger, "--after", "3"], store: store.directory)
            #expect(moved.status == 0 && moved.stderr.contains("an earlier revocation cuts it at seq 0, and that stays in force"), "\(moved)")
            #expect(try changesets() == before + 2)
        }
    }
}
