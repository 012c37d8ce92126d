import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
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

    @Test func aCompleteListReplacesWhatWasKnown() throws {
        try withTemporaryStore { store in
            let peer = try Ed25519PrivateKey().publicKey.bytes
            let ns = [UInt8](repeating: 7, count: 32)
            let author = [UInt8](repeating: 1, count: 32)
            try store.recordPeer(key: peer, url: nil, heads: [ns: [author: 9]], sent: 0, received: 0, completed: true)
            // Heads only move forward, unless the list is complete.
            try store.recordPeer(key: peer, url: nil, heads: [ns: [author: 3]], sent: 0, received: 0, completed: true)
            #expect(try store.knownHeads(peer: peer)[ns]?[author] == 9)
            try store.recordPeer(key: peer, url: nil, heads: [ns: [author: 3]], exact: [ns], sent: 0, received: 0, completed: true)
            #expect(try store.knownHeads(peer: peer)[ns]?[author] == 3)
        }
    }
}
