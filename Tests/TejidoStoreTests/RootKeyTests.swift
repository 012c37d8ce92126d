import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoTestSupport

@Suite struct RootKeyTests {
    @Test func exportForgetAndImportTheRootSecret() throws {
        try withTemporaryDirectory { dir in
            let store = try Store.create(at: dir.appendingPathComponent("s"))
            let info = try store.createNamespace(name: "grupo")
            let keyFile = dir.appendingPathComponent("s/keys/\(Hex.encode(info.id)).key")
            let original = try String(contentsOf: keyFile, encoding: .utf8)
            let exported = dir.appendingPathComponent("root.json").path
            try store.exportRoot(namespace: "grupo", to: exported, passphrase: "frase larga", forget: true)
            #expect(!FileManager.default.fileExists(atPath: keyFile.path))
            // The namespace goes on without its root: this node is admin there.
            _ = try store.put(namespace: "grupo", record: RecordKey(collection: "c", id: "1"), fields: [("v", .int(1))])
            #expect(throws: StoreError.noRootKey("grupo")) { try store.exportRoot(namespace: "grupo", to: exported + "2", passphrase: "x", forget: false) }
            #expect(throws: StoreError.wrongPassphrase(exported)) { try store.importRoot(from: exported, passphrase: "otra frase") }
            #expect(!FileManager.default.fileExists(atPath: keyFile.path))
            #expect(try store.importRoot(from: exported, passphrase: "frase larga") == info.id)
            #expect(try String(contentsOf: keyFile, encoding: .utf8) == original)
            let mode = try FileManager.default.attributesOfItem(atPath: exported)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }
}
