/// A changeset body without its ops: what `verify` needs after the signature. Reading one checks
/// the body by every rule of `ChangesetBody.decode`, ops included, but makes none of the ops'
/// Strings, values and lists, which are most of the cost of decoding a body.
public struct ChangesetHeader: Equatable, Sendable {
    public let network: [UInt8]
    public let namespace: [UInt8]
    public let author: [UInt8]
    public let seq: UInt64
    public let prev: ChangesetID?
    public let deps: [ChangesetID]
    public let hlc: HLC
    public let opCount: Int
    /// Whether any op is a grant, revoke, name or visibility op (which need the admin role).
    public let hasAuthorityOps: Bool
    public let message: String?

    /// Checks body bytes and keeps the header; throws exactly where `ChangesetBody.decode` would.
    public static func decode(_ data: [UInt8], range: Range<Int>? = nil) throws(FormatError) -> ChangesetHeader {
        let f = try ChangesetBody.read(data, range: range, buildingOps: false)
        return ChangesetHeader(
            network: f.network, namespace: f.namespace, author: f.author, seq: f.seq, prev: f.prev, deps: f.deps, hlc: f.hlc,
            opCount: f.opCount, hasAuthorityOps: f.hasAuthorityOps, message: f.message)
    }
}

extension ChangesetHeader {
    /// The header of a body already decoded. (In an extension, so that the struct keeps its
    /// memberwise initializer.)
    public init(of body: ChangesetBody) {
        self.init(
            network: body.network, namespace: body.namespace, author: body.author, seq: body.seq, prev: body.prev, deps: body.deps,
            hlc: body.hlc, opCount: body.ops.count, hasAuthorityOps: body.hasAuthorityOps, message: body.message)
    }
}
