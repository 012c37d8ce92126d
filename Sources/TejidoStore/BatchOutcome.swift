/// What became of a batch of received changesets, committed in one transaction.
public struct BatchOutcome: Equatable, Sendable {
    public var applied = 0
    public var duplicates = 0
    public var pending = 0
    public var quarantined = 0

    public init() {}

    public var count: Int { applied + duplicates + pending + quarantined }

    public mutating func add(_ outcome: ApplyOutcome) {
        switch outcome {
        case .applied: applied += 1
        case .duplicate: duplicates += 1
        case .pending: pending += 1
        case .quarantined: quarantined += 1
        }
    }

    public mutating func add(_ other: BatchOutcome) {
        applied += other.applied
        duplicates += other.duplicates
        pending += other.pending
        quarantined += other.quarantined
    }
}
