import Testing
@testable import TejidoCrypto

@Suite("Bech32")
struct Bech32Tests {
    static let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l")
    static let key = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    /// Computed independently with the BIP 173 reference algorithm.
    static let keyText = "tjk16adfsqvzky9t042tlmfujeq88g8wzuhnm2nzxfd0qgdx3ac82ydqt4atsd"

    @Test("Encodes to the reference text")
    func knownEncoding() {
        #expect(Bech32.encode(prefix: "tjk", bytes: Self.key) == Self.keyText)
    }

    @Test("Round trips byte strings of many lengths", arguments: [0, 1, 2, 5, 20, 32, 33, 40])
    func roundTrip(_ n: Int) throws {
        let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let text = Bech32.encode(prefix: "tjns", bytes: bytes)
        #expect(text.hasPrefix("tjns1"))
        #expect(try Bech32.decode(text, prefix: "tjns") == bytes)
    }

    @Test("Every single-character substitution is caught")
    func singleSubstitution() {
        let chars = Array(Self.keyText)
        var tried = 0
        for i in chars.indices {
            for replacement in Self.alphabet where replacement != chars[i] {
                var changed = chars
                changed[i] = replacement
                tried += 1
                #expect(throws: Bech32.DecodeError.self, "position \(i) -> \(replacement)") {
                    try Bech32.decode(String(changed), prefix: "tjk")
                }
            }
        }
        #expect(tried == chars.count * 31 + 1)  // every character but the separator '1' is in the alphabet
    }

    @Test("A substitution in the data part is a checksum error")
    func substitutionIsChecksumError() {
        var chars = Array(Self.keyText)
        chars[10] = chars[10] == "q" ? "p" : "q"
        #expect(throws: Bech32.DecodeError.badChecksum) { try Bech32.decode(String(chars), prefix: "tjk") }
    }

    @Test("Another prefix is refused with the prefix found")
    func wrongPrefix() {
        #expect(throws: Bech32.DecodeError.wrongPrefix("tjk")) { try Bech32.decode(Self.keyText, prefix: "tjns") }
        let ns = Bech32.encode(prefix: "tjns", bytes: Self.key)
        #expect(throws: Bech32.DecodeError.wrongPrefix("tjns")) { try Bech32.decode(ns, prefix: "tjk") }
    }

    @Test("Uppercase text is accepted")
    func uppercase() throws {
        #expect(try Bech32.decode(Self.keyText.uppercased(), prefix: "tjk") == Self.key)
    }

    @Test("Spaces and dashes are ignored")
    func separators() throws {
        let chars = Array(Self.keyText)
        var grouped = ""
        for (i, c) in chars.enumerated() {
            if i > 0 && i % 5 == 0 { grouped += i % 10 == 0 ? " " : "-" }
            grouped.append(c)
        }
        #expect(grouped.contains(" ") && grouped.contains("-"))
        #expect(try Bech32.decode(grouped, prefix: "tjk") == Self.key)
        #expect(try Bech32.decode("  " + Self.keyText + " ", prefix: "tjk") == Self.key)
    }

    @Test("Malformed text is refused", arguments: ["", "tjk", "tjk1", "tjk1qqqqq", "1qqqqqqqq", "tjkqqqqqqqqq"])
    func malformed(_ text: String) {
        #expect(throws: Bech32.DecodeError.malformed) { try Bech32.decode(text, prefix: "tjk") }
    }

    @Test("Characters outside the alphabet are refused", arguments: ["b", "i", "o", "é", "!"])
    func badCharacter(_ c: String) {
        var text = Self.keyText
        text.insert(contentsOf: c, at: text.index(text.startIndex, offsetBy: 8))
        #expect(throws: Bech32.DecodeError.badCharacter) { try Bech32.decode(text, prefix: "tjk") }
    }

    @Test("Valid checksum over a bad bit length is refused")
    func badLength() throws {
        // Five data characters hold 25 bits: 3 bytes and a 1-bit remainder, fine; six hold 30 bits:
        // 3 bytes and 6 leftover bits, which is not a whole number of bytes with 0-4 padding bits.
        let checksummed = Self.checksummed(prefix: "tjk", data: [1, 2, 3, 4, 5, 6])
        #expect(throws: Bech32.DecodeError.badLength) { try Bech32.decode(checksummed, prefix: "tjk") }
        // Non-zero padding bits: one data char for zero bytes would be 5 leftover bits; use 2 chars (10 bits)
        // = 1 byte and 2 padding bits that are not zero.
        let nonZeroPad = Self.checksummed(prefix: "tjk", data: [0, 1])
        #expect(throws: Bech32.DecodeError.badLength) { try Bech32.decode(nonZeroPad, prefix: "tjk") }
        let zeroPad = Self.checksummed(prefix: "tjk", data: [0, 4])
        #expect(try Bech32.decode(zeroPad, prefix: "tjk") == [1])
    }

    /// Bech32 text for raw 5-bit groups, with its checksum (BIP 173 reference algorithm).
    static func checksummed(prefix: String, data: [UInt8]) -> String {
        func polymod(_ values: [UInt8]) -> UInt32 {
            let gen: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
            var chk: UInt32 = 1
            for v in values {
                let b = chk >> 25
                chk = (chk & 0x1ff_ffff) << 5 ^ UInt32(v)
                for i in 0..<5 where (b >> UInt32(i)) & 1 == 1 { chk ^= gen[i] }
            }
            return chk
        }
        let hrp = Array(prefix.utf8)
        let high: [UInt8] = hrp.map { $0 >> 5 }
        let low: [UInt8] = hrp.map { $0 & 31 }
        let expanded: [UInt8] = high + [0] + low
        let padded: [UInt8] = expanded + data + [UInt8](repeating: 0, count: 6)
        let mod: UInt32 = polymod(padded) ^ 1
        let check: [UInt8] = (0..<6).map { (i: Int) -> UInt8 in UInt8((mod >> UInt32(25 - 5 * i)) & 31) }
        return prefix + "1" + String((data + check).map { alphabet[Int($0)] })
    }
}
