import TejidoCore

/// The bundle file format (protocol/bundle.md): 8 magic bytes, then frames as on the wire (a
/// 4-byte big-endian length and a CBOR array): one header, one frame per changeset, a trailer.
/// A receipt has the same magic, a receipt frame and a trailer.
public enum BundleFormat {
    /// 0x89 'T' 'J' 'B' CR LF 0x1A LF: binary, and damage by text-mode transfers shows at once.
    public static let magic: [UInt8] = [0x89, 0x54, 0x4A, 0x42, 0x0D, 0x0A, 0x1A, 0x0A]
    public static let version: UInt64 = 1

    /// Message types used only in files (0-15 are the wire protocol's).
    public static let headerType: UInt64 = 16
    public static let trailerType: UInt64 = 17
    public static let receiptType: UInt64 = 18

    /// `[16, version, network, creator key, created ms, count, [namespace, ...], for key or null]`.
    public struct Header: Equatable, Sendable {
        public var network: [UInt8]
        public var creator: [UInt8]
        public var created: UInt64
        public var count: UInt64
        public var namespaces: [[UInt8]]
        public var forKey: [UInt8]?

        public init(network: [UInt8], creator: [UInt8], created: UInt64, count: UInt64, namespaces: [[UInt8]], forKey: [UInt8]?) {
            self.network = network
            self.creator = creator
            self.created = created
            self.count = count
            self.namespaces = namespaces
            self.forKey = forKey
        }

        public func encoded() -> [UInt8] {
            var w = CBORWriter(capacity: 128 + namespaces.count * 34)
            w.arrayHeader(8); w.unsigned(headerType); w.unsigned(version); w.byteString(network); w.byteString(creator)
            w.unsigned(created); w.unsigned(count)
            w.arrayHeader(namespaces.count)
            for ns in namespaces { w.byteString(ns) }
            if let forKey { w.byteString(forKey) } else { w.null() }
            return w.bytes
        }

        public static func decode(_ bytes: [UInt8]) throws(FormatError) -> Header {
            var r = CBORReader(bytes)
            guard try r.arrayCount("header", max: 8) == 8, try r.unsigned("type") == headerType else { throw .badValue("bundle header") }
            let v = try r.unsigned("version")
            guard v == version else { throw .unsupportedVersion(v) }
            let network = try r.fixedBytes("network", count: 32)
            let creator = try r.fixedBytes("creator", count: 32)
            let created = try r.unsigned("created")
            let count = try r.unsigned("count")
            var namespaces: [[UInt8]] = []
            for _ in 0..<(try r.arrayCount("namespaces", max: SyncLimits.maxNamespaces)) { namespaces.append(try r.fixedBytes("namespace", count: 32)) }
            var forKey: [UInt8]?
            if try r.peekMajor() == .simple {
                guard try r.simple("for") == .null else { throw .wrongType("for") }
            } else {
                forKey = try r.fixedBytes("for", count: 32)
            }
            try r.finish()
            return Header(network: network, creator: creator, created: created, count: count, namespaces: namespaces, forKey: forKey)
        }
    }

    /// `[17, count, sha256]`: how many changeset frames came before, and the SHA-256 of every byte
    /// of the file before the trailer frame (magic included).
    public static func trailer(count: UInt64, digest: [UInt8]) -> [UInt8] {
        var w = CBORWriter(capacity: 48)
        w.arrayHeader(3); w.unsigned(trailerType); w.unsigned(count); w.byteString(digest)
        return w.bytes
    }

    /// `[18, version, network, holder key, created ms, [[namespace, [[author, seq], ...]], ...]]`:
    /// what the store that applied a bundle holds, carried back to the sender.
    public struct Receipt: Equatable, Sendable {
        public var network: [UInt8]
        public var holder: [UInt8]
        public var created: UInt64
        public var heads: [[UInt8]: [[UInt8]: UInt64]]

        public init(network: [UInt8], holder: [UInt8], created: UInt64, heads: [[UInt8]: [[UInt8]: UInt64]]) {
            self.network = network
            self.holder = holder
            self.created = created
            self.heads = heads
        }

        public func encoded() -> [UInt8] {
            var w = CBORWriter(capacity: 256)
            w.arrayHeader(6); w.unsigned(receiptType); w.unsigned(version); w.byteString(network); w.byteString(holder)
            w.unsigned(created)
            let namespaces = heads.keys.sorted { $0.lexicographicallyPrecedes($1) }
            w.arrayHeader(namespaces.count)
            for ns in namespaces {
                w.arrayHeader(2); w.byteString(ns)
                let feeds = heads[ns]!.sorted { $0.key.lexicographicallyPrecedes($1.key) }
                w.arrayHeader(feeds.count)
                for (author, seq) in feeds { w.arrayHeader(2); w.byteString(author); w.unsigned(seq) }
            }
            return w.bytes
        }

        public static func decode(_ bytes: [UInt8]) throws(FormatError) -> Receipt {
            var r = CBORReader(bytes)
            guard try r.arrayCount("receipt", max: 6) == 6, try r.unsigned("type") == receiptType else { throw .badValue("receipt") }
            let v = try r.unsigned("version")
            guard v == version else { throw .unsupportedVersion(v) }
            let network = try r.fixedBytes("network", count: 32)
            let holder = try r.fixedBytes("holder", count: 32)
            let created = try r.unsigned("created")
            var heads: [[UInt8]: [[UInt8]: UInt64]] = [:]
            for _ in 0..<(try r.arrayCount("namespaces", max: SyncLimits.maxNamespaces)) {
                guard try r.arrayCount("namespace entry", max: 2) == 2 else { throw .badValue("namespace entry") }
                let ns = try r.fixedBytes("namespace", count: 32)
                var feeds: [[UInt8]: UInt64] = [:]
                for _ in 0..<(try r.arrayCount("feeds", max: 10_000_000)) {
                    guard try r.arrayCount("feed", max: 2) == 2 else { throw .badValue("feed") }
                    let author = try r.fixedBytes("author", count: 32)
                    let seq = try r.unsigned("seq")
                    guard seq <= UInt64(Int64.max) else { throw .integerOutOfRange }
                    feeds[author] = seq
                }
                heads[ns] = feeds
            }
            try r.finish()
            return Receipt(network: network, holder: holder, created: created, heads: heads)
        }
    }
}
