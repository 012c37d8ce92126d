import Foundation
import Testing
import TejidoCore
import TejidoCrypto
@testable import TejidoStore
import TejidoTestSupport

/// What a store records about what a peer holds: claims from a peer cannot trap a count, and a
/// complete list replaces an older one (a restored peer holds less than before).
@Suite struct PeerKnowledgeTests {
    @Test func hugeClaimedSeqsSaturateInsteadOfTrapping() throws {
        try withTemporaryStore { store in
            let peer = try Ed25519PrivateKey().publicKey.bytes
            try store.addPeer(name: "p", url: "/x", key: peer, share: nil)
            let ns = [UInt8](repeating: 7, count: 32)
            let heads: [[UInt8]: UInt64] = [[UInt8](repeating: 1, count: 32): UInt64(Int64.max), [UInt8](repeating: 2, count: 32): UInt64(Int64.max)]
            try store.recordPeer(key: peer, url: nil, heads: [ns: heads], sent: 0, received: 0, completed: false)
            let info = try #require(try store.peer(named: "p"))
            #expect(info.toReceive == Int.max)
        }
    }

    /// A peer with no key known (none pinned, no sync yet) has no count of what waits for it:
    /// what it may be offered depends on its key. Unknown, not zero.
    @Test func aPeerWithoutAKeyHasNoCount() throws {
        try withTemporaryStore { store in
            _ = try store.createNamespace(name: "coop")
            try store.addPeer(name: "sin-llave", url: "/x", key: nil, share: nil)
            try store.addPeer(name: "con-llave", url: "/y", key: try Ed25519PrivateKey().publicKey.bytes, share: nil)
            let unknown = try #require(try store.peer(named: "sin-llave"))
            #expect(unknown.toSend == nil && unknown.toReceive == nil)
            let pinned = try #require(try store.peer(named: "con-llave"))
            #expect(pinned.toSend == 1 && pinned.toReceive == 0)
        }
    }

    /// A share list names namespaces by id: renaming them here, or another namespace taking a
    /// shared one's name, changes nothing of what the peer is offered; an unknown name is refused
    /// when the peer is added.
    @Test func aShareListFollowsTheNamespaceNotItsName() throws {
        try withTemporaryStore { store in
            let peer = try Ed25519PrivateKey().publicKey.bytes
            let coop = try store.createNamespace(name: "coop").id
            _ = try store.createNamespace(name: "salud")
            try store.addPeer(name: "q", url: "/x", key: peer, share: ["coop"])
            try store.setPetname(namespace: "coop", to: "coop-a")
            try store.setPetname(namespace: "salud", to: "coop")
            #expect(try store.sharedNamespaces(forPeer: "q") == [coop])
            #expect(try store.sharedNamespaces(forPeerKey: peer) == [coop])
            #expect(throws: StoreError.self) { try store.addPeer(name: "r", url: "/x", key: nil, share: ["nada"]) }
            #expect(try store.peer(named: "r") == nil)
        }
    }

    /// What is waiting to be sent to a peer counts only what a sync would send it: a private
    /// namespace its key holds no role in is never offered, so it is not waiting either.
    @Test func privateNamespacesCountOnlyForKeysWithARole() throws {
        try withTemporaryStore { store in
            let peer = try Ed25519PrivateKey().publicKey
            try store.addPeer(name: "p", url: "/x", key: peer.bytes, share: nil)
            _ = try store.createNamespace(name: "abierto")
            _ = try store.createNamespace(name: "cerrado", isPrivate: true)
            _ = try store.put(namespace: "cerrado", record: RecordKey(collection: "c", id: "1"), fields: [("v", .int(1))])
            // One changeset in the public namespace; two in the private one.
            #expect(try store.waiting(peer: peer.bytes).toSend == 1)
            _ = try store.grant(namespace: "cerrado", key: peer, role: .reader)
            #expect(try store.waiting(peer: peer.bytes).toSend == 1 + 3)
        }
    }

    @Test func aCompleteListReplacesWhatWasKnown() throws {
        try withTemporaryStore { store in
            let peer = try Ed25519PrivateKey().publicKey.bytes
            // A namespace this store holds: those it does not hold follow the rule below.
            let ns = try store.createNamespace(name: "grupo").id
            let author = [UInt8](repeating: 1, count: 32)
            try store.recordPeer(key: peer, url: nil, heads: [ns: [author: 9]], sent: 0, received: 0, completed: true)
            // Heads only move forward, unless the list is complete.
            try store.recordPeer(key: peer, url: nil, heads: [ns: [author: 3]], sent: 0, received: 0, completed: true)
            #expect(try store.knownHeads(peer: peer)[ns]?[author] == 9)
            try store.recordPeer(key: peer, url: nil, heads: [ns: [author: 3]], exact: [ns], sent: 0, received: 0, completed: true)
            #expect(try store.knownHeads(peer: peer)[ns]?[author] == 3)
        }
    }

    /// What a peer holds of namespaces this store lacks only feeds `status`, and a peer may name
    /// any number of them: each record replaces what was known of them, within a bound.
    @Test func namespacesNotHeldHereAreReplacedAndBounded() throws {
        try withTemporaryStore { store in
            let peer = try Ed25519PrivateKey().publicKey.bytes
            try store.addPeer(name: "p", url: "/x", key: peer, share: nil)
            func lacking(_ n: Int, tag: UInt8) -> [[UInt8]: [[UInt8]: UInt64]] {
                var out: [[UInt8]: [[UInt8]: UInt64]] = [:]
                for i in 0..<n {
                    let ns = [tag, UInt8(i >> 8), UInt8(i & 0xff)] + [UInt8](repeating: 0, count: 29)
                    out[ns] = Dictionary(uniqueKeysWithValues: (0..<100).map { a in ([tag, UInt8(a)] + [UInt8](repeating: 0, count: 30), UInt64(5)) })
                }
                return out
            }
            try store.recordPeer(key: peer, url: nil, heads: lacking(1_500, tag: 1), sent: 0, received: 0, completed: true)
            var known = try store.knownHeads(peer: peer)
            #expect(known.values.reduce(0) { $0 + $1.count } == Store.maxUnheldHeadsPerPeer)
            try store.recordPeer(key: peer, url: nil, heads: lacking(3, tag: 2), sent: 0, received: 0, completed: true)
            known = try store.knownHeads(peer: peer)
            #expect(known.count == 3 && known.keys.allSatisfy { $0[0] == 2 })
            #expect(try store.waiting(peer: peer).toReceive == 3 * 100 * 5)
        }
    }

    /// A key no named peer has (any client of `serve --allow any`) keeps fewer heads, those of
    /// namespaces held here first.
    @Test func anUnnamedKeyKeepsABoundedNumberOfHeads() throws {
        try withTemporaryStore { store in
            let peer = try Ed25519PrivateKey().publicKey.bytes
            let held = try store.createNamespace(name: "grupo").id
            var heads: [[UInt8]: [[UInt8]: UInt64]] = [:]
            heads[held] = Dictionary(uniqueKeysWithValues: (0..<10).map { a in ([9, UInt8(a)] + [UInt8](repeating: 0, count: 30), UInt64(4)) })
            for i in 0..<50 {
                let ns = [1, UInt8(i)] + [UInt8](repeating: 0, count: 30)
                heads[ns] = Dictionary(uniqueKeysWithValues: (0..<100).map { a in ([1, UInt8(a)] + [UInt8](repeating: 0, count: 30), UInt64(5)) })
            }
            try store.recordPeer(key: peer, url: nil, heads: heads, sent: 0, received: 0, completed: true)
            let known = try store.knownHeads(peer: peer)
            #expect(known.values.reduce(0) { $0 + $1.count } == Store.maxHeadsPerUnnamedPeer)
            #expect(known[held]?.count == 10, "heads of a namespace held here go first")
        }
    }

    /// Unnamed keys are kept for the most recent syncs only; named peers are never dropped.
    @Test func atMostSoManyUnnamedKeysAreKept() throws {
        try withTemporaryStore { store in
            let ns = try store.createNamespace(name: "grupo").id
            let author = [UInt8](repeating: 1, count: 32)
            let named = try Ed25519PrivateKey().publicKey.bytes
            try store.addPeer(name: "amiga", url: "/x", key: named, share: nil)
            var clock: UInt64 = 1_764_000_000_000
            store.now = { clock }
            try store.recordPeer(key: named, url: nil, heads: [ns: [author: 1]], sent: 0, received: 0, completed: true)
            var keys: [[UInt8]] = []
            for i in 0..<(Store.maxUnnamedPeers + 10) {
                let key = [UInt8(i >> 8), UInt8(i & 0xff)] + [UInt8](repeating: 3, count: 30)
                keys.append(key)
                clock += 1_000
                try store.recordPeer(key: key, url: nil, heads: [ns: [author: 2]], sent: 0, received: 0, completed: true)
            }
            for (i, key) in keys.enumerated() {
                let kept = i >= 10
                #expect(try store.knownHeads(peer: key).isEmpty != kept, "key \(i)")
            }
            #expect(try store.knownHeads(peer: named)[ns]?[author] == 1)
            let unnamed = try store.db.scalar("SELECT count(*) FROM peer_state WHERE key NOT IN (SELECT key FROM peers WHERE key IS NOT NULL)")
            #expect(unnamed == .integer(Int64(Store.maxUnnamedPeers)))
        }
    }
}
