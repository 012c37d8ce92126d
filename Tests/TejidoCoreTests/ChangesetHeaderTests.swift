import Testing
import TejidoCrypto
@testable import TejidoCore

/// `ChangesetHeader.decode` checks a body without building its ops: it must accept and reject
/// exactly what `ChangesetBody.decode` does, with the same errors.
@Suite("ChangesetHeader")
struct ChangesetHeaderTests {
    /// Both readings of the same bytes: equal headers, or the same error.
    func expectSameVerdict(_ bytes: [UInt8], _ note: Comment) {
        let full: Result<ChangesetBody, FormatError> = Result { () throws(FormatError) in try ChangesetBody.decode(bytes) }
        let header: Result<ChangesetHeader, FormatError> = Result { () throws(FormatError) in try ChangesetHeader.decode(bytes) }
        switch (full, header) {
        case (.success(let body), .success(let h)): #expect(ChangesetHeader(of: body) == h, note)
        case (.failure(let a), .failure(let b)): #expect(a == b, note)
        default: Issue.record("one reading accepted, the other refused: \(note)")
        }
    }

    @Test("Random bodies: the header is the decoded body's", arguments: [11, 12] as [UInt64])
    func randomBodies(_ seed: UInt64) throws {
        var gen = BodyGenerator(seed: seed)
        var authority = 0
        for i in 0..<250 {
            let body = gen.body()
            let h = try ChangesetHeader.decode(body.encoded())
            #expect(h == ChangesetHeader(of: body), "seed \(seed) iteration \(i)")
            #expect(h.opCount == body.ops.count && h.hasAuthorityOps == body.ops.contains { $0.isAuthority })
            if h.hasAuthorityOps { authority += 1 }
        }
        // The generator makes both kinds, so both answers were checked.
        #expect(authority > 0 && authority < 250)
    }

    @Test("Every rejection of a body is the header's too", arguments: ChangesetBodyTests.rejections + OpTests.rejections + ValueTests.rejections)
    func rejections(_ c: RejectionCase) {
        #expect(throws: c.error) { try ChangesetHeader.decode(c.bytes) }
    }

    @Test("Every rejection of an envelope is checkedHeader's too", arguments: ChangesetEnvelopeTests.rejections)
    func envelopeRejections(_ c: RejectionCase) {
        #expect(throws: c.error) { try ChangesetEnvelope.checkedHeader(bytes: c.bytes) }
    }

    /// Random bodies with one byte changed, or cut: whatever the full decoder says, the header says.
    @Test("Damaged bodies get the same verdict from both", arguments: [21, 22, 23] as [UInt64])
    func damagedBodies(_ seed: UInt64) {
        var gen = BodyGenerator(seed: seed)
        for i in 0..<150 {
            var bytes = gen.body().encoded()
            let at = gen.int(0...(bytes.count - 1))
            switch gen.int(0...2) {
            case 0: bytes[at] ^= UInt8(1 << gen.int(0...7))
            case 1: bytes[at] = UInt8(gen.int(0...255))
            default: bytes = Array(bytes.prefix(at))
            }
            expectSameVerdict(bytes, "seed \(seed) iteration \(i) at \(at)")
        }
    }

    @Test("checkedHeader gives the envelope's id; the signature check on its bytes agrees with the envelope's")
    func signatureOnBytes() throws {
        let (env, key) = try ChangesetEnvelopeTests.signedSmall()
        let verifier = Ed25519Verifier()
        let (id, header) = try ChangesetEnvelope.checkedHeader(bytes: env.bytes)
        #expect(id == env.id && header == ChangesetHeader(of: env.body))
        #expect(ChangesetEnvelope.hasValidSignature(bytes: env.bytes, id: id, author: header.author, using: verifier))
        var damaged = env.bytes
        damaged[damaged.count - 1] ^= 1
        #expect(!ChangesetEnvelope.hasValidSignature(bytes: damaged, id: id, author: header.author, using: verifier))
        // Another key's signature over the same id does not pass for the author's.
        let other = try Ed25519PrivateKey(seed: [UInt8](repeating: 0x11, count: 32))
        #expect(!ChangesetEnvelope.hasValidSignature(bytes: env.bytes, id: id, author: other.publicKey.bytes, using: verifier))
        _ = key
    }

    @Test("Names starting with sqlite_ in any case are refused; near misses are not")
    func sqlitePrefix() {
        for name in ["sqlite_x", "SQLite_stat1", "SQLITE_", "sQlItE_a"] { #expect(!Names.isValidName(name), "\(name)") }
        for name in ["sqlite", "sqlitex", "sqlite-x", "sqlit_e", "xsqlite_"] { #expect(Names.isValidName(name), "\(name)") }
    }
}
