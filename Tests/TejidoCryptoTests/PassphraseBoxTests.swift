import Testing
import TejidoCrypto

@Suite struct PassphraseBoxTests {
    let secret: [UInt8] = (0..<32).map { UInt8($0 * 7 & 0xff) }
    let context: [UInt8] = Array(repeating: 9, count: 32)

    @Test func opensOnlyWithTheRightPassphraseContextAndBytes() throws {
        let box = try PassphraseBox.seal(secret, passphrase: "caballo correcto", context: context)
        #expect(box.ciphertext != secret)
        #expect(try box.open(passphrase: "caballo correcto", context: context) == secret)
        #expect(try box.open(passphrase: "caballo incorrecto", context: context) == nil)
        #expect(try box.open(passphrase: "caballo correcto", context: Array(repeating: 8, count: 32)) == nil)
        var ct = box.ciphertext
        ct[0] ^= 1
        let tampered = PassphraseBox(salt: box.salt, nonce: box.nonce, ciphertext: ct, tag: box.tag, logN: box.logN)
        #expect(try tampered.open(passphrase: "caballo correcto", context: context) == nil)
        // Two seals of one secret share nothing but its length.
        let again = try PassphraseBox.seal(secret, passphrase: "caballo correcto", context: context)
        #expect(again.salt != box.salt && again.ciphertext != box.ciphertext)
    }

    /// Every work factor `open` accepts can be computed: a box whose log_n was changed to the
    /// largest one (16, 64 MiB of scrypt memory) is a wrong passphrase, not an error.
    @Test func everyAcceptedWorkFactorOpensOrFailsCleanly() throws {
        let box = try PassphraseBox.seal(secret, passphrase: "caballo correcto", context: context)
        let changed = PassphraseBox(salt: box.salt, nonce: box.nonce, ciphertext: box.ciphertext, tag: box.tag, logN: 16)
        #expect(try changed.open(passphrase: "caballo correcto", context: context) == nil)
    }
}
