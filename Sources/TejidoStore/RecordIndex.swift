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
/// - A lookup is bound by memory latency, not by instructions: each place is one 64-byte cache
///   line holding the hash, the row, and the key bytes when they fit in 32 (as the ids of most
///   records do), so a hit usually reads one line. Longer keys live in a side buffer.
final class RecordIndex {
    /// A record's row and whether it is known to hold a write.
    struct Slot: Equatable {
        var rec: Int64
        var written: Bool
    }

    /// Where a key is, or where it would go: from `lookup`, for `set`.
    struct Probe {
        fileprivate let hash: UInt64
        fileprivate let position: Int
        fileprivate let found: Bool
        /// The slot if the key is present.
        let slot: Slot?
    }

    // Layout of a place (64 bytes, 64-byte aligned):
    //   0 hash, 8 rec (0: empty; SQLite row ids start at 1), 16 ns,
    //   24 written (1 byte), 25 collection byte count (1 byte, names are at most 64),
    //   26 id byte count (2 bytes, ids are at most 256), 28 offset in `long` (4 bytes),
    //   32 the key bytes (collection then id) when they fit in 32.
    private static let placeBytes = 64
    /// The most records kept: the merge starts the index over when it is full, so its table
    /// never grows past 131,072 places (8 MiB), however many records a store holds.
    static let maxEntries = 1 << 16
    /// `maxEntries` for this index (tests make it small to start over often).
    var limit = RecordIndex.maxEntries
    private static let inlineBytes = 32
    private var places: UnsafeMutableRawPointer
    private var capacity: Int
    private var long: [UInt8] = []
    private(set) var count = 0
    /// Whether the index holds every record row of the store (and so a key it lacks is a new
    /// record): nil until the merge finds out, and again after `removeAll`.
    var isComplete: Bool?

    init() {
        capacity = 1024
        places = Self.allocate(capacity)
    }

    deinit { places.deallocate() }

    private static func allocate(_ n: Int) -> UnsafeMutableRawPointer {
        let p = UnsafeMutableRawPointer.allocate(byteCount: n * placeBytes, alignment: placeBytes)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: n * placeBytes)
        return p
    }

    func removeAll() {
        places.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * Self.placeBytes)
        long.removeAll(keepingCapacity: true)
        count = 0
        isComplete = nil
    }

    /// The hash `lookup` uses for a key.
    func hash(ns: Int64, collection: String, id: String) -> UInt64 {
        var c = collection, i = id
        return c.withUTF8 { cb in i.withUTF8 { ib in Self.hash(ns, cb, ib) } }
    }

    private static func hash(_ ns: Int64, _ cb: UnsafeBufferPointer<UInt8>, _ ib: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = Hasher()
        h.combine(ns)
        h.combine(bytes: UnsafeRawBufferPointer(cb))
        h.combine(0xFF as UInt8)
        h.combine(bytes: UnsafeRawBufferPointer(ib))
        return UInt64(UInt(bitPattern: h.finalize()))
    }

    /// Reads the first place of each hash (0: none) and forgets it. A lookup mostly waits for one
    /// cache miss; touching the places of a whole changeset's records back to back lets the
    /// processor fetch those lines in parallel, so the lookups that follow find them cached.
    func warm(_ hashes: [UInt64]) {
        let mask = capacity - 1
        var sum: Int64 = 0
        for h in hashes where h != 0 {
            sum &+= (places + (Int(truncatingIfNeeded: h) & mask) * Self.placeBytes).load(fromByteOffset: 8, as: Int64.self)
        }
        warmSink = sum
    }

    /// Keeps `warm`'s loads from being optimized away.
    private var warmSink: Int64 = 0

    /// Finds a key, or the place it would take.
    func lookup(ns: Int64, collection: String, id: String) -> Probe {
        lookup(ns: ns, collection: collection, id: id, hash: hash(ns: ns, collection: collection, id: id))
    }

    /// Finds a key whose hash is already known.
    func lookup(ns: Int64, collection: String, id: String, hash: UInt64) -> Probe {
        var c = collection, i = id
        return c.withUTF8 { cb in
            i.withUTF8 { ib in
                let mask = capacity - 1
                var p = Int(truncatingIfNeeded: hash) & mask
                while true {
                    let place = places + p * Self.placeBytes
                    let rec = place.load(fromByteOffset: 8, as: Int64.self)
                    if rec == 0 { return Probe(hash: hash, position: p, found: false, slot: nil) }
                    if place.load(as: UInt64.self) == hash && place.load(fromByteOffset: 16, as: Int64.self) == ns
                        && Int(place.load(fromByteOffset: 25, as: UInt8.self)) == cb.count
                        && Int(place.load(fromByteOffset: 26, as: UInt16.self)) == ib.count
                        && keyMatches(place, cb, ib)
                    {
                        let written = place.load(fromByteOffset: 24, as: UInt8.self) != 0
                        return Probe(hash: hash, position: p, found: true, slot: Slot(rec: rec, written: written))
                    }
                    p = (p + 1) & mask
                }
            }
        }
    }

    private func keyMatches(_ place: UnsafeMutableRawPointer, _ c: UnsafeBufferPointer<UInt8>, _ i: UnsafeBufferPointer<UInt8>) -> Bool {
        if c.count + i.count <= Self.inlineBytes {
            let key = place + 32
            return Self.same(key, c) && Self.same(key + c.count, i)
        }
        let offset = Int(place.load(fromByteOffset: 28, as: UInt32.self))
        return long.withUnsafeBytes { b in
            let key = UnsafeMutableRawPointer(mutating: b.baseAddress! + offset)
            return Self.same(key, c) && Self.same(key + c.count, i)
        }
    }

    private static func same(_ p: UnsafeMutableRawPointer, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        b.isEmpty || memcmp(p, b.baseAddress!, b.count) == 0
    }

    /// Stores `slot` for the key of `probe`, which must come from the latest `lookup` of that key
    /// with no change to the index in between.
    func set(_ probe: Probe, ns: Int64, collection: String, id: String, slot: Slot) {
        precondition(slot.rec != 0, "SQLite row ids start at 1")
        let place = places + probe.position * Self.placeBytes
        place.storeBytes(of: slot.rec, toByteOffset: 8, as: Int64.self)
        place.storeBytes(of: slot.written ? 1 : 0, toByteOffset: 24, as: UInt8.self)
        guard !probe.found else { return }
        place.storeBytes(of: probe.hash, as: UInt64.self)
        place.storeBytes(of: ns, toByteOffset: 16, as: Int64.self)
        let cn = collection.utf8.count, idn = id.utf8.count
        place.storeBytes(of: UInt8(truncatingIfNeeded: cn), toByteOffset: 25, as: UInt8.self)
        place.storeBytes(of: UInt16(truncatingIfNeeded: idn), toByteOffset: 26, as: UInt16.self)
        if cn + idn <= Self.inlineBytes {
            var o = 32
            for b in collection.utf8 { place.storeBytes(of: b, toByteOffset: o, as: UInt8.self); o += 1 }
            for b in id.utf8 { place.storeBytes(of: b, toByteOffset: o, as: UInt8.self); o += 1 }
        } else {
            place.storeBytes(of: UInt32(long.count), toByteOffset: 28, as: UInt32.self)
            long.append(contentsOf: collection.utf8)
            long.append(contentsOf: id.utf8)
        }
        count += 1
        if count * 2 > capacity { grow() }
    }

    /// Doubles the table, moving each place whole to its new position.
    private func grow() {
        let old = places, oldCapacity = capacity
        capacity *= 2
        places = Self.allocate(capacity)
        let mask = capacity - 1
        for k in 0..<oldCapacity {
            let from = old + k * Self.placeBytes
            guard from.load(fromByteOffset: 8, as: Int64.self) != 0 else { continue }
            var p = Int(truncatingIfNeeded: from.load(as: UInt64.self)) & mask
            while (places + p * Self.placeBytes).load(fromByteOffset: 8, as: Int64.self) != 0 { p = (p + 1) & mask }
            (places + p * Self.placeBytes).copyMemory(from: from, byteCount: Self.placeBytes)
        }
        old.deallocate()
    }
}
