/// A hybrid logical clock reading: Unix milliseconds in the high 48 bits, a counter in the low 16.
public struct HLC: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public init(milliseconds: UInt64, counter: UInt16) {
        rawValue = milliseconds << 16 | UInt64(counter)
    }

    public var milliseconds: UInt64 { rawValue >> 16 }
    public var counter: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    public static func < (a: HLC, b: HLC) -> Bool { a.rawValue < b.rawValue }

    /// The next reading after `last` at wall-clock time `nowMilliseconds`: never goes backwards,
    /// so a local write always sorts after everything the store had seen.
    public static func next(after last: HLC, nowMilliseconds: UInt64) -> HLC {
        let wall = HLC(milliseconds: nowMilliseconds, counter: 0)
        if wall > last { return wall }
        // A hostile peer may have pushed the clock to its end: stay there rather than overflow.
        return last.rawValue == .max ? last : HLC(rawValue: last.rawValue + 1)
    }

    /// ISO 8601 UTC text of the millisecond part, e.g. `2026-11-26T10:15:00.123Z`.
    public var description: String { Self.iso8601(milliseconds: milliseconds) }

    public static func iso8601(milliseconds ms: UInt64) -> String {
        let secs = Int64(ms / 1000)
        var days = secs / 86_400
        let rem = secs % 86_400
        // Civil-from-days (proleptic Gregorian), after Howard Hinnant's public-domain algorithm.
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        var y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        if m <= 2 { y += 1 }
        func pad(_ v: Int64, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rem / 3600, 2)):\(pad(rem / 60 % 60, 2)):\(pad(rem % 60, 2)).\(pad(Int64(ms % 1000), 3))Z"
    }
}
