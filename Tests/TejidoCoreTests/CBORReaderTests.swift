import Testing
@testable import TejidoCore

@Suite("CBORReader")
struct CBORReaderTests {
    @Test("Reads back every integer the writer writes", arguments: [
        Int64(0), 23, 24, 255, 256, 65535, 65536, 4_294_967_295, 4_294_967_296, .max, .min, -1, -24, -25, -257,
    ])
    func intRoundTrip(_ v: Int64) throws {
        var r = CBORReader(cbor { $0.int(v) })
        #expect(try r.int("v") == v)
        #expect(r.isAtEnd)
    }

    @Test("Reads back preferred floats", arguments: [0.0, 1.5, 100000.0, 1.1, Double.infinity, -Double.infinity, 65504.0])
    func floatRoundTrip(_ d: Double) throws {
        var r = CBORReader(cbor { $0.float(d) })
        #expect(try r.simple("v") == .float(d))
        try r.finish()
    }

    @Test("-0.0 keeps its sign")
    func negativeZero() throws {
        var r = CBORReader(hex("f98000"))
        guard case .float(let d) = try r.simple("v") else { Issue.record("not a float"); return }
        #expect(d == 0 && d.sign == .minus)
    }

    static let headRejections: [RejectionCase] = [
        RejectionCase("0 in one byte", hex("1800"), .nonShortestEncoding),
        RejectionCase("23 in one byte", hex("1817"), .nonShortestEncoding),
        RejectionCase("255 in two bytes", hex("1900ff"), .nonShortestEncoding),
        RejectionCase("65535 in four bytes", hex("1a0000ffff"), .nonShortestEncoding),
        RejectionCase("2^32-1 in eight bytes", hex("1b00000000ffffffff"), .nonShortestEncoding),
        RejectionCase("negative -1 in one byte", hex("3800"), .nonShortestEncoding),
        RejectionCase("additional info 28", hex("1c"), .reservedAdditionalInfo(28)),
        RejectionCase("additional info 30", hex("1e"), .reservedAdditionalInfo(30)),
        RejectionCase("indefinite unsigned", hex("1f"), .indefiniteLength),
        RejectionCase("empty input", [], .truncated),
        RejectionCase("one-byte argument missing", hex("18"), .truncated),
        RejectionCase("eight-byte argument cut", hex("1b00000001000000"), .truncated),
    ]

    @Test("Heads are shortest and complete", arguments: headRejections)
    func rejectsHead(_ c: RejectionCase) {
        var r = CBORReader(c.bytes)
        #expect(throws: c.error) { _ = try r.head() }
    }

    @Test("Heads at the boundaries are accepted")
    func headBoundaries() throws {
        for (bytes, value) in [("1818", UInt64(24)), ("190100", 256), ("1a00010000", 65536), ("1b0000000100000000", 1 << 32)] {
            var r = CBORReader(hex(bytes))
            let (major, v) = try r.head()
            #expect(major == .unsigned)
            #expect(v == value)
        }
    }

    @Test("Integers beyond Int64 are out of range")
    func intRange() {
        var a = CBORReader(hex("1b8000000000000000"))
        #expect(throws: FormatError.integerOutOfRange) { _ = try a.int("v") }
        var b = CBORReader(hex("3b8000000000000000"))
        #expect(throws: FormatError.integerOutOfRange) { _ = try b.int("v") }
        var c = CBORReader(hex("6161"))
        #expect(throws: FormatError.wrongType("v")) { _ = try c.int("v") }
    }

    @Test("Lengths: non-shortest, indefinite, over the limit, past the end")
    func lengths() {
        var a = CBORReader(hex("5801ff"))
        #expect(throws: FormatError.nonShortestEncoding) { _ = try a.byteString("b") }
        var b = CBORReader(hex("5f41ff ff"))
        #expect(throws: FormatError.indefiniteLength) { _ = try b.byteString("b") }
        var c = CBORReader(hex("7f6161ff"))
        #expect(throws: FormatError.indefiniteLength) { _ = try c.text("t") }
        var d = CBORReader(hex("9f00ff"))
        #expect(throws: FormatError.indefiniteLength) { _ = try d.arrayCount("a") }
        var e = CBORReader(hex("bf0000ff"))
        #expect(throws: FormatError.indefiniteLength) { _ = try e.mapCount("m") }
        var f = CBORReader(hex("43ffff"))
        #expect(throws: FormatError.truncated) { _ = try f.byteString("b") }
        var g = CBORReader(hex("6461626364"))
        #expect(throws: FormatError.tooLarge("t")) { _ = try g.text("t", max: 3) }
        var h = CBORReader(hex("8300"))
        #expect(throws: FormatError.truncated) { _ = try h.arrayCount("a") }
        var i = CBORReader(hex("a20000"))
        #expect(throws: FormatError.truncated) { _ = try i.mapCount("m") }
        var j = CBORReader(hex("4201ff"))
        #expect(throws: FormatError.badValue("f length")) { _ = try j.fixedBytes("f", count: 3) }
    }

    @Test("Text must be valid UTF-8", arguments: ["62c328", "61ff", "63eda080", "62c0af", "64f8888080"])
    func invalidUTF8(_ bytes: String) {
        var r = CBORReader(hex(bytes))
        #expect(throws: FormatError.invalidUTF8) { _ = try r.text("t") }
    }

    static let simpleRejections: [RejectionCase] = [
        RejectionCase("double that fits in half (1.5)", hex("fb3ff8000000000000"), .nonShortestEncoding),
        RejectionCase("double that fits in single (100000)", hex("fb40f86a0000000000"), .nonShortestEncoding),
        RejectionCase("single that fits in half (1.5)", hex("fa3fc00000"), .nonShortestEncoding),
        RejectionCase("double infinity", hex("fb7ff0000000000000"), .nonShortestEncoding),
        RejectionCase("single -0.0", hex("fa80000000"), .nonShortestEncoding),
        RejectionCase("half NaN", hex("f97e00"), .nanFloat),
        RejectionCase("single NaN", hex("fa7fc00000"), .nanFloat),
        RejectionCase("double NaN", hex("fb7ff8000000000000"), .nanFloat),
        RejectionCase("undefined (0xf7)", hex("f7"), .reservedSimpleValue),
        RejectionCase("simple value 0 (0xe0)", hex("e0"), .reservedSimpleValue),
        RejectionCase("simple value 19 (0xf3)", hex("f3"), .reservedSimpleValue),
        RejectionCase("two-byte simple value (0xf8 0x20)", hex("f820"), .reservedSimpleValue),
        RejectionCase("break (0xff)", hex("ff"), .indefiniteLength),
        RejectionCase("half cut", hex("f93e"), .truncated),
        RejectionCase("single cut", hex("fa3fc000"), .truncated),
        RejectionCase("double cut", hex("fb3ff19999999999"), .truncated),
        RejectionCase("not a simple value", hex("00"), .wrongType("v")),
    ]

    @Test("Simple values and floats", arguments: simpleRejections)
    func rejectsSimple(_ c: RejectionCase) {
        var r = CBORReader(c.bytes)
        #expect(throws: c.error) { _ = try r.simple("v") }
    }

    @Test("finish() refuses trailing bytes; a range limits the reader")
    func finishAndRange() throws {
        var r = CBORReader(hex("0000"))
        _ = try r.head()
        #expect(throws: FormatError.trailingBytes) { try r.finish() }
        var ranged = CBORReader(hex("ff 1818 ff"), range: 1..<3)
        #expect(try ranged.unsigned("u") == 24)
        #expect(ranged.isAtEnd)
        try ranged.finish()
        var short = CBORReader(hex("ff 1818 ff"), range: 1..<2)
        #expect(throws: FormatError.truncated) { _ = try short.unsigned("u") }
    }
}
