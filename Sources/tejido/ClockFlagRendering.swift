import TejidoCore
import TejidoCrypto
import TejidoStore

/// How clock flags look in `verify` and `status`.
enum ClockFlagRendering {
    static func json(_ f: ClockFlag) -> JSONValue {
        .object([
            ("kind", .string("clock_ahead")), ("id", .string(f.id)), ("author", .string(KeyText.key(bytes: f.author))),
            ("fingerprint", .string(KeyText.fingerprint(f.author))), ("namespace", .string(f.namespace)),
            ("ahead_ms", .int(Int64(clamping: f.aheadMilliseconds))), ("received", .string(PeerJSON.time(f.received))),
        ])
    }

    static func lines(_ flags: [ClockFlag], console: Console) -> [String] {
        guard !flags.isEmpty else { return [] }
        return [console.t(.clockFlagsHeader, String(flags.count))] + flags.map { f in
            console.t(.clockFlagLine, String(f.id.prefix(16)), KeyText.key(bytes: f.author), KeyText.fingerprint(f.author), f.namespace,
                      duration(f.aheadMilliseconds))
        }
    }

    /// "3 d 4 h" style.
    static func duration(_ ms: UInt64) -> String {
        let hours = ms / 3_600_000
        return hours >= 48 ? "\(hours / 24) d \(hours % 24) h" : "\(hours) h"
    }
}
