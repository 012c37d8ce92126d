import Testing
@testable import TejidoCrypto

@Suite("Ed25519PrivateKey")
struct Ed25519PrivateKeyTests {
    @Test("RFC 8032 seed gives the RFC public key", arguments: RFC8032Vector.all)
    func seedToPublicKey(_ v: RFC8032Vector) throws {
        let key = try Ed25519PrivateKey(seed: hex(v.seed))
        #expect(key.seed == hex(v.seed))
        #expect(Hex.encode(key.publicKey.bytes) == v.publicKey)
    }

    @Test("RFC 8032 signature bytes are reproduced exactly", arguments: RFC8032Vector.all)
    func signatureBytes(_ v: RFC8032Vector) throws {
        let key = try Ed25519PrivateKey(seed: hex(v.seed))
        let message = hex(v.message)
        if v.name == "TEST 1024" { #expect(message.count == 1023) }
        let sig = try key.signature(for: message)
        #expect(sig.count == 64)
        #expect(Hex.encode(sig) == v.signature)
    }

    @Test("Ed25519 signing is deterministic")
    func deterministic() throws {
        let key = try Ed25519PrivateKey()
        let message = Array("same message".utf8)
        #expect(try key.signature(for: message) == key.signature(for: message))
        #expect(try key.signature(for: message) != key.signature(for: message + [0]))
    }

    @Test("Fresh keys differ and carry a 32-byte seed")
    func freshKeys() throws {
        let a = try Ed25519PrivateKey()
        let b = try Ed25519PrivateKey()
        #expect(a.seed.count == 32)
        #expect(a.seed != b.seed)
        #expect(a.publicKey != b.publicKey)
        // A generated public key is a valid, acceptable point.
        #expect(Ed25519PublicKey(bytes: a.publicKey.bytes) == a.publicKey)
    }

    @Test("A seed that is not 32 bytes is refused", arguments: [0, 1, 31, 33, 64])
    func badSeedLength(_ n: Int) {
        #expect(throws: CryptoError.self) { try Ed25519PrivateKey(seed: [UInt8](repeating: 7, count: n)) }
    }
}
