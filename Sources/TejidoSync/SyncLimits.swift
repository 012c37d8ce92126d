/// Hard limits of sync protocol version 1 (protocol/sync.md).
public enum SyncLimits {
    /// The protocol version this implementation speaks.
    public static let version: UInt64 = 1
    /// Largest frame payload, in bytes. A frame announcing more ends the session.
    public static let maxFrameBytes = 4 << 20
    /// Most namespaces in one digests message (each entry takes 70 bytes: well inside one frame).
    public static let maxNamespaces = 50_000
    /// Most feed heads in one heads message (longer lists are split).
    public static let maxHeadsPerMessage = 10_000
    /// Most feed heads a peer may send in one session, all namespaces together.
    public static let maxHeadsPerSession = 1_000_000
    /// Most changesets in one batch.
    public static let maxBatchCount = 4_096
    /// Envelope bytes after which a sender closes its first batch (one envelope may exceed it, up
    /// to 1 MiB); later batches adapt between `minBatchBytes` and `maxBatchBytes` (`BatchSizer`).
    public static let batchBytes = 1 << 20
    /// The smallest byte target a sender adapts to, on a slow link.
    public static let minBatchBytes = 256 << 10
    /// The largest byte target a sender adapts to, on a fast link: with one last envelope of up to
    /// 1 MiB and the framing of 4,096 envelopes, a batch stays under the 4 MiB frame limit.
    public static let maxBatchBytes = 5 << 19
    /// Longest error message text, in bytes.
    public static let maxErrorText = 1_024
}
