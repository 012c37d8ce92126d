/// Writes deterministic CBOR (RFC 8949 section 4.2.1): shortest heads, definite lengths,
/// preferred (shortest exact) float serialization. Map ordering is the caller's job.
public struct CBORWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public mutating func head(_ major: UInt8, _ value: UInt64) {
        let m = major << 5
        switch value {
        case 0..<24: bytes.append(m | UInt8(value))
        case 24...0xff: bytes.append(m | 24); bytes.append(UInt8(value))
        case 0x100...0xffff:
            bytes.append(m | 25)
            bytes.append(UInt8(value >> 8)); bytes.append(UInt8(truncatingIfNeeded: value))
        case 0x1_0000...0xffff_ffff:
            bytes.append(m | 26)
            for s in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(s))) }
        default:
            bytes.append(m | 27)
            for s in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(s))) }
        }
    }

    public mutating func unsigned(_ v: UInt64) { head(0, v) }

    public mutating func int(_ v: Int64) {
        if v >= 0 { head(0, UInt64(v)) } else { head(1, UInt64(-(v + 1))) }
    }

    public mutating func byteString<C: Collection>(_ b: C) where C.Element == UInt8 {
        head(2, UInt64(b.count))
        bytes.append(contentsOf: b)
    }

    public mutating func text(_ s: String) {
        var s = s
        s.withUTF8 { u in
            head(3, UInt64(u.count))
            bytes.append(contentsOf: u)
        }
    }

    public mutating func arrayHeader(_ count: Int) { head(4, UInt64(count)) }
    public mutating func mapHeader(_ count: Int) { head(5, UInt64(count)) }
    public mutating func bool(_ b: Bool) { bytes.append(b ? 0xf5 : 0xf4) }
    public mutating func null() { bytes.append(0xf6) }

    /// Writes a finite or infinite double in the shortest of half, single or double precision that
    /// holds it exactly. NaN is the caller's to reject.
    public mutating func float(_ d: Double) {
        let h = Float16(d)
        if Double(h) == d {
            bytes.append(0xf9)
            let bits = h.bitPattern
            bytes.append(UInt8(bits >> 8)); bytes.append(UInt8(truncatingIfNeeded: bits))
            return
        }
        let f = Float(d)
        if Double(f) == d {
            bytes.append(0xfa)
            let bits = f.bitPattern
            for s in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(s))) }
            return
        }
        bytes.append(0xfb)
        let bits = d.bitPattern
        for s in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(s))) }
    }

    public mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    public mutating func raw(_ b: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: b) }
}
