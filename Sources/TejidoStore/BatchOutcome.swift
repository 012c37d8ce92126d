import TejidoCore

/// What became of a batch of received changesets, committed in one transaction.
public struct BatchOutcome: Equatable, Sendable {
    public var applied = 0
    public var duplicates = 0
    public var pending = 0
    public var quarantined = 0
    /// The ids of the changesets counted as pending or quarantined when they arrived (at most
    /// `maxHeld` of them): a later batch may release or admit them, and `Store.settled` recounts
    /// them as they stand at the end. Not sent to the peer.
    public var held: [Held] = []

    /// A changeset that had to wait when it arrived, and how.
    public struct Held: Equatable, Sendable {
        public let id: ChangesetID
        public let wasPending: Bool
    }

    /// Enough for any ordinary session, and at most about a megabyte each (a server runs several
    /// sessions at once); past this many waiting changesets the rest keep their arrival counts.
    public static let maxHeld = 10_000

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

    /// Counts `outcome` for the changeset `id`, keeping the id if it has to wait.
    public mutating func add(_ outcome: ApplyOutcome, id: ChangesetID) {
        add(outcome)
        switch outcome {
        case .pending: if held.count < Self.maxHeld { held.append(Held(id: id, wasPending: true)) }
        case .quarantined: if held.count < Self.maxHeld { held.append(Held(id: id, wasPending: false)) }
        case .applied, .duplicate: break
        }
    }

    public mutating func add(_ other: BatchOutcome) {
        applied += other.applied
        duplicates += other.duplicates
        pending += other.pending
        quarantined += other.quarantined
        held += other.held.prefix(max(0, Self.maxHeld - held.count))
    }
}
