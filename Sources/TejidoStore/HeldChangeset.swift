/// A changeset kept but not applied (quarantined), with the reason: evidence, never dropped.
public struct HeldChangeset: Sendable, Equatable {
    /// Changeset id in hex.
    public let id: String
    public let namespace: String
    public let author: [UInt8]
    public let seq: UInt64
    public let reason: String

    /// The reason as a case; for a pending changeset (its reason names what it waits for), `.other`.
    public var quarantineReason: QuarantineReason { QuarantineReason(stored: reason) }
}
