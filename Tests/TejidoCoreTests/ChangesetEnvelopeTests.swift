import Testing
import TejidoCrypto
@testable import TejidoCore

@Suite("ChangesetEnvelope")
struct ChangesetEnvelopeTests {
    static let seed = [UInt8](repeating: 0x5e, count: 32)

    static func signedSmall() throws -> (ChangesetEnvelope, Ed25519PrivateKey) {
        let key = try Ed25519PrivateKey(seed: seed)
        var body = BodyEntries.validBody()
        body.author = key.publicKey.bytes
        return (try ChangesetEnvelope.sign(body, with: key), key)
    }

    @Test("sign then parse gives the same id and body and a valid signature")
    func signAndParse() throws {
        var gen = BodyGenerator(seed: 7)
        let key = try Ed25519PrivateKey(seed: Self.seed)
        for i in 0..<100 {
            var body = gen.body()
            body.author = key.publicKey.bytes
            let signed = try ChangesetEnvelope.sign(body, with: key)
            #expect(signed.hasValidSignature)
            #expect(Array(signed.bodyBytes) == body.encoded())
            let parsed = try ChangesetEnvelope(bytes: signed.bytes)
            #expect(parsed.id == signed.id, "iteration \(i)")
            #expect(parsed.id == ChangesetID.of(body: body.encoded()[...]))
            #expect(parsed.body == body, "iteration \(i)")
            #expect(parsed.bodyRange == signed.bodyRange)
            #expect(parsed.signature == signed.signature)
            #expect(parsed.hasValidSignature, "iteration \(i)")
        }
    }

    @Test("The signature covers the domain prefix and the id")
    func signedMessage() throws {
        let (env, key) = try Self.signedSmall()
        let expected = try key.signature(for: Array("tejido/changeset/v1".utf8) + env.id.bytes)
        #expect(env.signature == expected)
        #expect(env.bytes.prefix(1) == [0x82])
    }

    @Test("A signature by another key, or an author that is not a valid key, fails the check")
    func wrongSigner() throws {
        let key = try Ed25519PrivateKey(seed: Self.seed)
        let other = try Ed25519PrivateKey(seed: [UInt8](repeating: 0x01, count: 32))
        var body = BodyEntries.validBody()
        body.author = key.publicKey.bytes
        let forged = try ChangesetEnvelope(bytes: ChangesetEnvelope.sign(body, with: other).bytes)
        #expect(!forged.hasValidSignature)
        body.author = [1] + [UInt8](repeating: 0, count: 31)  // identity point: small order
        let smallOrderAuthor = try ChangesetEnvelope(bytes: ChangesetEnvelope.sign(body, with: key).bytes)
        #expect(!smallOrderAuthor.hasValidSignature)
    }

    static func envelope(body: [UInt8], signature: [UInt8]) -> [UInt8] {
        cbor { w in w.arrayHeader(2); w.byteString(body); w.byteString(signature) }
    }

    static var rejections: [RejectionCase] {
        let body = BodyEntries.valid().bytes
        let sig = [UInt8](repeating: 0x5a, count: 64)
        let good = envelope(body: body, signature: sig)
        return [
            RejectionCase("signature of 63 bytes", envelope(body: body, signature: Array(sig.prefix(63))), .badValue("signature length")),
            RejectionCase("signature of 65 bytes", envelope(body: body, signature: sig + [0]), .tooLarge("signature")),
            RejectionCase("signature as text", cbor { w in w.arrayHeader(2); w.byteString(body); w.text("sig") }, .wrongType("signature")),
            RejectionCase("trailing byte after envelope", good + [0x00], .trailingBytes),
            RejectionCase("array of one", cbor { w in w.arrayHeader(1); w.byteString(body) }, .badValue("envelope length")),
            RejectionCase("array of three", cbor { w in w.arrayHeader(3); w.byteString(body); w.byteString(sig); w.null() },
                .tooLarge("envelope")),
            RejectionCase("not an array", cbor { w in w.byteString(body) }, .wrongType("envelope")),
            RejectionCase("indefinite array (0x9f)", [0x9f] + Array(good.dropFirst()) + [0xff], .indefiniteLength),
            RejectionCase("body as map, not bytes", cbor { w in w.arrayHeader(2); w.raw(body); w.byteString(sig) }, .wrongType("body")),
            RejectionCase("non-shortest body length", cbor { w in
                w.arrayHeader(2); w.raw([0x5a, 0, 0, 0, UInt8(body.count)]); w.raw(body); w.byteString(sig) }, .nonShortestEncoding),
            RejectionCase("invalid body inside", envelope(body: BodyEntries.valid().replacing(4, with: [0x00]).bytes, signature: sig),
                .badValue("seq")),
            RejectionCase("trailing byte inside the body", envelope(body: body + [0x00], signature: sig), .trailingBytes),
            RejectionCase("over FormatLimits.maxEnvelopeBytes",
                envelope(body: body, signature: sig) + [UInt8](repeating: 0, count: FormatLimits.maxEnvelopeBytes), .tooLarge("envelope")),
            RejectionCase("empty input", [], .truncated),
        ]
    }

    @Test("Malformed envelopes are rejected with their own error", arguments: rejections)
    func rejects(_ c: RejectionCase) {
        #expect(throws: c.error) { try ChangesetEnvelope(bytes: c.bytes) }
    }

    @Test("An envelope of exactly maxEnvelopeBytes is not refused for its size")
    func sizeLimit() throws {
        // Array head (1) + body length head (5) + signature (2 + 64) around a body that fills the rest.
        let filler = [UInt8](repeating: 0, count: FormatLimits.maxEnvelopeBytes - 1 - 5 - 66)
        let bytes = cbor { w in w.arrayHeader(2); w.byteString(filler); w.byteString([UInt8](repeating: 1, count: 64)) }
        #expect(bytes.count == FormatLimits.maxEnvelopeBytes)
        // Not too large: it fails later, on the body content (a byte string of zeros is not a map).
        #expect(throws: FormatError.wrongType("body")) { try ChangesetEnvelope(bytes: bytes) }
        #expect(throws: FormatError.tooLarge("envelope")) { try ChangesetEnvelope(bytes: bytes + [0]) }
    }

    @Test("Every strict prefix of a valid envelope is truncated input")
    func truncation() throws {
        let (env, _) = try Self.signedSmall()
        #expect(try ChangesetEnvelope(bytes: env.bytes).hasValidSignature)
        for n in 0..<env.bytes.count {
            #expect(throws: FormatError.truncated, "prefix of \(n) bytes") { try ChangesetEnvelope(bytes: Array(env.bytes.prefix(n))) }
        }
    }

    @Test("Corrupting any byte never yields an accepted changeset")
    func corruption() throws {
        let (env, _) = try Self.signedSmall()
        var parsedCount = 0
        for i in env.bytes.indices {
            for mask: UInt8 in [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff] {
                var bytes = env.bytes
                bytes[i] ^= mask
                guard let parsed = try? ChangesetEnvelope(bytes: bytes) else { continue }
                parsedCount += 1
                // It parsed: then it must not be the same changeset with a good signature.
                #expect(parsed.id != env.id || parsed.signature != env.signature, "byte \(i) mask \(mask)")
                #expect(!parsed.hasValidSignature, "byte \(i) mask \(mask): corrupted envelope still verifies")
            }
        }
        // Flips inside the signature always parse, so the signature check is really exercised.
        #expect(parsedCount >= 64 * 9)
    }
}
