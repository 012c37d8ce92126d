import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoTestSupport

/// Changesets crafted outside the normal write path against who may write where, one case each
/// (the revocation cases are in RevocationTests): the outcome, that honest stores still agree,
/// and that `verify` and the quarantine list name what happened.
@Suite struct AuthorityHostileTests {
    let base: UInt64 = 1_764_000_000_000
    let rec = RecordKey(collection: "c", id: "1")

    struct World {
        let f: ChangesetFactory
        let writer: Ed25519PrivateKey
        let stranger: Ed25519PrivateKey
        let honest: [ChangesetEnvelope]
    }

    /// A namespace where `writer` writes honestly, and a key that holds no role.
    func world(seed: UInt64) throws -> World {
        var rng = SeededRandom(seed: seed)
        let network = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let f = try ChangesetFactory(network: network, rng: &rng)
        let writer = try f.addAuthor(rng: &rng)
        let stranger = try f.addAuthor(rng: &rng)
        try f.genesis(name: "grupo", grants: [(writer.publicKey, .writer)], hlc: HLC(milliseconds: base, counter: 0))
        for i in 0..<3 {
            try f.make(by: writer, ops: [.set(rec, field: "v", value: .int(Int64(i)))], hlc: HLC(milliseconds: base + UInt64(i) + 1, counter: 0),
                       deps: [])
        }
        return World(f: f, writer: writer, stranger: stranger, honest: f.made)
    }

    /// Two honest stores take the honest changesets and the hostile ones, in opposite orders, and
    /// must end equal, with the honest data whole.
    func check(_ w: World, hostile: [ChangesetEnvelope], expectQuarantine reason: String?) throws {
        var digests: [[UInt8]] = []
        for order in [w.honest + hostile, hostile.reversed() + w.honest.reversed()] {
            try withTemporaryStore(network: w.f.network, clock: base + 10_000) { store in
                for env in order {
                    do { _ = try store.receive(env.bytes) } catch StoreError.invalidChangeset {
                    } catch StoreError.wrongNetwork {}
                }
                #expect(try store.get(namespace: "grupo", record: rec)?.fields["v"] == .value(.int(2)), "honest data lost")
                let report = try store.verify()
                #expect(report.ok)
                if let reason {
                    let held = try store.quarantined()
                    #expect(held.contains { $0.reason.hasPrefix(reason) }, "expected a quarantine for \(reason), got \(held.map(\.reason))")
                }
                digests.append(try store.stateDigest())
            }
        }
        #expect(digests[0] == digests[1], "honest stores disagree")
    }

    @Test("a signed namespace name that reads as an id is not taken as the name", arguments: [0, 1])
    func aNameThatReadsAsAnIDIsIgnored(form: Int) throws {
        var rng = SeededRandom(seed: 41)
        let network = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        // A valid name starts with a letter: the hex form needs a root whose first digit is one.
        var other = try ChangesetFactory(network: network, rng: &rng)
        while form == 1 && !Hex.encode(other.namespace).first!.isLetter { other = try ChangesetFactory(network: network, rng: &rng) }
        let spoof = try ChangesetFactory(network: network, rng: &rng)
        // The spoofing namespace is named after the other one's id, in either form an id takes.
        let otherID = form == 0 ? Bech32.encode(prefix: KeyText.namespacePrefix, bytes: other.namespace) : Hex.encode(other.namespace)
        #expect(Names.isValidName(otherID), "the format itself accepts it as a name")
        try other.genesis(name: "grupo", grants: [], hlc: HLC(milliseconds: base, counter: 0))
        try other.make(by: other.root, ops: [.set(rec, field: "v", value: .text("real"))], hlc: HLC(milliseconds: base + 1, counter: 0), deps: [])
        try spoof.genesis(name: otherID, grants: [], hlc: HLC(milliseconds: base, counter: 0))
        try spoof.make(by: spoof.root, ops: [.set(rec, field: "v", value: .text("spoof"))], hlc: HLC(milliseconds: base + 1, counter: 0), deps: [])
        var digests: [[UInt8]] = []
        for order in [spoof.made + other.made, other.made.reversed() + spoof.made.reversed()] {
            try withTemporaryStore(network: network, clock: base + 10_000) { store in
                for env in order { _ = try store.receive(env.bytes) }
                let names = try store.namespaces().map { ($0.id, $0.name) }
                #expect(names.count == 2)
                #expect(names.first { $0.0 == spoof.namespace }?.1 == nil, "the id-like name was taken")
                #expect(names.first { $0.0 == other.namespace }?.1 == "grupo")
                // The id finds the namespace it names, whatever the other calls itself.
                #expect(try store.resolveNamespace(otherID).root == other.namespace)
                #expect(try store.get(namespace: otherID, record: rec)?.fields["v"] == .value(.text("real")))
                #expect(try store.verify().ok)
                digests.append(try store.stateDigest())
            }
        }
        #expect(digests[0] == digests[1])
    }

    @Test func aWriteByANonMemberIsQuarantined() throws {
        let w = try world(seed: 1)
        let bad = try w.f.make(by: w.stranger, ops: [.set(rec, field: "v", value: .int(99))], hlc: HLC(milliseconds: base + 50, counter: 0), deps: [])
        try check(w, hostile: [bad], expectQuarantine: "unauthorized: author holds no role")
    }

    @Test func aGrantByAWriterIsQuarantined() throws {
        let w = try world(seed: 2)
        let bad = try w.f.make(by: w.writer, ops: [.grant(key: w.stranger.publicKey.bytes, role: .admin)], hlc: HLC(milliseconds: base + 50, counter: 0),
                               deps: [])
        try check(w, hostile: [bad], expectQuarantine: "unauthorized: author is writer, needs admin")
    }

    @Test func aForkStopsTheFeedOnEveryStoreWhateverArrivedFirst() throws {
        let w = try world(seed: 3)
        // A second changeset at the writer's seq 3, signed by the writer's real key.
        let seq3 = w.honest.last!
        let forkBody = ChangesetBody(network: w.f.network, namespace: w.f.namespace, author: w.writer.publicKey.bytes, seq: 3,
                                     prev: seq3.body.prev, deps: [], hlc: HLC(milliseconds: base + 60, counter: 0),
                                     ops: [.set(rec, field: "v", value: .int(77))])
        let fork = try ChangesetEnvelope.sign(forkBody, with: w.writer)
        var digests: [[UInt8]] = []
        for order in [w.honest + [fork], [fork] + w.honest.reversed()] {
            try withTemporaryStore(network: w.f.network, clock: base + 10_000) { store in
                for env in order { _ = try store.receive(env.bytes) }
                // Both seq 3 are kept as the proof, neither counts; seq 1 and 2 still do.
                let held = try store.quarantined()
                #expect(held.count == 2 && held.allSatisfy { $0.reason.hasPrefix("fork") }, "\(held.map(\.reason))")
                #expect(try store.get(namespace: "grupo", record: rec)?.fields["v"] == .value(.int(1)))
                #expect(try store.verify().ok)
                digests.append(try store.stateDigest())
            }
        }
        #expect(digests[0] == digests[1])
    }

    @Test func aReplayIntoAnotherNetworkIsRefused() throws {
        let w = try world(seed: 4)
        let other = try world(seed: 5)
        try withTemporaryStore(network: other.f.network) { store in
            #expect(throws: StoreError.wrongNetwork) { try store.receive(w.honest[1].bytes) }
            let counts = try store.changesetCounts()
            #expect(counts.applied + counts.pending + counts.quarantined == 0)
        }
    }

    @Test func aChangesetClaimingAnotherAuthorsKeyIsRefused() throws {
        let w = try world(seed: 6)
        // The writer's key as author, signed by the stranger.
        let body = ChangesetBody(network: w.f.network, namespace: w.f.namespace, author: w.writer.publicKey.bytes, seq: 4,
                                 prev: w.honest.last!.id, deps: [], hlc: HLC(milliseconds: base + 70, counter: 0),
                                 ops: [.set(rec, field: "v", value: .int(66))])
        let forged = try ChangesetEnvelope.sign(body, with: w.stranger)
        try check(w, hostile: [forged], expectQuarantine: nil)
        try withTemporaryStore(network: w.f.network) { store in
            #expect(throws: StoreError.self) { try store.receive(forged.bytes) }
            let counts = try store.changesetCounts()
            #expect(counts.applied + counts.pending + counts.quarantined == 0)
        }
    }

    @Test func depsOnUnknownIdsWaitForeverWithoutHarm() throws {
        let w = try world(seed: 7)
        let ghost = ChangesetID(bytes: [UInt8](repeating: 0xAB, count: 32))!
        let waiting = try w.f.make(by: w.writer, ops: [.set(rec, field: "v", value: .int(55))], hlc: HLC(milliseconds: base + 80, counter: 0),
                                   deps: [ghost])
        try withTemporaryStore(network: w.f.network, clock: base + 10_000) { store in
            for env in w.honest { _ = try store.receive(env.bytes) }
            #expect(try store.receive(waiting.bytes) == .pending(missing: 1))
            #expect(try store.get(namespace: "grupo", record: rec)?.fields["v"] == .value(.int(2)))
            let report = try store.verify()
            #expect(report.ok && report.pending == 1)
        }
    }

    /// One store meets every hostile case at once; `verify` and the held lists name each one with
    /// its own reason, and a store that took everything in the opposite order agrees.
    @Test func aStoreThatMetEveryCaseNamesEachOne() throws {
        var rng = SeededRandom(seed: 40)
        let network = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let f = try ChangesetFactory(network: network, rng: &rng)
        let (admin, writer, revokedWriter, forker, waiter, stranger, chained) = (
            try f.addAuthor(rng: &rng), try f.addAuthor(rng: &rng), try f.addAuthor(rng: &rng), try f.addAuthor(rng: &rng),
            try f.addAuthor(rng: &rng), try f.addAuthor(rng: &rng), try f.addAuthor(rng: &rng))
        func at(_ n: UInt64) -> HLC { HLC(milliseconds: base + n, counter: 0) }
        try f.genesis(name: "grupo", grants: [(admin.publicKey, .admin), (writer.publicKey, .writer), (revokedWriter.publicKey, .writer),
                                              (forker.publicKey, .writer), (waiter.publicKey, .writer)], hlc: at(0))
        try f.make(by: writer, ops: [.set(rec, field: "v", value: .int(1))], hlc: at(1), deps: [])
        try f.make(by: admin, ops: [.set(rec, field: "a", value: .int(1))], hlc: at(2), deps: [])
        let chainGrant = try f.make(by: admin, ops: [.grant(key: chained.publicKey.bytes, role: .writer)], hlc: at(3), deps: [])
        let chainWrite = try f.make(by: chained, ops: [.set(rec, field: "x", value: .int(1))], hlc: at(4), deps: [chainGrant.id])
        try f.make(by: revokedWriter, ops: [.set(rec, field: "r", value: .int(1))], hlc: at(5), deps: [])
        let pastCutoff = try f.make(by: revokedWriter, ops: [.set(rec, field: "r", value: .int(2))], hlc: at(6), deps: [])
        try f.make(by: f.root, ops: [.revoke(key: admin.publicKey.bytes, after: 1), .revoke(key: revokedWriter.publicKey.bytes, after: 1)],
                   hlc: at(20), deps: [])
        let nonMember = try f.make(by: stranger, ops: [.set(rec, field: "v", value: .int(66))], hlc: at(7), deps: [])
        let writerGrant = try f.make(by: writer, ops: [.grant(key: stranger.publicKey.bytes, role: .admin)], hlc: at(8), deps: [])
        let forkOne = try f.make(by: forker, ops: [.set(rec, field: "f", value: .int(1))], hlc: at(9), deps: [])
        let forkTwo = try ChangesetEnvelope.sign(
            ChangesetBody(network: network, namespace: f.namespace, author: forker.publicKey.bytes, seq: 1, prev: nil, deps: [], hlc: at(10),
                          ops: [.set(rec, field: "f", value: .int(2))]), with: forker)
        let ghost = ChangesetID(bytes: [UInt8](repeating: 0xAB, count: 32))!
        let waiting = try f.make(by: waiter, ops: [.set(rec, field: "w", value: .int(1))], hlc: at(11), deps: [ghost])
        let everything = f.made + [forkTwo]

        // Refused outright, never stored: another network's changeset, and one claiming the writer's key.
        let other = try ChangesetFactory(network: [UInt8](repeating: 7, count: 32), rng: &rng)
        let foreign = try other.genesis(name: "otra", grants: [], hlc: at(0))
        let forged = try ChangesetEnvelope.sign(
            ChangesetBody(network: network, namespace: f.namespace, author: writer.publicKey.bytes, seq: 2, prev: f.made[1].id, deps: [],
                          hlc: at(12), ops: [.set(rec, field: "v", value: .int(77))]), with: stranger)

        var digests: [[UInt8]] = []
        for order in [everything, everything.reversed()] {
            try withTemporaryStore(network: network, clock: base + 10_000) { store in
                for env in order { _ = try store.receive(env.bytes) }
                #expect(throws: StoreError.wrongNetwork) { try store.receive(foreign.bytes) }
                #expect(throws: StoreError.self) { try store.receive(forged.bytes) }
                // An old bundle brings the cut changeset again: nothing changes.
                let before = try store.stateDigest()
                #expect(try store.receive(pastCutoff.bytes) == .duplicate)
                #expect(try store.stateDigest() == before)

                let report = try store.verify()
                #expect(report.ok, "\(report.problems)")
                let held = Dictionary(uniqueKeysWithValues: try store.quarantined().map { ($0.id, $0.reason) })
                func reason(_ env: ChangesetEnvelope) -> String { held[env.id.hex] ?? "(not quarantined)" }
                #expect(reason(nonMember).hasPrefix("unauthorized: author holds no role"))
                #expect(reason(writerGrant).hasPrefix("unauthorized: author is writer, needs admin"))
                #expect(reason(pastCutoff).hasPrefix("revoked: past the author's cut-off seq 1"))
                #expect(reason(chainGrant).hasPrefix("revoked: past the author's cut-off seq 1"))
                #expect(reason(chainWrite).hasPrefix("unauthorized: author holds no role"))
                #expect(reason(forkOne).hasPrefix("fork") && reason(forkTwo).hasPrefix("fork"))
                #expect(held.count == 7, "\(held)")
                let pending = try store.pending()
                #expect(pending.count == 1 && pending.first?.id == waiting.id.hex && pending.first?.reason == "waiting for \(ghost.hex)")
                // Nothing honest is lost.
                let fields = try #require(try store.get(namespace: "grupo", record: rec)?.fields)
                #expect(fields["v"] == .value(.int(1)) && fields["a"] == .value(.int(1)) && fields["r"] == .value(.int(1)))
                #expect(fields["x"] == nil && fields["f"] == nil && fields["w"] == nil)
                digests.append(try store.stateDigest())
            }
        }
        #expect(digests[0] == digests[1])
    }
}
