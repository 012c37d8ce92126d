import Testing
@testable import TejidoCrypto

@Suite("KeyText")
struct KeyTextTests {
    static let keyHex = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"

    var key: Ed25519PublicKey { Ed25519PublicKey(bytes: hex(Self.keyHex))! }

    @Test("Key text is tjk Bech32 and parses back")
    func keyText() throws {
        let text = KeyText.key(key)
        #expect(text == "tjk16adfsqvzky9t042tlmfujeq88g8wzuhnm2nzxfd0qgdx3ac82ydqt4atsd")
        #expect(KeyText.parseKey(text) == key)
    }

    @Test("parseKey accepts tjk, tjns, hex in either case, and surrounding whitespace", arguments: [
        "tjk16adfsqvzky9t042tlmfujeq88g8wzuhnm2nzxfd0qgdx3ac82ydqt4atsd",
        "TJK16ADFSQVZKY9T042TLMFUJEQ88G8WZUHNM2NZXFD0QGDX3AC82YDQT4ATSD",
        "tjk16adfs-qvzky-9t042 tlmfu-jeq88-g8wzu hnm2n-zxfd0 qgdx3-ac82y dqt4a-tsd",
        "tjns16adfsqvzky9t042tlmfujeq88g8wzuhnm2nzxfd0qgdx3ac82ydqwp4lzg",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A",
        " \td75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a\n",
    ])
    func parses(_ text: String) {
        #expect(KeyText.parseKey(text) == key)
    }

    @Test("parseKey refuses other prefixes, wrong lengths and bad keys", arguments: [
        "",
        "tjnet16adfsqvzky9t042tlmfujeq88g8wzuhnm2nzxfd0qgdx3ac82ydqt4atsd",  // wrong prefix and checksum
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511",   // 63 hex digits
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a00", // 66 hex digits
        "0100000000000000000000000000000000000000000000000000000000000000",   // small-order point
        "tjk16adfs-qvzky-9t042 tlmfu-jeq88",  // cut short
        "zz5a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    ])
    func refuses(_ text: String) {
        #expect(KeyText.parseKey(text) == nil)
    }

    @Test("Bech32 of 31 or 33 bytes is not a key")
    func wrongByteCount() {
        #expect(KeyText.parseKey(Bech32.encode(prefix: "tjk", bytes: Array(hex(Self.keyHex).prefix(31)))) == nil)
        #expect(KeyText.parseKey(Bech32.encode(prefix: "tjk", bytes: hex(Self.keyHex) + [0])) == nil)
        #expect(KeyText.parseKey(Bech32.encode(prefix: "tjnet", bytes: hex(Self.keyHex))) == nil)
    }

    @Test("Fingerprint is xxxxx-xxxxx in the Bech32 alphabet, stable, and pinned")
    func fingerprint() throws {
        let fp = KeyText.fingerprint(key.bytes)
        // Computed independently: SHA-256 of the key, top 50 bits of the first 7 bytes in 5-bit groups.
        #expect(fp == "y8lrr-hap2j")
        #expect(KeyText.fingerprint(key.bytes) == fp)
        let alphabet = Set("qpzry9x8gf2tvdw0s3jn54khce6mua7l")
        for _ in 0..<20 {
            let other = try Ed25519PrivateKey().publicKey
            let f = KeyText.fingerprint(other.bytes)
            let parts = f.split(separator: "-", omittingEmptySubsequences: false)
            #expect(parts.count == 2)
            #expect(parts.allSatisfy { $0.count == 5 && $0.allSatisfy(alphabet.contains) }, "\(f)")
            #expect(f != fp)
        }
    }

    @Test("trimmingWhitespace strips spaces, tabs and newlines at both ends only")
    func trimming() {
        #expect(" \t a b \r\n".trimmingWhitespace() == "a b")
        #expect("   ".trimmingWhitespace() == "")
        #expect("x".trimmingWhitespace() == "x")
    }
}
