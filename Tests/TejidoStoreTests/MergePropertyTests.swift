import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoTestSupport

/// The merge laws as a property: stores that receive the same changesets, in any order, in any
/// batches, with duplicates, end with byte-identical state digests.
@Suite struct MergePropertyTests {
    static let seeds = 500

    @Test func anyDeliveryOrderGivesTheSameDigest() throws {
        var nonEmpty = 0
        for seed in 0..<Self.seeds {
            if try Self.check(seed: UInt64(seed)) { nonEmpty += 1 }
        }
        // The generator must produce real data, or equal digests would prove nothing.
        #expect(nonEmpty > Self.seeds * 3 / 4)
    }

    /// Returns whether the converged state holds any visible record.
    static func check(seed: UInt64) throws -> Bool {
        var rng = SeededRandom(seed: seed)
        let network = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let factory = try ChangesetFactory(network: network, rng: &rng)
        var authors: [Ed25519PrivateKey] = []
        for _ in 0..<rng.int(2..<4) { authors.append(try factory.addAuthor(rng: &rng)) }
        let late = try factory.addAuthor(rng: &rng)  // granted only later, by a second root changeset
        let base: UInt64 = 1_764_000_000_000
        try factory.genesis(name: "ns", grants: authors.map { ($0.publicKey, Role.writer) }, hlc: HLC(milliseconds: base, counter: 0))

        var adds: [(RecordKey, String, Value, OpRef)] = []
        var lateGranted = false
        for _ in 0..<rng.int(6..<16) {
            if !lateGranted && rng.chance(0.15) {
                try factory.make(by: factory.root, ops: [.grant(key: late.publicKey.bytes, role: .writer)],
                                 hlc: HLC(milliseconds: base + UInt64(rng.int(1..<30)), counter: 0),
                                 // An honest admin's store lists no quarantined changeset among its heads.
                                 deps: factory.otherHeads(than: factory.root, excluding: [late]))
                lateGranted = true
                continue
            }
            let author = rng.chance(0.2) ? late : authors[rng.int(0..<authors.count)]
            var ops: [Op] = []
            var localAdds: [(RecordKey, String, Value, Int)] = []
            for i in 0..<rng.int(1..<6) {
                let record = RecordKey(collection: ["events", "people"][rng.int(0..<2)], id: "r\(rng.int(0..<4))")
                let field = ["title", "status", "count", "tags"][rng.int(0..<4)]
                switch rng.int(0..<10) {
                case 0..<4: ops.append(.set(record, field: field, value: randomValue(&rng)))
                case 4: ops.append(.delete(record))
                case 5, 6: ops.append(.counterAdd(record, field: "signatures", delta: Int64(rng.int(-3..<6))))
                case 7, 8:
                    let element = Value.text(["agua", "maiz", "radio"][rng.int(0..<3)])
                    ops.append(.setAdd(record, field: "tags", element: element))
                    localAdds.append((record, "tags", element, i))
                default:
                    let element = Value.text(["agua", "maiz", "radio"][rng.int(0..<3)])
                    let seen = adds.filter { $0.0 == record && $0.2 == element && rng.chance(0.7) }.map(\.3)
                    ops.append(.setRemove(record, field: "tags", element: element, observed: seen))
                }
            }
            // Concurrent (no deps) or after everything made so far; clocks that tie, jump and go back.
            // Until the late author is granted, honest stores hold its changesets in quarantine, not as heads.
            let deps = rng.chance(0.5) ? factory.otherHeads(than: author, excluding: lateGranted ? [] : [late]) : []
            let hlc = HLC(milliseconds: base + UInt64(rng.int(1..<40)), counter: UInt16(rng.int(0..<2)))
            let env = try factory.make(by: author, ops: ops, hlc: hlc, deps: deps)
            for (r, f, v, i) in localAdds { adds.append((r, f, v, OpRef(changeset: env.id, index: UInt64(i)))) }
        }
        if !lateGranted {
            try factory.make(by: factory.root, ops: [.grant(key: late.publicKey.bytes, role: .writer)],
                             hlc: HLC(milliseconds: base + 50, counter: 0), deps: [])
        }

        let all = factory.made.map(\.bytes)
        var digests: [[UInt8]] = []
        var visible = false
        for replica in 0..<rng.int(3..<6) {
            var delivery = all
            if replica > 0 {
                delivery.shuffle(using: &rng)
                for _ in 0..<rng.int(0..<(all.count / 3 + 1)) { delivery.insert(all[rng.int(0..<all.count)], at: rng.int(0..<delivery.count)) }
            }
            let digest = try withTemporaryStore(network: network) { store -> [UInt8] in
                var rest = delivery[...]
                while !rest.isEmpty {
                    let n = rng.int(1..<5)
                    _ = try store.receive(batch: Array(rest.prefix(n)))
                    rest = rest.dropFirst(n)
                }
                let counts = try store.changesetCounts()
                #expect(counts.applied == all.count, "seed \(seed) replica \(replica): \(counts)")
                #expect(counts.pending == 0 && counts.quarantined == 0, "seed \(seed) replica \(replica): \(counts)")
                if replica == 0 { visible = try store.namespaces().contains { $0.records > 0 } }
                return try store.stateDigest()
            }
            digests.append(digest)
        }
        #expect(Set(digests.map { Hex.encode($0) }).count == 1, "seed \(seed): digests differ")
        return visible
    }

    static func randomValue(_ rng: inout SeededRandom) -> Value {
        switch rng.int(0..<6) {
        case 0: .null
        case 1: .bool(rng.chance(0.5))
        case 2: .int(Int64(rng.int(-5..<5)))
        case 3: .float(Double(rng.int(-8..<8)) / 4)
        case 4: .text(["abierto", "cerrado", "Asamblea"][rng.int(0..<3)])
        default: .bytes([UInt8(rng.int(0..<256))])
        }
    }
}
