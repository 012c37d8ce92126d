import Testing
@testable import TejidoCrypto

@Suite("Ed25519Signer")
struct Ed25519SignerTests {
    @Test("RFC 8032 signatures, the same signer used for every message in turn")
    func vectors() throws {
        for v in RFC8032Vector.all {
            let signer = try Ed25519Signer(key: try Ed25519PrivateKey(seed: hex(v.seed)))
            // Twice each: the copied context must not keep state from the signature before.
            for _ in 0..<2 { #expect(Hex.encode(try signer.signature(for: hex(v.message))) == v.signature, "\(v.name)") }
        }
    }

    @Test("one signer over many messages signs as the key does, and every signature verifies")
    func manyMessages() throws {
        let key = try Ed25519PrivateKey()
        let signer = try Ed25519Signer(key: key)
        for n in 0..<64 {
            let message = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ n) }
            let sig = try signer.signature(for: message)
            #expect(sig == (try key.signature(for: message)))
            #expect(key.publicKey.isValidSignature(sig, for: message))
        }
    }
}
