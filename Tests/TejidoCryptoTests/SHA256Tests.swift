import Testing
@testable import TejidoCrypto

@Suite("SHA256")
struct SHA256Tests {
    /// FIPS 180-2 appendix B examples and the empty string.
    @Test("Known digests", arguments: [
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func known(_ input: String, _ digest: String) {
        #expect(Hex.encode(SHA256.hash(Array(input.utf8))) == digest)
    }

    @Test("One million 'a' gives the FIPS digest")
    func millionA() {
        let digest = SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(Hex.encode(digest) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("A slice hashes only its own bytes")
    func slice() {
        let bytes = Array("xxabcyy".utf8)
        #expect(SHA256.hash(bytes[2..<5]) == SHA256.hash(Array("abc".utf8)))
        #expect(SHA256.hash(bytes[2..<2]) == SHA256.hash([]))
        #expect(SHA256.hash([]).count == SHA256.byteCount)
    }
}
