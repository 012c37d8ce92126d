import Foundation
import Testing
import TejidoSQLite
import TejidoTestSupport

/// `clamped_sum`: the exact sum, clamped to int64 once, so that the order of the rows never
/// changes the result.
@Suite struct ClampedSumTests {
    func sum(_ values: [Int64?]) throws -> SQLiteValue? {
        let db = try SQLiteConnection(path: ":memory:", mode: .create)
        try db.execute("CREATE TABLE t(v INTEGER)")
        let insert = try db.prepare("INSERT INTO t(v) VALUES(?)")
        for v in values { try insert.run([v.map { .integer($0) } ?? .null]) }
        return try db.scalar("SELECT clamped_sum(v) FROM t")
    }

    @Test func theExactSumIsClampedOnceWhateverTheOrder() throws {
        let cases: [([Int64], Int64)] = [
            ([.max, 1, -1], .max),
            ([.min, -1, 1], .min),
            ([.max, .max, -.max], .max),
            ([.max, .max], .max),
            ([.min, .min, .max], .min),
            ([.max, .min, 5], 4),
            ([3, -10, 2], -5),
        ]
        for (values, expected) in cases {
            for order in [values, values.reversed(), values.sorted(), values.sorted().reversed()] {
                #expect(try sum(order) == .integer(expected), "\(order)")
            }
        }
    }

    @Test func nullsAreSkippedAndNothingGivesNull() throws {
        #expect(try sum([]) == .null)
        #expect(try sum([nil, nil]) == .null)
        #expect(try sum([nil, 4, nil, -1]) == .integer(3))
    }
}
