import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoTestSupport

/// Revocation on real stores, with changesets crafted outside the write path: every arrival order
/// ends in the same state, changesets past a cut-off are quarantined (never dropped), and a
/// revocation that arrives after what it cuts takes the cut changesets back.
@Suite struct RevocationTests {
    let base: UInt64 = 1_764_000_000_000
    let rec = RecordKey(collection: "c", id: "1")

    struct World {
        let f: ChangesetFactory
        let admin: Ed25519PrivateKey
        let writer: Ed25519PrivateKey
        let stranger: Ed25519PrivateKey
    }

    /// The root makes `admin` an admin and `writer` a writer; the writer writes v = 1, 2, 3, 4.
    func world(seed: UInt64) throws -> World {
        var rng = SeededRandom(seed: seed)
        let network = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let f = try ChangesetFactory(network: network, rng: &rng)
        let admin = try f.addAuthor(rng: &rng)
        let writer = try f.addAuthor(rng: &rng)
        let stranger = try f.addAuthor(rng: &rng)
        try f.genesis(name: "grupo", grants: [(admin.publicKey, .admin), (writer.publicKey, .writer)], hlc: HLC(milliseconds: base, counter: 0))
        for i in 1...4 {
            try f.make(by: writer, ops: [.set(rec, field: "v", value: .int(Int64(i)))], hlc: HLC(milliseconds: base + UInt64(i), counter: 0), deps: [])
        }
        return World(f: f, admin: admin, writer: writer, stranger: stranger)
    }

    func ms(_ n: UInt64) -> HLC { HLC(milliseconds: base + n, counter: 0) }

    /// Feeds `all` to fresh stores in several orders (as made, reversed, and shuffled); each store
    /// must pass `verify` and satisfy `check`, and all must end with one digest.
    func converge(_ w: World, _ all: [ChangesetEnvelope], check: (Store) throws -> Void) throws {
        var rng = SeededRandom(seed: 7)
        var orders = [all, all.reversed()]
        for _ in 0..<4 { orders.append(all.shuffled(using: &rng)) }
        var digests: Set<[UInt8]> = []
        for order in orders {
            try withTemporaryStore(network: w.f.network, clock: base + 100_000) { store in
                for env in order { _ = try store.receive(env.bytes) }
                let report = try store.verify()
                #expect(report.ok, "\(report.problems)")
                try check(store)
                digests.insert(try store.stateDigest())
            }
        }
        #expect(digests.count == 1, "stores disagree after different arrival orders")
    }

    func v(_ store: Store) throws -> Value? {
        if case .value(let v)? = try store.get(namespace: "grupo", record: rec)?.fields["v"] { return v }
        return nil
    }

    @Test func writesByARevokedKeyPastItsCutoffAreQuarantinedInEveryOrder() throws {
        let w = try world(seed: 1)
        // The laptop was stolen after seq 2: the admin cuts it there, though seq 3 and 4 exist.
        try w.f.make(by: w.admin, ops: [.revoke(key: w.writer.publicKey.bytes, after: 2)], hlc: ms(10), deps: [])
        try converge(w, w.f.made) { (store: Store) throws in
            #expect(try v(store) == .int(2))
            let held = try store.quarantined()
            #expect(held.count == 2 && held.allSatisfy { $0.reason.hasPrefix("revoked: past the author's cut-off seq 2") }, "\(held.map(\.reason))")
        }
    }

    @Test func aRevocationArrivingLastTakesBackWhatItCuts() throws {
        let w = try world(seed: 2)
        let revocation = try w.f.make(by: w.admin, ops: [.revoke(key: w.writer.publicKey.bytes, after: 1)], hlc: ms(10), deps: [])
        try withTemporaryStore(network: w.f.network, clock: base + 100_000) { store in
            for env in w.f.made.dropLast() { _ = try store.receive(env.bytes) }
            #expect(try v(store) == .int(4))
            #expect(try store.receive(revocation.bytes) == .applied)
            #expect(try v(store) == .int(1))
            #expect(try store.changesetCounts().quarantined == 3)
            #expect(try store.verify().ok)
            let members = try store.members(namespace: "grupo")
            let cut = try #require(members.first { $0.key == w.writer.publicKey.bytes })
            #expect(cut.cutoff == 1 && cut.revokedBy == w.admin.publicKey.bytes && cut.role == .writer)
        }
    }

    /// A revocation by a key that is not an admin yet, waiting for its prev, then the grant that
    /// makes its author an admin, then that prev (itself waiting for a changeset never sent), all
    /// in one transaction: the revocation counts once its prev is held, as it does when the same
    /// changesets come one by one, and what it cuts is taken back on both stores.
    @Test func aRevocationWaitingInsideOneBatchCountsAsWhenItComesAlone() throws {
        let w = try world(seed: 5)
        let never = try w.f.make(by: w.admin, ops: [.set(rec, field: "otro", value: .int(0))], hlc: ms(5), deps: [])
        let grant = try w.f.make(by: w.f.root, ops: [.grant(key: w.stranger.publicKey.bytes, role: .admin)], hlc: ms(6), deps: [])
        let first = try w.f.make(by: w.stranger, ops: [.set(rec, field: "nota", value: .int(1))], hlc: ms(7), deps: [never.id])
        let revocation = try w.f.make(by: w.stranger, ops: [.revoke(key: w.writer.publicKey.bytes, after: 0)], hlc: ms(8), deps: [])
        let before = w.f.made.filter { ![never.id, grant.id, first.id, revocation.id].contains($0.id) }
        var digests: [[UInt8]] = []
        for batched in [true, false] {
            try withTemporaryStore(network: w.f.network, clock: base + 100_000) { store in
                for env in before { _ = try store.receive(env.bytes) }
                #expect(try v(store) == .int(4))
                if batched {
                    _ = try store.receive(batch: [revocation.bytes, grant.bytes, first.bytes])
                } else {
                    for env in [grant, first, revocation] { _ = try store.receive(env.bytes) }
                }
                #expect(try v(store) == nil, "batched: \(batched)")
                #expect(try store.verify().ok)
                digests.append(try store.stateDigest())
            }
        }
        #expect(digests[0] == digests[1])
    }

    @Test func aGrantChainThroughARevokedAdminIsCut() throws {
        let w = try world(seed: 3)
        // The admin names itself (seq 1), then, at seq 2, grants a stranger writer; the stranger writes.
        try w.f.make(by: w.admin, ops: [.name("grupo")], hlc: ms(5), deps: [])
        let chained = try w.f.make(by: w.admin, ops: [.grant(key: w.stranger.publicKey.bytes, role: .writer)], hlc: ms(6), deps: [])
        try w.f.make(by: w.stranger, ops: [.set(rec, field: "x", value: .int(9))], hlc: ms(7), deps: [chained.id])
        // The root revokes the admin after its seq 1.
        try w.f.make(by: w.f.root, ops: [.revoke(key: w.admin.publicKey.bytes, after: 1)], hlc: ms(20), deps: [])
        try converge(w, w.f.made) { (store: Store) throws in
            let held = try store.quarantined()
            #expect(held.contains { $0.id == chained.id.hex && $0.reason.hasPrefix("revoked") }, "\(held.map(\.reason))")
            #expect(held.contains { $0.reason.hasPrefix("unauthorized: author holds no role") })
            #expect(try store.get(namespace: "grupo", record: rec)?.fields["x"] == nil)
            #expect(try v(store) == .int(4))
        }
    }

    @Test func twoAdminsRevokingEachOtherEndTheSameOnEveryStore() throws {
        let w = try world(seed: 4)
        let other = w.writer  // made admin below
        try w.f.make(by: w.f.root, ops: [.grant(key: other.publicKey.bytes, role: .admin)], hlc: ms(8), deps: [])
        // Concurrent: neither saw the other's revocation. The admin's is stamped first and wins.
        try w.f.make(by: w.admin, ops: [.revoke(key: other.publicKey.bytes, after: 4)], hlc: ms(30), deps: [])
        try w.f.make(by: other, ops: [.revoke(key: w.admin.publicKey.bytes, after: 0)], hlc: ms(31), deps: [])
        try w.f.make(by: other, ops: [.set(rec, field: "v", value: .int(50))], hlc: ms(32), deps: [])
        try converge(w, w.f.made) { (store: Store) throws in
            #expect(try v(store) == .int(4))
            let held = try store.quarantined()
            #expect(held.count == 2 && held.allSatisfy { $0.reason.hasPrefix("revoked: past the author's cut-off seq 4") }, "\(held.map(\.reason))")
        }
    }

    @Test func reGrantingARevokedKeyBringsItsFeedBack() throws {
        let w = try world(seed: 5)
        try w.f.make(by: w.admin, ops: [.revoke(key: w.writer.publicKey.bytes, after: 2)], hlc: ms(10), deps: [])
        try w.f.make(by: w.admin, ops: [.grant(key: w.writer.publicKey.bytes, role: .writer)], hlc: ms(11), deps: [])
        try converge(w, w.f.made) { (store: Store) throws in
            #expect(try v(store) == .int(4))
            #expect(try store.quarantined().isEmpty)
        }
    }

    @Test func anOldBundleReplayedAfterARevocationBringsNothingPastTheCutoff() throws {
        let w = try world(seed: 6)
        let revocation = try w.f.make(by: w.admin, ops: [.revoke(key: w.writer.publicKey.bytes, after: 2)], hlc: ms(10), deps: [])
        // The old bundle: everything the writer wrote, made before the revocation existed.
        let old = w.f.made.filter { $0.id != revocation.id && $0.body.author == w.writer.publicKey.bytes }
        #expect(old.count == 4)
        let authority = w.f.made.filter { $0.body.author != w.writer.publicKey.bytes }
        var digests: Set<[UInt8]> = []
        for replays in 1...2 {
            try withTemporaryStore(network: w.f.network, clock: base + 100_000) { store in
                // The store knows of the revocation (and the grants) before the bundle turns up.
                for env in authority { _ = try store.receive(env.bytes) }
                var outcome = BatchOutcome()
                for _ in 0..<replays { outcome.add(try store.receive(envelopes: old.map(\.bytes))) }
                #expect(outcome.applied == 2)
                #expect(try v(store) == .int(2))
                let report = try store.verify()
                #expect(report.ok, "\(report.problems)")
                let held = try store.quarantined()
                #expect(held.count == 2 && held.allSatisfy { $0.author == w.writer.publicKey.bytes && $0.seq > 2 && $0.quarantineReason == .revoked(cutoff: 2, by: KeyText.fingerprint(w.admin.publicKey.bytes)) })
                digests.insert(try store.stateDigest())
            }
        }
        // Replaying it once or twice ends the same, and as a store that saw it all before the revocation.
        try withTemporaryStore(network: w.f.network, clock: base + 100_000) { store in
            for env in w.f.made { _ = try store.receive(env.bytes) }
            digests.insert(try store.stateDigest())
        }
        #expect(digests.count == 1)
    }

    @Test func aLocalRevokeCutsAtTheLastSeqHeldAndMembersShowIt() throws {
        let w = try world(seed: 8)
        try withTemporaryStore(network: w.f.network, clock: base + 100_000) { store in
            for env in w.f.made { _ = try store.receive(env.bytes) }
            // This store's node is made admin by the root (crafted here), then revokes the writer.
            let grant = try w.f.make(by: w.f.root, ops: [.grant(key: store.nodeKey.publicKey.bytes, role: .admin)], hlc: ms(40), deps: [])
            _ = try store.receive(grant.bytes)
            let (_, after) = try store.revoke(namespace: "grupo", key: w.writer.publicKey)
            #expect(after == 4)
            #expect(throws: StoreError.cannotRevokeRoot) { try store.revoke(namespace: "grupo", key: w.f.root.publicKey) }
            // A node revoking its own key must keep the revocation itself (its seq 2) standing.
            let before = try store.stateDigest()
            #expect(throws: StoreError.cannotRevokeSelf(next: 2)) { try store.revoke(namespace: "grupo", key: store.nodeKey.publicKey) }
            #expect(throws: StoreError.cannotRevokeSelf(next: 2)) { try store.revoke(namespace: "grupo", key: store.nodeKey.publicKey, after: 1) }
            #expect(try store.stateDigest() == before)
            let late = try w.f.make(by: w.writer, ops: [.set(rec, field: "v", value: .int(5))], hlc: ms(50), deps: [])
            #expect(try store.receive(late.bytes) == .quarantined("revoked: past the author's cut-off seq 4 (revoked by \(KeyText.fingerprint(store.nodeKey.publicKey.bytes)))"))
            #expect(try v(store) == .int(4))
        }
    }

    /// `namespaces()` shows this node's role as it stands now, even when another connection (another
    /// process) changed it after this one had computed the namespace's roles.
    @Test func myRoleIsReadAfreshAfterAnotherConnectionRevokesIt() throws {
        try withTemporaryDirectory { dir in
            let first = try Store.create(at: dir.appendingPathComponent("s"))
            _ = try first.createNamespace(name: "grupo")
            _ = try first.put(namespace: "grupo", record: rec, fields: [("v", .int(1))])
            #expect(try first.namespaces().first?.myRole == .admin)
            let second = try Store.open(at: dir.appendingPathComponent("s"))
            // The node cuts its own feed after the revocation itself (seq 2): no role for seq 3 on.
            _ = try second.revoke(namespace: "grupo", key: second.nodeKey.publicKey, after: 2)
            #expect(try first.namespaces().first?.myRole == nil)
        }
    }
}
