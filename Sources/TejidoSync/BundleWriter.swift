import Foundation
import TejidoCore
import TejidoCrypto
import TejidoStore

/// Writes a bundle: what `theirHeads` lacks of `namespaces`, plus the grants that let the bundle
/// be checked on its own. Written to a temporary file and renamed, so a cut write never leaves a
/// file that looks complete.
public enum BundleWriter {
    public struct Result: Sendable {
        public let count: Int
        public let bytes: Int
        /// The namespaces the header names: private ones the target may not receive are left out.
        public let namespaces: Int
    }

    /// A private namespace goes in only for a target (`forKey`) whose key holds a role in it: a
    /// file can be copied or lost, so without a known member as target it is left out.
    public static func write(store: Store, to path: String, namespaces requested: [[UInt8]], theirHeads: [[UInt8]: [FeedHead]],
                             forKey: [UInt8]?, progress: (SyncStats) -> Void = { _ in }) throws -> Result {
        let namespaces = try requested.filter { ns in
            guard try store.isPrivate(namespace: ns) else { return true }
            guard let forKey else { return false }
            return try store.mayReceive(namespace: ns, key: forKey)
        }
        // The reader refuses a header naming more (bundle.md): better no file than one nobody can read.
        guard namespaces.count <= SyncLimits.maxNamespaces else {
            throw StreamError.io(.tooManyNamespaces(limit: SyncLimits.maxNamespaces, count: namespaces.count), errno: 0)
        }
        try store.refuseOwnFile(path)
        let cursor = try store.outgoing(namespaces: namespaces, theirHeads: theirHeads, withGrants: true)
        defer { cursor.close() }
        return try OutputFile.write(to: path) { handle in
            var hasher = SHA256Stream()
            var written = 0
            var buffer: [UInt8] = []
            func put(_ bytes: [UInt8]) throws {
                hasher.update(bytes)
                buffer += bytes
                written += bytes.count
                if buffer.count >= 1 << 20 {
                    try handle.write(contentsOf: buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try put(BundleFormat.magic)
            let header = BundleFormat.Header(network: store.networkID, creator: store.nodeKey.publicKey.bytes, created: store.now(),
                                             count: UInt64(cursor.total), namespaces: namespaces, forKey: forKey)
            try put(FrameWriter.frame(header.encoded()))
            var count = 0
            var stats = SyncStats()
            stats.toSend = cursor.total
            while true {
                let batch = try cursor.next(maxCount: 256, maxBytes: 1 << 20)
                if batch.isEmpty { break }
                for c in batch {
                    count += 1
                    // One changeset per frame: a cut file loses at most the changeset it cuts.
                    try put(FrameWriter.frame(SyncMessage.changesets([c.envelope], remaining: UInt64(max(0, cursor.total - count))).encoded()))
                    stats.sent = count
                    stats.toSend = max(stats.toSend, count)
                    stats.sentBytes += c.envelope.count
                }
                stats.wireBytesOut = written
                progress(stats)
            }
            try put(FrameWriter.frame(BundleFormat.trailer(count: UInt64(count), digest: hasher.finish())))
            try handle.write(contentsOf: buffer)
            return Result(count: count, bytes: written, namespaces: namespaces.count)
        }
    }

    /// Writes a receipt: what `store` holds of `namespaces` (those named in the bundle it applied),
    /// leaving out any its share list keeps from `recipient` (the bundle's creator), and any
    /// private namespace in which `recipient` holds no role.
    public static func writeReceipt(store: Store, to path: String, namespaces: [[UInt8]], recipient: [UInt8]?) throws {
        try store.refuseOwnFile(path)
        var heads: [[UInt8]: [[UInt8]: UInt64]] = [:]
        let shared = try recipient.flatMap { try store.sharedNamespaces(forPeerKey: $0) }
        for ns in namespaces where shared?.contains(ns) ?? true {
            // A private namespace's heads go only to a recipient that holds a role in it.
            if try store.isPrivate(namespace: ns), !(try recipient.map { try store.mayReceive(namespace: ns, key: $0) } ?? false) { continue }
            heads[ns] = Dictionary(try store.feedHeads(namespace: ns).map { ($0.author, $0.seq) }, uniquingKeysWith: max)
        }
        let receipt = BundleFormat.Receipt(network: store.networkID, holder: store.nodeKey.publicKey.bytes, created: store.now(), heads: heads)
        let payload = receipt.encoded()
        guard payload.count <= SyncLimits.maxFrameBytes else {
            throw StreamError.io(.receiptTooLarge(bytes: payload.count), errno: 0)
        }
        var bytes = BundleFormat.magic + FrameWriter.frame(payload)
        bytes += FrameWriter.frame(BundleFormat.trailer(count: 0, digest: SHA256.hash(bytes)))
        try OutputFile.write(bytes, to: path)
    }
}
