import Testing
@testable import TejidoStore

/// The statement cache's key: hashed by its ends, equal only byte for byte.
@Suite struct StatementKeyTests {
    /// Two long texts that share their length and both ends, differing in one byte in the middle.
    static let long = "INSERT INTO history VALUES" + String(repeating: "(?,?,?,?,?,?),", count: 40) + "(?)"
    static let other: String = {
        var bytes = Array(long.utf8)
        bytes[bytes.count / 2] = UInt8(ascii: "!")
        return String(decoding: bytes, as: UTF8.self)
    }()

    @Test func equalTextsAreOneKey() {
        #expect(StatementKey(Self.long) == StatementKey(String(Self.long)))
        #expect(StatementKey("") == StatementKey(""))
        var set: Set<StatementKey> = [StatementKey(Self.long)]
        set.insert(StatementKey(Self.long + ""))
        #expect(set.count == 1)
    }

    @Test func aDifferenceInTheMiddleIsAnotherKey() {
        #expect(Self.long.utf8.count == Self.other.utf8.count)
        #expect(StatementKey(Self.long).hashValue == StatementKey(Self.other).hashValue)
        #expect(StatementKey(Self.long) != StatementKey(Self.other))
        let set: Set<StatementKey> = [StatementKey(Self.long), StatementKey(Self.other)]
        #expect(set.count == 2)
        #expect(StatementKey("SELECT 1") != StatementKey("SELECT 12"))
        #expect(StatementKey("") != StatementKey(" "))
    }

    /// `String`'s `==` takes "é" and "e" with a combining accent for one text; SQLite does not.
    @Test func canonicallyEquivalentTextsAreTwoKeys() {
        let composed = "SELECT 'caf\u{E9}'"
        let decomposed = "SELECT 'cafe\u{301}'"
        #expect(composed == decomposed)
        #expect(StatementKey(composed) != StatementKey(decomposed))
    }
}
