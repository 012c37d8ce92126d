import Foundation
import TejidoCore
import TejidoCrypto
import TejidoStore

/// Reads a bundle or receipt file frame by frame, keeping the SHA-256 of what it read so the
/// trailer can be checked. Stops at the first damage and says where it is.
public final class BundleReader {
    public enum Item {
        case header(BundleFormat.Header)
        case receipt(BundleFormat.Receipt)
        /// One envelope and the file offset of its frame.
        case changeset([UInt8], offset: Int)
        /// The trailer, and whether its count and digest match what was read.
        case trailer(ok: Bool)
    }

    /// Where a file stops being readable, and why.
    public struct Damage: Error, Sendable {
        public let offset: Int
        public let kind: Kind
        /// The English of `kind`, for logs and `--json`.
        public var detail: String { kind.description }

        public init(offset: Int, _ kind: Kind) {
            self.offset = offset
            self.kind = kind
        }

        /// What is wrong at `offset`, typed so that a user interface can say it in its own language.
        public enum Kind: Sendable, Equatable, CustomStringConvertible {
            case notABundle
            case empty
            case truncated
            case bytesAfterTrailer
            case headerInReceipt, secondHeader, secondReceipt, receiptInBundle
            case changesetFrameNotOne, changesetBeforeHeader
            case malformedTrailer, trailerMismatch, noHeader
            case invalidChangeset(Store.InvalidEnvelope)
            case unknownFrameType(UInt64)
            /// The frame itself could not be read: cut inside it, of length 0 or over the limit.
            case frame(SyncProblem)
            /// A whole frame whose content breaks the format.
            case malformed(SyncProblem)
            case other(String)

            public var description: String {
                switch self {
                case .notABundle: "not a Tejido bundle (wrong magic bytes)"
                case .empty: "the file is empty"
                case .truncated: "the file ends before its trailer (truncated)"
                case .bytesAfterTrailer: "bytes after the trailer"
                case .headerInReceipt: "a header inside a receipt"
                case .secondHeader: "a second header"
                case .secondReceipt: "a second receipt"
                case .receiptInBundle: "a receipt inside a bundle"
                case .changesetFrameNotOne: "a changeset frame must hold exactly one envelope"
                case .changesetBeforeHeader: "a changeset before the header"
                case .malformedTrailer: "malformed trailer"
                case .trailerMismatch: "the trailer's count or digest does not match"
                case .noHeader: "no header"
                case .invalidChangeset(let reason): reason.description
                case .unknownFrameType(let t): "unknown frame type \(t)"
                case .frame(let p): p.description
                case .malformed(let p): "malformed frame: \(p)"
                case .other(let text): "malformed frame: \(text)"
                }
            }
        }
    }

    private let stream: FileDescriptorStream
    private let reader: FrameReader
    private var hasher = SHA256Stream()
    private var changesets: UInt64 = 0
    public private(set) var sawTrailer = false
    /// The order rules of bundle.md: one header (or one receipt) first, changesets only after a
    /// header. What breaks them is damage, for `apply` and `inspect` alike.
    private var sawHeader = false
    private var sawReceipt = false

    /// Opens `path`; throws `Damage` at offset 0 if it does not start with the bundle magic.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw StreamError.io(.open(path), errno: errno) }
        // A directory opens for reading on Linux; its first read would fail with the same error.
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            Foundation.close(fd)
            throw StreamError.io(.open(path), errno: EISDIR)
        }
        stream = FileDescriptorStream(input: fd, output: fd)
        reader = FrameReader(stream, bufferSize: 1 << 20)
        let magic: [UInt8]?
        do { magic = try reader.raw(BundleFormat.magic.count) } catch is SyncError { magic = [] }
        guard let magic else { throw Damage(offset: 0, .empty) }
        guard magic == BundleFormat.magic else { throw Damage(offset: 0, .notABundle) }
        hasher.update(BundleFormat.magic)
    }

    public var offset: Int { reader.consumed }
    /// Where the frame last returned by `next` starts.
    public private(set) var frameStart = 0

    /// The next item; nil at the end of the file after the trailer.
    public func next() throws(Damage) -> Item? {
        let start = reader.consumed
        frameStart = start
        // After the trailer only the end of the file may come: anything else, a whole frame or a
        // stray byte, is named as what it is.
        if sawTrailer {
            let more: [UInt8]?
            do { more = try reader.next() } catch { throw Damage(offset: start, .bytesAfterTrailer) }
            if more == nil { return nil }
            throw Damage(offset: start, .bytesAfterTrailer)
        }
        let payload: [UInt8]?
        do { payload = try reader.next() } catch {
            throw Damage(offset: start, Self.frameDamage(error))
        }
        guard let payload else { throw Damage(offset: start, .truncated) }
        var r = CBORReader(payload)
        let type: UInt64
        do {
            _ = try r.arrayCount("frame")
            type = try r.unsigned("type")
        } catch {
            throw Damage(offset: start, Self.contentDamage(error))
        }
        let digestBefore = hasher.current()
        let lengthPrefix = Self.prefix(payload.count)
        hasher.update(lengthPrefix)
        hasher.update(payload)
        do {
            switch type {
            case BundleFormat.headerType:
                let header = try BundleFormat.Header.decode(payload)
                guard !sawReceipt else { throw Damage(offset: start, .headerInReceipt) }
                guard !sawHeader, changesets == 0 else { throw Damage(offset: start, .secondHeader) }
                sawHeader = true
                return .header(header)
            case BundleFormat.receiptType:
                let receipt = try BundleFormat.Receipt.decode(payload)
                guard !sawReceipt else { throw Damage(offset: start, .secondReceipt) }
                guard !sawHeader else { throw Damage(offset: start, .receiptInBundle) }
                sawReceipt = true
                return .receipt(receipt)
            case 3:
                guard case .changesets(let envelopes, _) = try SyncMessage.decode(payload), envelopes.count == 1 else {
                    throw Damage(offset: start, .changesetFrameNotOne)
                }
                guard sawHeader else { throw Damage(offset: start, .changesetBeforeHeader) }
                changesets += 1
                return .changeset(envelopes[0], offset: start)
            case BundleFormat.trailerType:
                var t = CBORReader(payload)
                guard try t.arrayCount("trailer", max: 3) == 3 else { throw Damage(offset: start, .malformedTrailer) }
                _ = try t.unsigned("type")
                let count = try t.unsigned("count")
                let digest = try t.fixedBytes("digest", count: 32)
                try t.finish()
                sawTrailer = true
                return .trailer(ok: count == changesets && digest == digestBefore)
            default:
                throw Damage(offset: start, .unknownFrameType(type))
            }
        } catch let d as Damage {
            throw d
        } catch {
            throw Damage(offset: start, Self.contentDamage(error))
        }
    }

    /// Why a frame could not be read off the file.
    private static func frameDamage(_ error: any Error) -> Damage.Kind {
        if let e = error as? SyncError { return e.problem.map(Damage.Kind.frame) ?? .other(e.detail) }
        if let e = error as? StreamError { return .frame(.link(e)) }
        return .other("\(error)")
    }

    /// Why a whole frame's content is not what the format says: the protocol's problem, without
    /// its wire code (which means nothing to the reader of a file).
    private static func contentDamage(_ error: any Error) -> Damage.Kind {
        if let e = error as? SyncError { return e.problem.map(Damage.Kind.malformed) ?? .other(e.detail) }
        if let e = error as? FormatError { return .malformed(.format(e)) }
        return .other("\(error)")
    }

    static func prefix(_ n: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: n >> 24), UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
    }

    public func close() { stream.close() }
}
