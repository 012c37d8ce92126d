import Testing
@testable import TejidoStore

/// The merge's table of record row ids: found by bytes, kept across growth, emptied on demand.
@Suite struct RecordIndexTests {
    @Test func storesAndFindsAcrossGrowth() {
        let index = RecordIndex()
        // Well past the first table size (1,024 places, grown at half full), so it grows several times.
        for i in 0..<5_000 {
            let probe = index.lookup(ns: Int64(i % 3), collection: "c\(i % 7)", id: "rec-\(i)")
            #expect(probe.slot == nil)
            index.set(probe, ns: Int64(i % 3), collection: "c\(i % 7)", id: "rec-\(i)", slot: .init(rec: Int64(i + 1), written: i % 2 == 0))
        }
        #expect(index.count == 5_000)
        for i in 0..<5_000 {
            let slot = index.lookup(ns: Int64(i % 3), collection: "c\(i % 7)", id: "rec-\(i)").slot
            #expect(slot == .init(rec: Int64(i + 1), written: i % 2 == 0))
        }
        // The same id in another namespace or collection is another record.
        #expect(index.lookup(ns: 1, collection: "c0", id: "rec-0").slot == nil)
        #expect(index.lookup(ns: 0, collection: "c1", id: "rec-0").slot == nil)
    }

    @Test func updatesInPlace() {
        let index = RecordIndex()
        let first = index.lookup(ns: 1, collection: "events", id: "e1")
        index.set(first, ns: 1, collection: "events", id: "e1", slot: .init(rec: 7, written: false))
        let again = index.lookup(ns: 1, collection: "events", id: "e1")
        #expect(again.slot == .init(rec: 7, written: false))
        index.set(again, ns: 1, collection: "events", id: "e1", slot: .init(rec: 7, written: true))
        #expect(index.lookup(ns: 1, collection: "events", id: "e1").slot == .init(rec: 7, written: true))
        #expect(index.count == 1)
    }

    /// "café" precomposed and decomposed are equal Swift strings but two SQLite rows.
    @Test func comparesBytesNotCharacters() {
        let index = RecordIndex()
        let nfc = "caf\u{E9}", nfd = "cafe\u{301}"
        #expect(nfc == nfd)
        index.set(index.lookup(ns: 1, collection: "c", id: nfc), ns: 1, collection: "c", id: nfc, slot: .init(rec: 1, written: true))
        #expect(index.lookup(ns: 1, collection: "c", id: nfd).slot == nil)
        index.set(index.lookup(ns: 1, collection: "c", id: nfd), ns: 1, collection: "c", id: nfd, slot: .init(rec: 2, written: true))
        #expect(index.lookup(ns: 1, collection: "c", id: nfc).slot?.rec == 1)
        #expect(index.lookup(ns: 1, collection: "c", id: nfd).slot?.rec == 2)
    }

    /// The split between collection and id is part of the key: "ab"/"c" is not "a"/"bc".
    @Test func keepsCollectionAndIDApart() {
        let index = RecordIndex()
        index.set(index.lookup(ns: 1, collection: "ab", id: "c"), ns: 1, collection: "ab", id: "c", slot: .init(rec: 1, written: true))
        #expect(index.lookup(ns: 1, collection: "a", id: "bc").slot == nil)
    }

    /// Keys over 32 bytes are kept outside the table's places; they must be found the same way.
    @Test func findsLongKeys() {
        let index = RecordIndex()
        let long = String(repeating: "x", count: 200)
        for i in 0..<3_000 {
            let id = "\(long)-\(i)"
            index.set(index.lookup(ns: 1, collection: "petitions", id: id), ns: 1, collection: "petitions", id: id,
                      slot: .init(rec: Int64(i + 1), written: true))
        }
        for i in 0..<3_000 {
            #expect(index.lookup(ns: 1, collection: "petitions", id: "\(long)-\(i)").slot?.rec == Int64(i + 1))
        }
        #expect(index.lookup(ns: 1, collection: "petitions", id: "\(long)-3000").slot == nil)
        // A short key and a long one side by side.
        index.set(index.lookup(ns: 1, collection: "petitions", id: "p"), ns: 1, collection: "petitions", id: "p", slot: .init(rec: 9_999, written: false))
        #expect(index.lookup(ns: 1, collection: "petitions", id: "p").slot == .init(rec: 9_999, written: false))
    }

    @Test func removeAllForgetsEverything() {
        let index = RecordIndex()
        for i in 0..<100 {
            index.set(index.lookup(ns: 1, collection: "c", id: "\(i)"), ns: 1, collection: "c", id: "\(i)", slot: .init(rec: Int64(i + 1), written: true))
        }
        index.removeAll()
        #expect(index.count == 0)
        #expect(index.lookup(ns: 1, collection: "c", id: "5").slot == nil)
        index.set(index.lookup(ns: 1, collection: "c", id: "5"), ns: 1, collection: "c", id: "5", slot: .init(rec: 50, written: false))
        #expect(index.lookup(ns: 1, collection: "c", id: "5").slot?.rec == 50)
    }
}
