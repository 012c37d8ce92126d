import TejidoCore
import TejidoStore

/// The messages of the sync protocol. Each travels as one frame: a CBOR array whose first element
/// is the message type (protocol/sync.md).
public enum SyncMessage: Equatable, Sendable {
    /// 0: `[0, version, network id, node key, flags]`.
    case hello(Hello)
    /// 1: `[1, [[namespace, digest, feed count], ...]]`.
    case digests([NamespaceDigest])
    /// 2: `[2, namespace, [[author, seq, head], ...], final]`.
    case heads(namespace: [UInt8], heads: [FeedHead], final: Bool)
    /// 3: `[3, [envelope, ...], remaining]`: a batch, and how many changesets the sender has left after it.
    case changesets([[UInt8]], remaining: UInt64)
    /// 4: `[4, applied, duplicates, pending, quarantined]`: the receiver committed the last batch.
    case ack(BatchOutcome)
    /// 5: `[5, sent]`: the sender has nothing more; `sent` counts the changesets of the session.
    case done(sent: UInt64)
    /// 6: `[6, code, text]`: the session ends.
    case error(code: UInt64, text: String)

    public struct Hello: Equatable, Sendable {
        public let version: UInt64
        public let network: [UInt8]
        public let nodeKey: [UInt8]
        /// Bit 0: this side sends changesets; bit 1: it takes them in.
        public let flags: UInt64

        public init(version: UInt64 = SyncLimits.version, network: [UInt8], nodeKey: [UInt8], sends: Bool, receives: Bool) {
            self.version = version
            self.network = network
            self.nodeKey = nodeKey
            self.flags = (sends ? 1 : 0) | (receives ? 2 : 0)
        }

        init(version: UInt64, network: [UInt8], nodeKey: [UInt8], flags: UInt64) {
            self.version = version
            self.network = network
            self.nodeKey = nodeKey
            self.flags = flags
        }

        public var sends: Bool { flags & 1 != 0 }
        public var receives: Bool { flags & 2 != 0 }
    }

    public var typeCode: UInt64 {
        switch self {
        case .hello: 0
        case .digests: 1
        case .heads: 2
        case .changesets: 3
        case .ack: 4
        case .done: 5
        case .error: 6
        }
    }

    // MARK: Encoding

    public func encoded() -> [UInt8] {
        var w = CBORWriter(capacity: 128)
        switch self {
        case .hello(let h):
            w.arrayHeader(5); w.unsigned(0); w.unsigned(h.version); w.byteString(h.network); w.byteString(h.nodeKey)
            w.unsigned(h.flags)
        case .digests(let list):
            w.arrayHeader(2); w.unsigned(1); w.arrayHeader(list.count)
            for d in list { w.arrayHeader(3); w.byteString(d.namespace); w.byteString(d.digest); w.unsigned(UInt64(d.feeds)) }
        case .heads(let ns, let heads, let final):
            w.arrayHeader(4); w.unsigned(2); w.byteString(ns); w.arrayHeader(heads.count)
            for h in heads { w.arrayHeader(3); w.byteString(h.author); w.unsigned(h.seq); w.byteString(h.head) }
            w.bool(final)
        case .changesets(let envelopes, let remaining):
            w = CBORWriter(capacity: envelopes.reduce(16) { $0 + $1.count + 5 })
            w.arrayHeader(3); w.unsigned(3); w.arrayHeader(envelopes.count)
            for e in envelopes { w.byteString(e) }
            w.unsigned(remaining)
        case .ack(let o):
            w.arrayHeader(5); w.unsigned(4)
            for n in [o.applied, o.duplicates, o.pending, o.quarantined] { w.unsigned(UInt64(n)) }
        case .done(let sent):
            w.arrayHeader(2); w.unsigned(5); w.unsigned(sent)
        case .error(let code, let text):
            w.arrayHeader(3); w.unsigned(6); w.unsigned(code); w.text(Self.clip(text))
        }
        return w.bytes
    }

    /// Cuts a text to the error text limit at a character boundary.
    static func clip(_ text: String) -> String {
        var t = text
        while t.utf8.count > SyncLimits.maxErrorText { t.removeLast() }
        return t
    }

    // MARK: Decoding

    /// Decodes one frame payload; anything that is not exactly one well-formed message is an error.
    public static func decode(_ bytes: [UInt8]) throws(SyncError) -> SyncMessage {
        var r = CBORReader(bytes)
        do {
            let count = try r.arrayCount("message", max: 8)
            guard count >= 1 else { throw SyncError(.malformedFrame, .emptyMessage) }
            let type = try r.unsigned("message type")
            let message: SyncMessage
            func expect(_ n: Int) throws(SyncError) {
                guard count == n else { throw SyncError(.malformedFrame, .elementCount(type: type, count: count, expected: n)) }
            }
            switch type {
            case 0:
                try expect(5)
                let version = try r.unsigned("version")
                let network = try r.fixedBytes("network id", count: 32)
                let key = try r.fixedBytes("node key", count: 32)
                message = .hello(Hello(version: version, network: network, nodeKey: key, flags: try r.unsigned("flags")))
            case 1:
                try expect(2)
                let n = try r.arrayCount("digests", max: SyncLimits.maxNamespaces)
                var list: [NamespaceDigest] = []
                list.reserveCapacity(n)
                for _ in 0..<n {
                    guard try r.arrayCount("digest", max: 3) == 3 else { throw SyncError(.malformedFrame, .malformedEntry("digest")) }
                    let ns = try r.fixedBytes("namespace", count: 32)
                    let digest = try r.fixedBytes("digest", count: 32)
                    let feeds = try r.unsigned("feed count")
                    list.append(NamespaceDigest(namespace: ns, digest: digest, feeds: Int(clamping: feeds)))
                }
                message = .digests(list)
            case 2:
                try expect(4)
                let ns = try r.fixedBytes("namespace", count: 32)
                let n = try r.arrayCount("heads", max: SyncLimits.maxHeadsPerMessage)
                var heads: [FeedHead] = []
                heads.reserveCapacity(n)
                for _ in 0..<n {
                    guard try r.arrayCount("head", max: 3) == 3 else { throw SyncError(.malformedFrame, .malformedEntry("head")) }
                    let author = try r.fixedBytes("author", count: 32)
                    let seq = try r.unsigned("seq")
                    guard seq <= UInt64(Int64.max) else { throw SyncError(.malformedFrame, .seqTooLarge) }
                    heads.append(FeedHead(author: author, seq: seq, head: try r.fixedBytes("head", count: 32)))
                }
                guard case .bool(let final) = try r.simple("final") else { throw SyncError(.malformedFrame, .finalNotBoolean) }
                message = .heads(namespace: ns, heads: heads, final: final)
            case 3:
                try expect(3)
                let n = try r.arrayCount("changesets", max: SyncLimits.maxBatchCount)
                guard n > 0 else { throw SyncError(.malformedFrame, .emptyBatch) }
                var envelopes: [[UInt8]] = []
                envelopes.reserveCapacity(n)
                for _ in 0..<n { envelopes.append(try r.byteString("envelope", max: FormatLimits.maxEnvelopeBytes)) }
                message = .changesets(envelopes, remaining: try r.unsigned("remaining"))
            case 4:
                try expect(5)
                // Each count is at most a batch: larger ones are malformed (and could not be summed).
                var counts: [Int] = []
                for what in ["applied", "duplicates", "pending", "quarantined"] {
                    let n = try r.unsigned(what)
                    guard n <= UInt64(SyncLimits.maxBatchCount) else { throw SyncError(.malformedFrame, .countOverBatch(what, n)) }
                    counts.append(Int(n))
                }
                var o = BatchOutcome()
                (o.applied, o.duplicates, o.pending, o.quarantined) = (counts[0], counts[1], counts[2], counts[3])
                message = .ack(o)
            case 5:
                try expect(2)
                message = .done(sent: try r.unsigned("sent"))
            case 6:
                try expect(3)
                let code = try r.unsigned("error code")
                message = .error(code: code, text: try r.text("error text", max: SyncLimits.maxErrorText))
            default:
                throw SyncError(.unknownMessage, .unknownMessageType(type))
            }
            try r.finish()
            return message
        } catch let e as SyncError {
            throw e
        } catch let e as FormatError {
            throw SyncError(.malformedFrame, .format(e))
        } catch {
            throw SyncError(.malformedFrame, "\(error)")
        }
    }
}
