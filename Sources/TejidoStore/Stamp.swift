import TejidoCore

/// The total order of ops: HLC, author key, seq, op index, as 52 big-endian bytes so that
/// SQLite's bytewise BLOB comparison is the merge order (`protocol/merge.md`).
struct Stamp {
    /// The stamp prefix shared by every op of one changeset; append the op index with `finish`.
    static func prefix(hlc: HLC, author: [UInt8], seq: UInt64) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(52)
        appendBE(&out, hlc.rawValue, 8)
        out.append(contentsOf: author)
        appendBE(&out, seq, 8)
        return out
    }

    static func finish(_ prefix: [UInt8], opIndex: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(byteCount)
        append(prefix, opIndex: opIndex, to: &out)
        return out
    }

    static let byteCount = 52

    /// Appends the stamp made of `prefix` and the op index to `out`.
    static func append(_ prefix: [UInt8], opIndex: Int, to out: inout [UInt8]) {
        out.append(contentsOf: prefix)
        let v = UInt32(truncatingIfNeeded: opIndex)
        out.append(UInt8(truncatingIfNeeded: v >> 24)); out.append(UInt8(truncatingIfNeeded: v >> 16))
        out.append(UInt8(truncatingIfNeeded: v >> 8)); out.append(UInt8(truncatingIfNeeded: v))
    }

    static func hlc(of stamp: [UInt8]) -> HLC {
        var v: UInt64 = 0
        for b in stamp.prefix(8) { v = v << 8 | UInt64(b) }
        return HLC(rawValue: v)
    }

    private static func appendBE(_ out: inout [UInt8], _ v: UInt64, _ n: Int) {
        for i in stride(from: (n - 1) * 8, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: v >> UInt64(i))) }
    }
}
