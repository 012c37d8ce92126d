/// The signed content of a changeset: a CBOR map with unsigned keys 0 to 9 (`protocol/changeset.md`).
public struct ChangesetBody: Equatable, Sendable {
    public static let formatVersion: UInt64 = 1

    public var network: [UInt8]
    public var namespace: [UInt8]
    public var author: [UInt8]
    public var seq: UInt64
    public var prev: ChangesetID?
    /// Sorted bytewise, no duplicates.
    public var deps: [ChangesetID]
    public var hlc: HLC
    public var ops: [Op]
    public var message: String?

    /// Whether any op is a grant, revoke, name or visibility op (which need the admin role).
    public var hasAuthorityOps: Bool { Op.anyAuthority(in: ops) }

    public init(
        network: [UInt8], namespace: [UInt8], author: [UInt8], seq: UInt64, prev: ChangesetID?,
        deps: [ChangesetID], hlc: HLC, ops: [Op], message: String? = nil
    ) {
        self.network = network
        self.namespace = namespace
        self.author = author
        self.seq = seq
        self.prev = prev
        self.deps = Array(Set(deps)).sorted()
        self.hlc = hlc
        self.ops = ops
        self.message = message
    }

    /// Deterministic CBOR bytes. The caller guarantees the fields obey the format (the store's write path does).
    public func encoded() -> [UInt8] {
        encoded(opsEncoding: nil)
    }

    /// The same bytes as `encoded()`, with the ops array taken as already encoded: `opsEncoding`
    /// must be `ChangesetBody.encode(ops: ops)` (import encodes most ops on a preparing thread).
    public func encoded(opsEncoding: [UInt8]?) -> [UInt8] {
        var w = CBORWriter(capacity: 240 + (opsEncoding?.count ?? ops.count * 80))
        var n = 8
        if prev != nil { n += 1 }
        if message != nil { n += 1 }
        w.mapHeader(n)
        w.unsigned(0); w.unsigned(Self.formatVersion)
        w.unsigned(1); w.byteString(network)
        w.unsigned(2); w.byteString(namespace)
        w.unsigned(3); w.byteString(author)
        w.unsigned(4); w.unsigned(seq)
        if let prev { w.unsigned(5); w.byteString(prev.bytes) }
        w.unsigned(6); w.arrayHeader(deps.count)
        for d in deps { w.byteString(d.bytes) }
        w.unsigned(7); w.unsigned(hlc.rawValue)
        w.unsigned(8)
        if let opsEncoding { w.raw(opsEncoding) } else { Self.encode(ops: ops, into: &w) }
        if let message { w.unsigned(9); w.text(message) }
        return w.bytes
    }

    /// The body's ops array (key 8's value) on its own.
    public static func encode(ops: [Op]) -> [UInt8] {
        var w = CBORWriter(capacity: 8 + ops.count * 80)
        encode(ops: ops, into: &w)
        return w.bytes
    }

    private static func encode(ops: [Op], into w: inout CBORWriter) {
        w.arrayHeader(ops.count)
        for op in ops { op.encode(into: &w) }
    }

    /// Decodes body bytes, rejecting anything that is not the one canonical encoding of a valid body.
    public static func decode(_ data: [UInt8], range: Range<Int>? = nil) throws(FormatError) -> ChangesetBody {
        let f = try read(data, range: range, buildingOps: true)
        var body = ChangesetBody(
            network: f.network, namespace: f.namespace, author: f.author, seq: f.seq, prev: f.prev, deps: [], hlc: f.hlc,
            ops: f.ops, message: f.message)
        body.deps = f.deps
        return body
    }

    /// A body's fields as read; `ops` is empty unless they were built.
    struct Fields {
        var network: [UInt8], namespace: [UInt8], author: [UInt8], seq: UInt64, prev: ChangesetID?
        var deps: [ChangesetID], hlc: HLC, ops: [Op], opCount: Int, hasAuthorityOps: Bool, message: String?
    }

    /// Reads and checks a body. Every rule applies whether or not the ops are built
    /// (`ChangesetHeader` checks them without building them).
    static func read(_ data: [UInt8], range: Range<Int>?, buildingOps: Bool) throws(FormatError) -> Fields {
        var r = CBORReader(data, range: range)
        let count = try r.mapCount("body", max: 10)
        var last: UInt64?
        var network: [UInt8]?, namespace: [UInt8]?, author: [UInt8]?, seq: UInt64?, prev: ChangesetID?
        var deps: [ChangesetID]?, hlc: HLC?, ops: [Op] = [], opCount: Int?, message: String?
        var hasAuthorityOps = false
        var versionSeen = false
        for _ in 0..<count {
            let (major, key) = try r.head()
            guard major == .unsigned else { throw .wrongType("body key") }
            // Compare as UInt64: converting a key above Int64.max to Int64 traps.
            if let last, key <= last { throw .unsortedOrDuplicateKey }
            last = key
            switch key {
            case 0:
                let v = try r.unsigned("format version")
                guard v == formatVersion else { throw .unsupportedVersion(v) }
                versionSeen = true
            case 1: network = try r.fixedBytes("network id", count: 32)
            case 2: namespace = try r.fixedBytes("namespace id", count: 32)
            case 3: author = try r.fixedBytes("author key", count: 32)
            case 4:
                let s = try r.unsigned("seq")
                // Seqs count changesets: 1 to 2^63 - 1, so every store can hold them as signed 64-bit integers.
                guard s >= 1, s <= UInt64(Int64.max) else { throw .badValue("seq") }
                seq = s
            case 5: prev = ChangesetID(unchecked: try r.fixedBytes("prev", count: 32))
            case 6:
                let n = try r.arrayCount("deps", max: FormatLimits.maxDeps)
                var list: [ChangesetID] = []
                list.reserveCapacity(n)
                for _ in 0..<n {
                    let d = ChangesetID(unchecked: try r.fixedBytes("dep", count: 32))
                    if let l = list.last, !(l < d) { throw .badValue("deps order") }
                    list.append(d)
                }
                deps = list
            case 7: hlc = HLC(rawValue: try r.unsigned("hlc"))
            case 8:
                let n = try r.arrayCount("ops", max: FormatLimits.maxOps)
                guard n >= 1 else { throw .badValue("ops (empty)") }
                if buildingOps {
                    ops.reserveCapacity(n)
                    for _ in 0..<n {
                        let op = try Op.decode(from: &r)
                        if op.isAuthority { hasAuthorityOps = true }
                        ops.append(op)
                    }
                } else {
                    for _ in 0..<n {
                        if try Op.check(from: &r).isAuthority { hasAuthorityOps = true }
                    }
                }
                opCount = n
            case 9:
                let m = try r.text("message", max: FormatLimits.maxMessageBytes)
                guard !m.isEmpty else { throw .badValue("message (empty)") }
                message = m
            default: throw .unknownKey(key)
            }
        }
        try r.finish()
        guard versionSeen else { throw .missingKey(0) }
        guard let network else { throw .missingKey(1) }
        guard let namespace else { throw .missingKey(2) }
        guard let author else { throw .missingKey(3) }
        guard let seq else { throw .missingKey(4) }
        guard let deps else { throw .missingKey(6) }
        guard let hlc else { throw .missingKey(7) }
        guard let opCount else { throw .missingKey(8) }
        if seq == 1 && prev != nil { throw .badValue("prev present at seq 1") }
        if seq > 1 && prev == nil { throw .missingKey(5) }
        return Fields(
            network: network, namespace: namespace, author: author, seq: seq, prev: prev, deps: deps, hlc: hlc, ops: ops,
            opCount: opCount, hasAuthorityOps: hasAuthorityOps, message: message)
    }
}
