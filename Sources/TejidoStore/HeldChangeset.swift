/// A changeset kept but not applied (quarantined), with the reason: evidence, never dropped.
public struct HeldChangeset: Sendable, Equatable {
    /// Changeset id in hex.
    public let id: String
    public let namespace: String
    public let author: [UInt8]
    public let seq: UInt64
    public let reason: String
}
