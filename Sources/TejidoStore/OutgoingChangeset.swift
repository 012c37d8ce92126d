/// One envelope on its way to a peer, with the feed position it fills there.
public struct OutgoingChangeset: Sendable {
    public let envelope: [UInt8]
    public let namespace: [UInt8]
    public let author: [UInt8]
    public let seq: UInt64
}
