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

    @Test func parsingAndWritingRoundTrip() throws {
        let text = #"{"a":[1,-2,true,null,"x\ny"],"b":{"c":1.5}}"#
        #expect(try JSONValue.parse(text).serialized() == text)
    }
}
