import Foundation

/// The row ids of records one connection has looked up, by namespace, collection and id: the
/// merge asks for one on nearly every op, so this is a flat open-addressing table rather than a
/// `Dictionary` keyed by two strings.
///
/// - Keys are compared by their UTF-8 bytes, as SQLite compares them: Swift's `String` equality
///   would take "é" and "e" followed by a combining accent for one record, which are two in the
///   database.
/// - Each key is hashed once per lookup with the standard library's `Hasher` (seeded at random
///   per process), so a peer cannot choose record ids that all land in one probe chain.
/// - The key bytes live in one growing buffer; entries hold offsets into it.
struct RecordIndex {
    /// A record's row and whether it is known to hold a write.
    struct Slot: Equatable {
        var rec: Int64
        var written: Bool
    }

    /// Where a key is, or where it would go: from `lookup`, for `set`.
    struct Probe {
        fileprivate let hash: Int
        fileprivate let position: Int
        fileprivate let entry: Int32
        /// The slot if the key is present.
        let slot: Slot?
    }

    private struct Entry {
        let hash: Int
        let ns: Int64
        let start: Int
        let collectionCount: Int32
        let idCount: Int32
        var slot: Slot
    }

    private var table = [Int32](repeating: -1, count: 1024)
    private var entries: [Entry] = []
    private var bytes: [UInt8] = []

    var count: Int { entries.count }

    mutating func removeAll() {
        table = [Int32](repeating: -1, count: 1024)
        entries.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Finds a key, or the place it would take.
    func lookup(ns: Int64, collection: String, id: String) -> Probe {
        var c = collection, i = id
        return c.withUTF8 { cb in
            i.withUTF8 { ib in
                var h = Hasher()
                h.combine(ns)
                h.combine(bytes: UnsafeRawBufferPointer(cb))
                h.combine(0xFF as UInt8)
                h.combine(bytes: UnsafeRawBufferPointer(ib))
                let hash = h.finalize()
                let mask = table.count - 1
                var p = hash & mask
                return table.withUnsafeBufferPointer { t in
                    entries.withUnsafeBufferPointer { e in
                        bytes.withUnsafeBufferPointer { b in
                            while true {
                                let k = t[p]
                                if k < 0 { return Probe(hash: hash, position: p, entry: -1, slot: nil) }
                                let x = e[Int(k)]
                                if x.hash == hash && x.ns == ns && Int(x.collectionCount) == cb.count && Int(x.idCount) == ib.count
                                    && Self.equal(b, x.start, cb) && Self.equal(b, x.start + cb.count, ib)
                                {
                                    return Probe(hash: hash, position: p, entry: k, slot: x.slot)
                                }
                                p = (p + 1) & mask
                            }
                        }
                    }
                }
            }
        }
    }

    /// Stores `slot` for the key of `probe`, which must come from the latest `lookup` of that key
    /// with no change to the index in between.
    mutating func set(_ probe: Probe, ns: Int64, collection: String, id: String, slot: Slot) {
        if probe.entry >= 0 {
            entries[Int(probe.entry)].slot = slot
            return
        }
        let start = bytes.count
        bytes.append(contentsOf: collection.utf8)
        bytes.append(contentsOf: id.utf8)
        entries.append(Entry(
            hash: probe.hash, ns: ns, start: start, collectionCount: Int32(bytes.count - start - id.utf8.count),
            idCount: Int32(id.utf8.count), slot: slot))
        table[probe.position] = Int32(entries.count - 1)
        if entries.count * 2 > table.count { grow() }
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: -1, count: table.count * 2)
        let mask = bigger.count - 1
        for (k, e) in entries.enumerated() {
            var p = e.hash & mask
            while bigger[p] >= 0 { p = (p + 1) & mask }
            bigger[p] = Int32(k)
        }
        table = bigger
    }

    private static func equal(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        key.isEmpty || memcmp(b.baseAddress! + start, key.baseAddress!, key.count) == 0
    }
}
