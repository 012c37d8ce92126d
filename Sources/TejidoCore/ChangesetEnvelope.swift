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
        guard bytes.count <= FormatLimits.maxEnvelopeBytes else { throw .tooLarge("envelope") }
        var r = CBORReader(bytes)
        guard try r.arrayCount("envelope", max: 2) == 2 else { throw .badValue("envelope length") }
        let body = try r.byteStringRange("body")
        let sig = try r.byteStringRange("signature", max: 64)
        guard sig.count == 64 else { throw .badValue("signature length") }
        try r.finish()
        self.bytes = bytes
        self.bodyRange = body
        self.body = try ChangesetBody.decode(bytes, range: body)
        self.id = ChangesetID.of(body: bytes[body])
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
        guard let author = Ed25519PublicKey(bytes: body.author) else { return false }
        return verifier.isValidSignature(signature, for: Self.signingPrefix + id.bytes, by: author)
    }
}
