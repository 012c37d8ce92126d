import TejidoStore

/// Counters of one session, for progress and the final report.
public struct SyncStats: Sendable, Equatable {
    /// Changesets and envelope bytes this side sent and the peer acknowledged as committed.
    public var sent = 0
    public var sentBytes = 0
    /// Changesets this side put on the wire, acknowledged or not (at most one batch more than `sent`).
    public var written = 0
    /// Changesets this side will send in all (known once sending starts).
    public var toSend = 0
    public var toSendBytes = 0
    /// Changesets and envelope bytes received and committed here.
    public var received = 0
    public var receivedBytes = 0
    /// Changesets the peer announced it still has to send after the last batch.
    public var peerRemaining = 0
    /// What became of the received changesets.
    public var outcome = BatchOutcome()
    /// Frames and bytes on the wire, each way (counted by the runner).
    public var wireBytesOut = 0
    public var wireBytesIn = 0
    public var framesOut = 0
    public var framesIn = 0
    /// Times this side waited for the peer after sending something: the round trips it paid for.
    public var roundTrips = 0

    public init() {}

    /// Changesets moved per second over `elapsed` seconds, and the seconds left at that rate, for
    /// progress displays. `peerRemaining` is whatever the peer announced (up to `Int.max`), so the
    /// estimate is computed in Doubles and capped at `maxETA`: no count a peer sends can trap a
    /// conversion or an addition.
    public func rateAndETA(elapsed: Double) -> (rate: Double, eta: Double) {
        let rate = Double(sent + received) / max(elapsed, 0.001)
        let remaining = Double(max(0, toSend - sent)) + Double(max(0, peerRemaining))
        let eta = rate > 0 && remaining > 0 ? min(remaining / rate, Self.maxETA) : 0
        return (rate, eta)
    }

    /// About 30 years.
    public static let maxETA = 1e9
}
