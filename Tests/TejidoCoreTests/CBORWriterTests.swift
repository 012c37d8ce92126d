import Testing
@testable import TejidoCore

@Suite("CBORWriter")
struct CBORWriterTests {
    /// RFC 8949 appendix A and the head boundaries of section 3.
    @Test("Integers use the shortest head", arguments: [
        (Int64(0), "00"), (1, "01"), (10, "0a"), (23, "17"), (24, "1818"), (25, "1819"), (100, "1864"),
        (255, "18ff"), (256, "190100"), (1000, "1903e8"), (65535, "19ffff"), (65536, "1a00010000"),
        (1_000_000, "1a000f4240"), (4_294_967_295, "1affffffff"), (4_294_967_296, "1b0000000100000000"),
        (1_000_000_000_000, "1b000000e8d4a51000"), (Int64.max, "1b7fffffffffffffff"),
        (-1, "20"), (-10, "29"), (-24, "37"), (-25, "3818"), (-100, "3863"), (-256, "38ff"), (-257, "390100"),
        (-1000, "3903e7"), (-65536, "39ffff"), (-65537, "3a00010000"), (-4_294_967_296, "3affffffff"),
        (-4_294_967_297, "3b0000000100000000"), (Int64.min, "3b7fffffffffffffff"),
    ])
    func integers(_ value: Int64, _ expected: String) {
        #expect(hexString(cbor { $0.int(value) }) == expected)
    }

    @Test("Unsigned integers up to 2^64-1", arguments: [
        (UInt64(0), "00"), (23, "17"), (24, "1818"), (UInt64(Int64.max) + 1, "1b8000000000000000"),
        (UInt64.max, "1bffffffffffffffff"),
    ])
    func unsigned(_ value: UInt64, _ expected: String) {
        #expect(hexString(cbor { $0.unsigned(value) }) == expected)
    }

    /// RFC 8949 appendix A floats, written in preferred (shortest exact) form.
    @Test("Floats use the shortest exact width", arguments: [
        (0.0, "f90000"), (-0.0, "f98000"), (1.0, "f93c00"), (1.5, "f93e00"), (65504.0, "f97bff"),
        (100000.0, "fa47c35000"), (3.4028234663852886e+38, "fa7f7fffff"), (1.0e+300, "fb7e37e43c8800759c"),
        (5.960464477539063e-8, "f90001"), (0.00006103515625, "f90400"), (-4.0, "f9c400"),
        (-4.1, "fbc010666666666666"), (1.1, "fb3ff199999999999a"), (Double.infinity, "f97c00"),
        (-Double.infinity, "f9fc00"), (65505.0, "fa477fe100"), (Double(Float.leastNonzeroMagnitude), "fa00000001"),
        (Double.leastNonzeroMagnitude, "fb0000000000000001"),
    ])
    func floats(_ value: Double, _ expected: String) {
        #expect(hexString(cbor { $0.float(value) }) == expected)
    }

    @Test("Strings, byte strings, arrays, maps and simple values")
    func others() {
        #expect(hexString(cbor { $0.text("") }) == "60")
        #expect(hexString(cbor { $0.text("a") }) == "6161")
        #expect(hexString(cbor { $0.text("IETF") }) == "6449455446")
        #expect(hexString(cbor { $0.text("\u{00fc}") }) == "62c3bc")
        #expect(hexString(cbor { $0.text("\u{6c34}") }) == "63e6b0b4")
        #expect(hexString(cbor { $0.text("\u{10151}") }) == "64f0908591")
        #expect(hexString(cbor { $0.text(String(repeating: "x", count: 24)) }).hasPrefix("7818"))
        #expect(hexString(cbor { $0.byteString([UInt8]()) }) == "40")
        #expect(hexString(cbor { $0.byteString([1, 2, 3, 4]) }) == "4401020304")
        #expect(hexString(cbor { $0.byteString([UInt8](repeating: 0, count: 32)) }).hasPrefix("5820"))
        #expect(hexString(cbor { $0.byteString([UInt8](repeating: 0, count: 256)) }).hasPrefix("590100"))
        #expect(hexString(cbor { $0.arrayHeader(0) }) == "80")
        #expect(hexString(cbor { $0.arrayHeader(25) }) == "9819")
        #expect(hexString(cbor { $0.mapHeader(0) }) == "a0")
        #expect(hexString(cbor { $0.mapHeader(2) }) == "a2")
        #expect(hexString(cbor { $0.bool(false); $0.bool(true); $0.null() }) == "f4f5f6")
        #expect(hexString(cbor { $0.raw([0xde, 0xad]) }) == "dead")
    }

    @Test("Values encode through the writer")
    func values() {
        #expect(hexString(Value.null.cborBytes) == "f6")
        #expect(hexString(Value.bool(true).cborBytes) == "f5")
        #expect(hexString(Value.int(-1).cborBytes) == "20")
        #expect(hexString(Value.float(1.5).cborBytes) == "f93e00")
        #expect(hexString(Value.text("a").cborBytes) == "6161")
        #expect(hexString(Value.bytes([0xff]).cborBytes) == "41ff")
    }
}
