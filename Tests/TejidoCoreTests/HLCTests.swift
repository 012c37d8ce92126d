import Foundation
import Testing
@testable import TejidoCore

@Suite("HLC")
struct HLCTests {
    @Test("Milliseconds in the high 48 bits, counter in the low 16")
    func layout() {
        let h = HLC(milliseconds: 1_700_000_000_123, counter: 0xbeef)
        #expect(h.rawValue == 1_700_000_000_123 << 16 | 0xbeef)
        #expect(h.milliseconds == 1_700_000_000_123)
        #expect(h.counter == 0xbeef)
        #expect(HLC(milliseconds: 1, counter: 0) > HLC(milliseconds: 0, counter: .max))
    }

    @Test("next() takes the wall clock when it is ahead")
    func wallAhead() {
        let last = HLC(milliseconds: 100, counter: 5)
        #expect(HLC.next(after: last, nowMilliseconds: 200) == HLC(milliseconds: 200, counter: 0))
    }

    @Test("next() bumps the counter when the clock stands still or goes back")
    func wallBehind() {
        let last = HLC(milliseconds: 100, counter: 5)
        #expect(HLC.next(after: last, nowMilliseconds: 100) == HLC(milliseconds: 100, counter: 6))
        #expect(HLC.next(after: last, nowMilliseconds: 3) == HLC(milliseconds: 100, counter: 6))
        let full = HLC(milliseconds: 100, counter: .max)
        #expect(HLC.next(after: full, nowMilliseconds: 100) == HLC(milliseconds: 101, counter: 0))
    }

    @Test("next() never goes backwards under a jumpy clock")
    func monotonic() {
        var rng = SeededGenerator(seed: 42)
        var last = HLC(rawValue: 0)
        var now: UInt64 = 1_700_000_000_000
        for _ in 0..<10_000 {
            // The clock drifts forward, stalls, or jumps back by up to a minute.
            switch UInt8.random(in: 0...3, using: &rng) {
            case 0: now += UInt64.random(in: 0...50, using: &rng)
            case 1: break
            case 2: now -= UInt64.random(in: 0...60_000, using: &rng)
            default: now += 1
            }
            let next = HLC.next(after: last, nowMilliseconds: now)
            #expect(next > last)
            #expect(next.milliseconds >= now || next.milliseconds >= last.milliseconds)
            last = next
        }
    }

    @Test("ISO 8601 text of known instants", arguments: [
        (UInt64(0), "1970-01-01T00:00:00.000Z"),
        (1_700_000_000_123, "2023-11-14T22:13:20.123Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (951_868_799_999, "2000-02-29T23:59:59.999Z"),
        (4_107_542_400_000, "2100-03-01T00:00:00.000Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        (1, "1970-01-01T00:00:00.001Z"),
    ])
    func iso(_ ms: UInt64, _ text: String) {
        #expect(HLC.iso8601(milliseconds: ms) == text)
        #expect(HLC(milliseconds: ms, counter: 42).description == text)
    }

    @Test("ISO text agrees with Foundation for random instants")
    func isoMatchesFoundation() {
        var rng = SeededGenerator(seed: 3)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        for _ in 0..<500 {
            let ms = UInt64.random(in: 0...253_402_300_799_999, using: &rng)
            let ours = HLC.iso8601(milliseconds: ms)
            let theirs = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(ms / 1000)))
            // Foundation: 2023-11-14T22:13:20Z; ours adds .mmm before the Z.
            #expect(String(ours.prefix(19)) == String(theirs.prefix(19)), "\(ms)")
            #expect(ours.hasSuffix(String(format: ".%03dZ", Int(ms % 1000))), "\(ms)")
        }
    }
}
