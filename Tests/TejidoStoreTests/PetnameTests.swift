import Foundation
import Testing
import TejidoCore
import TejidoStore
import TejidoTestSupport

/// A namespace is named by a signed op; a store may call it something else locally.
@Suite struct PetnameTests {
    @Test func aPetnameOverridesTheSignedNameHereOnly() throws {
        try withTemporaryStore { store in
            let info = try store.createNamespace(name: "chiapas")
            _ = try store.put(namespace: "chiapas", record: RecordKey(collection: "c", id: "1"), fields: [("v", .int(1))])
            let digest = try store.stateDigest()
            try store.setPetname(namespace: "chiapas", to: "chis")
            #expect(try store.namespaceInfo(info.id).name == "chis")
            #expect(try store.get(namespace: "chis", record: RecordKey(collection: "c", id: "1")) != nil)
            #expect(throws: StoreError.self) { _ = try store.resolveNamespace("chiapas") }
            // Local only: the data, and so the digest, are the same.
            #expect(try store.stateDigest() == digest)
            try store.setPetname(namespace: "chis", to: nil)
            #expect(try store.namespaceInfo(info.id).name == "chiapas")
            #expect(throws: StoreError.invalidName("no válido")) { try store.setPetname(namespace: "chiapas", to: "no válido") }
        }
    }
}
