/// Bech32 text (BIP 173): a human-readable prefix, the separator `1`, 5-bit groups in an
/// alphabet without look-alike characters, and a six-character checksum that catches any
/// error in up to four characters. Used for keys and ids a person reads aloud or copies by hand.
public enum Bech32 {
    static let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()
    private static let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]

    public enum DecodeError: Error, Equatable, Sendable {
        case malformed, badCharacter, badChecksum, wrongPrefix(String), badLength
    }

    public static func encode(prefix: String, bytes: [UInt8]) -> String {
        let data = regroup(bytes, from: 8, to: 5, pad: true)!
        let hrp = Array(prefix.utf8)
        let check = checksum(hrp: hrp, data: data)
        var out = hrp
        out.append(UInt8(ascii: "1"))
        for v in data + check { out.append(alphabet[Int(v)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes text written with `prefix`. Case-insensitive; spaces and dashes are ignored so that
    /// text read over the phone in groups still parses.
    public static func decode(_ text: String, prefix: String) throws(DecodeError) -> [UInt8] {
        let cleaned = text.utf8.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "-") }.map { c -> UInt8 in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c) ? c + 32 : c
        }
        guard let sep = cleaned.lastIndex(of: UInt8(ascii: "1")), sep > 0, cleaned.count - sep > 6 else {
            throw .malformed
        }
        let hrp = Array(cleaned[..<sep])
        guard hrp == Array(prefix.utf8) else { throw .wrongPrefix(String(decoding: hrp, as: UTF8.self)) }
        var data: [UInt8] = []
        for c in cleaned[(sep + 1)...] {
            guard c < 128, reverse[Int(c)] >= 0 else { throw .badCharacter }
            data.append(UInt8(reverse[Int(c)]))
        }
        guard polymod(expand(hrp) + data) == 1 else { throw .badChecksum }
        guard let bytes = regroup(Array(data.dropLast(6)), from: 5, to: 8, pad: false) else { throw .badLength }
        return bytes
    }

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        var chk: UInt32 = 1
        for v in values {
            let top = chk >> 25
            chk = (chk & 0x1ff_ffff) << 5 ^ UInt32(v)
            for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { chk ^= generator[i] }
        }
        return chk
    }

    private static func expand(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    private static func checksum(hrp: [UInt8], data: [UInt8]) -> [UInt8] {
        var values: [UInt8] = expand(hrp)
        values.append(contentsOf: data)
        values.append(contentsOf: [UInt8](repeating: 0, count: 6))
        let mod: UInt32 = polymod(values) ^ 1
        var out: [UInt8] = []
        out.reserveCapacity(6)
        for i: UInt32 in 0..<6 {
            let shift: UInt32 = 5 * (5 - i)
            out.append(UInt8((mod >> shift) & 31))
        }
        return out
    }

    private static func regroup(_ input: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var acc = 0
        var bits = 0
        var out: [UInt8] = []
        let maxv = (1 << to) - 1
        for v in input {
            acc = (acc << from) | Int(v)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((acc >> bits) & maxv))
            }
        }
        if pad {
            if bits > 0 { out.append(UInt8((acc << (to - bits)) & maxv)) }
        } else if bits >= from || (acc << (to - bits)) & maxv != 0 {
            return nil
        }
        return out
    }
}
