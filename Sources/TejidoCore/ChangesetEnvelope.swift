import TejidoCrypto

/// A signed changeset exactly as it travels and is stored: CBOR `[body bytes, signature]`.
/// The bytes are kept as received and never re-encoded.
public struct ChangesetEnvelope: Sendable {
    /// Domain-separation prefix of the signed message (`tejido/changeset/v1` followed by the id).
    public static let signingPrefix = Array("tejido/changeset/v1".utf8)

    public let bytes: [UInt8]
    public let bodyRange: Range<Int>
    public let id: ChangesetID
    public let body: ChangesetBody

    public var signature: [UInt8] { Array(bytes.suffix(64)) }
    public var bodyBytes: ArraySlice<UInt8> { bytes[bodyRange] }

    /// Parses and checks the structure of an envelope; the signature is checked separately.
    public init(bytes: [UInt8]) throws(FormatError) {
        let body = try Self.bodyRange(of: bytes)
        self.bytes = bytes
        self.bodyRange = body
        self.body = try ChangesetBody.decode(bytes, range: body)
        self.id = ChangesetID.of(body: bytes[body])
    }

    /// Checks envelope bytes by every rule `init(bytes:)` applies, body and ops included, and
    /// returns the id and the header only: the ops are checked but not built (`verify`).
    public static func checkedHeader(bytes: [UInt8]) throws(FormatError) -> (id: ChangesetID, header: ChangesetHeader) {
        let body = try bodyRange(of: bytes)
        let header = try ChangesetHeader.decode(bytes, range: body)
        return (ChangesetID.of(body: bytes[body]), header)
    }

    /// The envelope's own structure, `[body, signature]`: returns where the body is.
    private static func bodyRange(of bytes: [UInt8]) throws(FormatError) -> Range<Int> {
        guard bytes.count <= FormatLimits.maxEnvelopeBytes else { throw .tooLarge("envelope") }
        var r = CBORReader(bytes)
        guard try r.arrayCount("envelope", max: 2) == 2 else { throw .badValue("envelope length") }
        let body = try r.byteStringRange("body")
        let sig = try r.byteStringRange("signature", max: 64)
        guard sig.count == 64 else { throw .badValue("signature length") }
        try r.finish()
        return body
    }

    /// Encodes, hashes and signs a body.
    public static func sign(_ body: ChangesetBody, with key: Ed25519PrivateKey) throws -> ChangesetEnvelope {
        let bodyBytes = body.encoded()
        let id = ChangesetID.of(body: bodyBytes[...])
        let sig = try key.signature(for: signingPrefix + id.bytes)
        var w = CBORWriter(capacity: bodyBytes.count + 80)
        w.arrayHeader(2)
        w.byteString(bodyBytes)
        w.byteString(sig)
        return ChangesetEnvelope(bytes: w.bytes, bodyRange: (w.bytes.count - 66 - bodyBytes.count)..<(w.bytes.count - 66), id: id, body: body)
    }

    private init(bytes: [UInt8], bodyRange: Range<Int>, id: ChangesetID, body: ChangesetBody) {
        self.bytes = bytes
        self.bodyRange = bodyRange
        self.id = id
        self.body = body
    }

    /// Strict Ed25519 check of the signature by the body's author over the prefix and id.
    public var hasValidSignature: Bool {
        guard let author = Ed25519PublicKey(bytes: body.author) else { return false }
        return author.isValidSignature(signature, for: Self.signingPrefix + id.bytes)
    }

    /// The same check through a verifier that keeps OpenSSL state between calls (one per thread).
    /// An author key that fails the strict checks never verifies.
    public func hasValidSignature(using verifier: Ed25519Verifier) -> Bool {
        Self.hasValidSignature(bytes: bytes, id: id, author: body.author, using: verifier)
    }

    /// The same check on envelope bytes that `checkedHeader(bytes:)` accepted, with its id and author.
    public static func hasValidSignature(bytes: [UInt8], id: ChangesetID, author: [UInt8], using verifier: Ed25519Verifier) -> Bool {
        guard let key = Ed25519PublicKey(bytes: author) else { return false }
        return verifier.isValidSignature(Array(bytes.suffix(64)), for: signingPrefix + id.bytes, by: key)
    }
}
