import Testing
import TejidoCore
import TejidoSQLite
import TejidoTestSupport
@testable import TejidoStore

/// The order `flush` inserts pending rows in: the tables' key (record, field bytes, stamp).
@Suite struct InsertOrderTests {
    /// Rows as a local batch merges them: changesets one after another, each stamp after the last.
    static func rows(seed: UInt64, count: Int, recordBase: Int64, fields: [String]) -> [Store.PendingRow] {
        var rng = SeededRandom(seed: seed)
        var out: [Store.PendingRow] = []
        var changeset: UInt64 = 0
        while out.count < count {
            changeset += 1
            let prefix = Stamp.prefix(hlc: HLC(rawValue: 1 << 20 + changeset), author: [UInt8](repeating: 7, count: 32), seq: changeset)
            for op in 0..<rng.int(1..<20) {
                out.append(Store.PendingRow(
                    rec: recordBase + Int64(rng.int(0..<40)), field: fields[rng.int(0..<fields.count)], prefix: prefix,
                    opIndex: UInt32(op), kind: 0, value: .integer(1), cs: Int64(changeset), add: nil))
            }
        }
        return out
    }

    /// What the tables' key says, compared in full.
    static func keyOrder(_ rows: [Store.PendingRow]) -> [Int32] {
        Array(0..<Int32(rows.count)).sorted { i, j in
            let a = rows[Int(i)], b = rows[Int(j)]
            if a.rec != b.rec { return a.rec < b.rec }
            if a.field != b.field { return a.field.utf8.lexicographicallyPrecedes(b.field.utf8) }
            if a.prefix != b.prefix { return a.prefix.lexicographicallyPrecedes(b.prefix) }
            return a.opIndex < b.opIndex
        }
    }

    /// Field names (ASCII, as the format allows) listed out of byte order: "Z" < "_x" < "a" in bytes.
    static let fields = ["title", "Z", "a", "a-b", "_x", "date", "B", "tags", "a_b"]

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func packedKeysGiveTheKeyOrder(seed: UInt64) {
        let rows = Self.rows(seed: seed, count: 3_000, recordBase: 1, fields: Self.fields)
        let order = rows.withUnsafeBufferPointer { Store.insertOrder($0) }
        #expect(order == Self.keyOrder(rows))
    }

    /// More fields than the scan looks at: the rest are found by name.
    @Test func manyFieldsGiveTheKeyOrder() {
        let fields = (0..<40).map { "f\(($0 * 17) % 40)" }
        let rows = Self.rows(seed: 6, count: 4_000, recordBase: 1, fields: fields)
        #expect(rows.withUnsafeBufferPointer { Store.insertOrder($0) } == Self.keyOrder(rows))
    }

    /// Record ids past 32 bits take the comparison sort, with the same result.
    @Test func largeRecordIDsGiveTheKeyOrder() {
        let rows = Self.rows(seed: 9, count: 2_000, recordBase: 1 << 33, fields: Self.fields)
        let order = rows.withUnsafeBufferPointer { Store.insertOrder($0) }
        #expect(order == Self.keyOrder(rows))
        // Mixed: one record past 32 bits among small ones.
        var mixed = Self.rows(seed: 10, count: 500, recordBase: 1, fields: Self.fields)
        mixed.append(Store.PendingRow(rec: 1 << 40, field: "a", prefix: mixed[0].prefix, opIndex: 99, kind: 0, value: .null, cs: 1, add: nil))
        #expect(mixed.withUnsafeBufferPointer { Store.insertOrder($0) } == Self.keyOrder(mixed))
    }

    @Test func emptyAndSingle() {
        #expect([Store.PendingRow]().withUnsafeBufferPointer { Store.insertOrder($0) } == [])
        let one = Self.rows(seed: 3, count: 1, recordBase: 5, fields: ["x"])
        #expect(one.prefix(1).withUnsafeBufferPointer { Store.insertOrder($0) } == [0])
    }
}
