/// How many envelope bytes a sender puts in its next batch (protocol/sync.md, section 4).
///
/// A batch is the unit of loss on a cut link and the unit of commit on the receiver. Small
/// batches lose little when a slow link drops; large ones cost the receiver fewer commits (each
/// writes every page the batch touched). So the target starts at `start`, doubles up to `max`
/// after a batch whose ack came within `growWithin` seconds of sending it, and halves down to `min`
/// after one that took longer than `shrinkAfter`: a fast link soon sends large batches, a slow
/// one small batches. (A session reads its next batch while the ack of the one in flight is
/// awaited, so a new target applies from the batch after that one.) `max` is never above
/// `SyncLimits.maxBatchBytes`.
public struct BatchSizer: Sendable, Equatable {
    public private(set) var target: Int
    public let min: Int
    public let max: Int
    public let growWithin: Double
    public let shrinkAfter: Double

    public init(start: Int = SyncLimits.batchBytes, min: Int = SyncLimits.minBatchBytes, max: Int = SyncLimits.maxBatchBytes,
                growWithin: Double = 1, shrinkAfter: Double = 8) {
        // Never above the protocol's largest target: a bigger batch could pass the frame limit,
        // and the peer would end the session.
        let max = Swift.min(max, SyncLimits.maxBatchBytes)
        precondition(min > 0 && min <= max)
        self.min = min
        self.max = max
        self.target = Swift.min(Swift.max(start, min), max)
        self.growWithin = growWithin
        self.shrinkAfter = shrinkAfter
    }

    /// Takes the time from sending a batch to its ack.
    public mutating func acknowledged(after seconds: Double) {
        if seconds <= growWithin {
            target = Swift.min(max, target * 2)
        } else if seconds > shrinkAfter {
            target = Swift.max(min, target / 2)
        }
    }
}
