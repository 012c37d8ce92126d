import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoSQLite
import TejidoStore
import TejidoTestSupport

/// A store written before revocation existed (schema 3, with a `grants` table) opens, migrates
/// through 4 and 5, and keeps every role; the grant changesets it already held become inputs of
/// the authority computation.
@Suite struct SchemaMigrationTests {
    @Test func aSchema3StoreKeepsItsRolesAfterMigration() throws {
        try withTemporaryDirectory { dir in
            let writer = try Ed25519PrivateKey()
            let rec = RecordKey(collection: "c", id: "1")
            let digest: [UInt8]
            do {
                let store = try Store.create(at: dir)
                _ = try store.createNamespace(name: "grupo")
                _ = try store.grant(namespace: "grupo", key: writer.publicKey, role: .writer)
                _ = try store.put(namespace: "grupo", record: rec, fields: [("v", .int(1))])
                digest = try store.stateDigest()
            }
            // Put the file back the way schema 3 had it.
            do {
                let db = try SQLiteConnection(path: dir.appendingPathComponent("store.db").path, mode: .readWrite)
                try db.execute(
                    """
                    CREATE TABLE grants(ns INTEGER NOT NULL, key INTEGER NOT NULL, role INTEGER NOT NULL, granted_by INTEGER NOT NULL,
                        cs INTEGER NOT NULL, PRIMARY KEY(ns, key)) WITHOUT ROWID;
                    INSERT INTO grants SELECT ns, key, role, granted_by, grant_cs FROM roles;
                    DROP TABLE roles; DROP TABLE authority_cs; DROP TABLE forks; DROP INDEX changesets_quarantined;
                    PRAGMA user_version = 3;
                    """)
            }
            let store = try Store.open(at: dir)
            let members = try store.members(namespace: "grupo")
            #expect(members.contains { $0.key == writer.publicKey.bytes && $0.role == .writer && $0.cutoff == nil })
            #expect(members.contains { $0.key == store.nodeKey.publicKey.bytes && $0.role == .admin })
            #expect(try store.stateDigest() == digest)
            // The grant changesets were found again: revoking works on the migrated store.
            let (_, after) = try store.revoke(namespace: "grupo", key: writer.publicKey)
            #expect(after == 0)
            _ = try store.put(namespace: "grupo", record: rec, fields: [("v", .int(2))])
            #expect(try store.verify().ok)
        }
    }

    /// A store that merged a namespace name reading as an id, before such names were merged as
    /// none: opening it at schema 6 gives the name the rule gives, and the digest a fresh store has.
    @Test func aNameReadingAsAnIDIsWorkedOutAgain() throws {
        try withTemporaryDirectory { dir in
            let digest: [UInt8]
            let id: [UInt8]
            do {
                let store = try Store.create(at: dir)
                id = try store.createNamespace(name: "grupo").id
                _ = try store.put(namespace: "grupo", record: RecordKey(collection: "c", id: "1"), fields: [("v", .int(1))])
                digest = try store.stateDigest()
            }
            do {
                let db = try SQLiteConnection(path: dir.appendingPathComponent("store.db").path, mode: .readWrite)
                let spoof = Bech32.encode(prefix: KeyText.namespacePrefix, bytes: [UInt8](repeating: 7, count: 32))
                try db.execute("UPDATE namespaces SET name = '\(spoof)', name_stamp = X'FF'; PRAGMA user_version = 5;")
            }
            let store = try Store.open(at: dir)
            #expect(try store.namespaceInfo(id).name == "grupo")
            #expect(try store.stateDigest() == digest)
            #expect(try store.verify().ok)
        }
    }

    /// Share lists written by name (before schema 7) become lists of ids as the names stand when
    /// the store is opened; a name that no namespace holds, or two do, is dropped: the peer is
    /// offered less, never whatever takes that name later.
    @Test func shareListsByNameBecomeIDs() throws {
        try withTemporaryDirectory { dir in
            let coop: [UInt8]
            do {
                let store = try Store.create(at: dir)
                coop = try store.createNamespace(name: "coop").id
                _ = try store.createNamespace(name: "salud")
                _ = try store.createNamespace(name: "salud2")
                try store.setPetname(namespace: "salud2", to: "salud")
                try store.addPeer(name: "q", url: "/x", key: nil, share: ["coop"])
            }
            do {
                let db = try SQLiteConnection(path: dir.appendingPathComponent("store.db").path, mode: .readWrite)
                try db.execute("UPDATE peers SET share = 'coop,salud,nada'; PRAGMA user_version = 6;")
            }
            let store = try Store.open(at: dir)
            let coopID = Bech32.encode(prefix: KeyText.namespacePrefix, bytes: coop)
            #expect(try store.peer(named: "q")?.share == [coopID])
            #expect(try store.sharedNamespaces(forPeer: "q") == [coop])
        }
    }
}
