import Foundation
import TejidoCore
import TejidoSync

/// Progress of a sync or bundle on stderr: a line redrawn on a terminal, NDJSON events with
/// `--json`, nothing when stderr is piped. At most a few updates a second.
final class SyncProgress {
    let console: Console
    let label: String
    private let started = Date()
    private var lastDraw = Date.distantPast
    private var drew = false
    /// The last figures given, for the final event under `--json`.
    private var last: SyncStats?
    private var lastShown: Int?
    /// Seconds between updates, and before the first: 0.25 and 0.5, or TEJIDO_PROGRESS_INTERVAL for
    /// both (0 shows every update; tests and scripts use it).
    private let interval: Double
    private let delay: Double

    init(console: Console, label: String) {
        self.console = console
        self.label = label
        if let v = ProcessInfo.processInfo.environment["TEJIDO_PROGRESS_INTERVAL"].flatMap(Double.init), v >= 0, v.isFinite {
            (interval, delay) = (v, v)
        } else {
            (interval, delay) = (0.25, 0.5)
        }
    }

    func update(_ s: SyncStats, force: Bool = false) {
        last = s
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= interval else { return }
        // Nothing worth showing for a moment's work.
        guard force || now.timeIntervalSince(started) >= delay else { return }
        lastDraw = now
        lastShown = s.received + s.sent
        let (rate, eta) = s.rateAndETA(elapsed: now.timeIntervalSince(started))
        if console.json {
            console.err(JSONValue.object([
                ("event", .string("progress")), ("peer", .string(label)),
                ("sent", .int(Int64(s.sent))), ("to_send", .int(Int64(s.toSend))),
                ("received", .int(Int64(s.received))), ("peer_remaining", .int(Int64(s.peerRemaining))),
                ("bytes_out", .int(Int64(s.wireBytesOut))), ("bytes_in", .int(Int64(s.wireBytesIn))),
                ("rate", .int(Int64(rate))), ("eta_seconds", .int(Int64(eta.rounded(.up)))),
            ]).serialized())
        } else if console.showsProgress {
            let bytes = Self.bytes(s.wireBytesOut + s.wireBytesIn)
            let left = eta > 0 ? " ~\(Int(eta.rounded(.up))) s" : ""
            console.progress(console.t(.syncProgress, label, String(s.sent), String(s.toSend), String(s.received),
                                       String(s.peerRemaining), bytes, String(Int(rate)), left))
            drew = true
        }
    }

    /// Ends the progress line; under `--json`, writes the last figures as a final event if the
    /// last update was held back (so that even a moment's work ends with one event).
    func finish() {
        if drew { console.endProgress() }
        if console.json, let last, lastShown != last.received + last.sent { update(last, force: true) }
    }

    static func bytes(_ n: Int) -> String {
        if n < 10_000 { return "\(n) B" }
        if n < 10_000_000 { return "\(n / 1000) kB" }
        return String(format: "%.1f MB", Double(n) / 1e6)
    }
}
