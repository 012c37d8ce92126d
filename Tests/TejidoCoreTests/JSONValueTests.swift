import Testing
import TejidoCore

@Suite struct JSONValueTests {
    /// An unsigned number is written as it is, above Int64.max too (an HLC from a far-future
    /// clock), never as the negative number of the same bits.
    @Test func unsignedNumbersAreNeverWrittenNegative() {
        #expect(JSONValue.number(0).serialized() == "0")
        #expect(JSONValue.number(UInt64(Int64.max)) == .int(Int64.max))
        #expect(JSONValue.number(UInt64(Int64.max) + 1).serialized() == "9223372036854775808")
        #expect(JSONValue.number(.max).serialized() == "18446744073709551615")
        #expect(JSONValue.object([("hlc", .number(.max))]).serialized() == #"{"hlc":18446744073709551615}"#)
    }

    /// Each syntax error is typed, with the byte where it was found, so that the command line
    /// can say it in Spanish; its description is the English.
    @Test(arguments: [
        ("{x", JSONValue.ParseError(offset: 1, reason: .expectedKey), "expected a key at byte 1"),
        ("[1,", .init(offset: 3, reason: .unexpectedEnd), "unexpected end at byte 3"),
        ("tru", .init(offset: 0, reason: .invalidLiteral(expected: "true")), "invalid literal (expected true) at byte 0"),
        ("1e999", .init(offset: 0, reason: .numberOutOfRange), "number out of range at byte 0"),
        ("1e-400", .init(offset: 0, reason: .numberOutOfRange), "number out of range at byte 0"),
        ("[9223372036854775808]", .init(offset: 1, reason: .integerOutOfRange), "integer beyond the 64-bit range at byte 1"),
        ("-9223372036854775809", .init(offset: 0, reason: .integerOutOfRange), "integer beyond the 64-bit range at byte 0"),
        (#""a\q""#, .init(offset: 4, reason: .invalidEscape), "invalid escape at byte 4"),
        (#""\ud800""#, .init(offset: 7, reason: .loneSurrogate), "lone surrogate at byte 7"),
        ("1 2", .init(offset: 2, reason: .trailingCharacters), "trailing characters at byte 2"),
    ])
    func syntaxErrorsAreTyped(text: String, expected: JSONValue.ParseError, english: String) {
        #expect(throws: expected) { _ = try JSONValue.parse(text) }
        #expect(expected.description == english)
    }

    /// The ends of the 64-bit range, and numbers that are zero or large only as floats, are kept.
    @Test func numbersAtTheEdgesOfTheirRanges() throws {
        #expect(try JSONValue.parse("9223372036854775807") == .int(.max))
        #expect(try JSONValue.parse("-9223372036854775808") == .int(.min))
        #expect(try JSONValue.parse("1e300") == .double(1e300))
        #expect(try JSONValue.parse("0.0e-999") == .double(0))
        #expect(try JSONValue.parse("9223372036854775808.0") == .double(9223372036854775808.0))
    }

    @Test func parsingAndWritingRoundTrip() throws {
        let text = #"{"a":[1,-2,true,null,"x\ny"],"b":{"c":1.5}}"#
        #expect(try JSONValue.parse(text).serialized() == text)
    }
}
