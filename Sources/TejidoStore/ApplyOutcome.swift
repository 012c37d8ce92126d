/// What became of one received changeset.
public enum ApplyOutcome: Equatable, Sendable {
    /// Merged into the store (possibly together with pending changesets it unblocked).
    case applied
    /// Already held; nothing changed.
    case duplicate
    /// Kept, waiting for this many missing predecessors (prev or deps).
    case pending(missing: Int)
    /// Kept as evidence but not applied, with the reason.
    case quarantined(String)
}
