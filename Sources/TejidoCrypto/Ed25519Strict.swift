/// The checks a strict Ed25519 verifier adds to OpenSSL, which alone accepts small-order and
/// non-canonical points. With them, one message and one key admit one valid signature.
enum Ed25519Strict {
    /// y-coordinates (little-endian, sign bit clear) of the eight points of small order:
    /// 0 (order 4), 1 (order 1), p-1 (order 2) and the two of order 8. Derived from the curve
    /// equation; the test suite checks them against the speccheck cases.
    private static let smallOrderY: [[UInt8]] = [
        [UInt8](repeating: 0, count: 32),
        [1] + [UInt8](repeating: 0, count: 31),
        [0xec] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
        hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
        hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    ]

    /// The group order L, little-endian.
    private static let groupOrder: [UInt8] = hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")

    /// True if the 32 bytes encode y < p and the point is not of small order.
    static func isAcceptablePoint(_ enc: ArraySlice<UInt8>) -> Bool {
        guard enc.count == 32 else { return false }
        var y = Array(enc)
        y[31] &= 0x7f
        // y >= p = 2^255 - 19 exactly when bytes 1...30 are 0xff, byte 31 is 0x7f and byte 0 >= 0xed.
        if y[31] == 0x7f && y[0] >= 0xed && y[1...30].allSatisfy({ $0 == 0xff }) { return false }
        return !smallOrderY.contains(y)
    }

    /// True if the little-endian scalar is below L.
    static func isCanonicalScalar(_ s: ArraySlice<UInt8>) -> Bool {
        guard s.count == 32 else { return false }
        let base = s.startIndex
        for i in stride(from: 31, through: 0, by: -1) {
            let a = s[base + i]
            let b = groupOrder[i]
            if a < b { return true }
            if a > b { return false }
        }
        return false
    }

    private static func hex(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = Array(text.utf8)[...]
        while chars.count >= 2 {
            out.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16)!)
            chars = chars.dropFirst(2)
        }
        return out
    }
}
