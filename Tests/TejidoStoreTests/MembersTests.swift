import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoTestSupport

@Suite struct MembersTests {
    @Test func membersNameTheRootAndWhoGrantedEachRole() throws {
        try withTemporaryStore { store in
            let info = try store.createNamespace(name: "grupo")
            let writer = try Ed25519PrivateKey().publicKey
            let id = try store.grant(namespace: "grupo", key: writer, role: .writer)
            let members = try store.members(namespace: "grupo")
            #expect(members.count == 3)
            #expect(members[0].key == info.id && members[0].isRoot && members[0].role == .admin)
            let me = try #require(members.first { $0.key == store.nodeKey.publicKey.bytes })
            #expect(me.role == .admin && me.grantedBy == info.id)
            let w = try #require(members.first { $0.key == writer.bytes })
            #expect(w.role == .writer && w.grantedBy == store.nodeKey.publicKey.bytes && w.changeset == id.hex)
            #expect(throws: StoreError.self) { _ = try store.members(namespace: "otro") }
        }
    }

    @Test func aJointNamespaceStartsWithSeveralAdmins() throws {
        try withTemporaryStore { store in
            let allies = [try Ed25519PrivateKey().publicKey, try Ed25519PrivateKey().publicKey]
            let info = try store.createNamespace(name: "alianza", admins: allies + [store.nodeKey.publicKey])
            let members = try store.members(namespace: "alianza")
            let admins = Set(members.filter { $0.role == .admin && !$0.isRoot }.map(\.key))
            #expect(admins == Set(allies.map(\.bytes) + [store.nodeKey.publicKey.bytes]))
            #expect(members.filter { !$0.isRoot }.allSatisfy { $0.grantedBy == info.id })
            // All in the namespace's first changeset.
            #expect(try store.log().count == 1)
        }
    }
}
