/// A changeset that arrived stamped more than a day ahead of this store's clock.
public struct ClockFlag: Sendable, Equatable {
    /// Changeset id in hex.
    public let id: String
    public let author: [UInt8]
    public let namespace: String
    /// How far ahead of this store's wall clock its HLC was when it arrived, in milliseconds.
    public let aheadMilliseconds: UInt64
    /// When it arrived (Unix milliseconds).
    public let received: UInt64
}
