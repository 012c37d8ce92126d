import Testing
@testable import TejidoCrypto

@Suite("Ed25519Strict")
struct Ed25519StrictTests {
    /// "Taming the many EdDSAs" (speccheck) cases 0..11 and the answer of a strict verifier
    /// (libsodium's row): only case 3 is accepted.
    static let expectedStrict: [Bool] = [false, false, false, true, false, false, false, false, false, false, false, false]

    @Test("The 12 speccheck cases give the strict row")
    func speccheck() throws {
        let cases = try #require(try loadSharedJSON("ed25519/speccheck_cases.json") as? [[String: Any]])
        try #require(cases.count == 12)
        for (i, c) in cases.enumerated() {
            let msg = try #require(c["message"] as? String)
            let pk = try #require(c["pub_key"] as? String)
            let sig = try #require(c["signature"] as? String)
            let accepted = Ed25519PublicKey(bytes: hex(pk))?.isValidSignature(hex(sig), for: hex(msg)) ?? false
            #expect(accepted == Self.expectedStrict[i], "speccheck case \(i)")
        }
    }

    /// Encodings (sign bit clear and set) of the eight points of small order.
    static let smallOrder: [String] = [
        "0100000000000000000000000000000000000000000000000000000000000000",  // identity
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // order 2
        "0000000000000000000000000000000000000000000000000000000000000000",  // order 4
        "0000000000000000000000000000000000000000000000000000000000000080",  // order 4
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  // order 8
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  // order 8
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  // order 8
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  // order 8
    ]

    @Test("Small-order points are not acceptable", arguments: smallOrder)
    func smallOrderRejected(_ enc: String) {
        #expect(!Ed25519Strict.isAcceptablePoint(hex(enc)[...]))
        #expect(Ed25519PublicKey(bytes: hex(enc)) == nil)
    }

    @Test("Non-canonical y (y >= p) is not acceptable", arguments: [
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p + 1 (non-canonical identity)
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  // y = 2^255 - 1, sign bit set
        "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    ])
    func nonCanonicalRejected(_ enc: String) {
        #expect(!Ed25519Strict.isAcceptablePoint(hex(enc)[...]))
    }

    @Test("y = p - 2 and ordinary keys are acceptable")
    func acceptable() {
        // y = p - 1 is small order (order 2) but y = p - 2 is in range and not small order.
        #expect(Ed25519Strict.isAcceptablePoint(hex("ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")[...]))
        for v in RFC8032Vector.all {
            #expect(Ed25519Strict.isAcceptablePoint(hex(v.publicKey)[...]), "\(v.name)")
        }
        #expect(!Ed25519Strict.isAcceptablePoint(hex(RFC8032Vector.all[0].publicKey).prefix(31)))
    }

    static let order = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"  // L, little-endian

    @Test("Scalars below L are canonical, L and above are not")
    func scalars() {
        var lMinus1 = hex(Self.order)
        lMinus1[0] -= 1
        var lPlus1 = hex(Self.order)
        lPlus1[0] += 1
        #expect(Ed25519Strict.isCanonicalScalar([UInt8](repeating: 0, count: 32)[...]))
        #expect(Ed25519Strict.isCanonicalScalar(lMinus1[...]))
        #expect(!Ed25519Strict.isCanonicalScalar(hex(Self.order)[...]))
        #expect(!Ed25519Strict.isCanonicalScalar(lPlus1[...]))
        #expect(!Ed25519Strict.isCanonicalScalar([UInt8](repeating: 0xff, count: 32)[...]))
        #expect(!Ed25519Strict.isCanonicalScalar(lMinus1.prefix(31)))
        // A slice that does not start at index 0 is read from its own start.
        let padded = [0xaa] + lMinus1
        #expect(Ed25519Strict.isCanonicalScalar(padded[1...]))
        let paddedL = [0x00] + hex(Self.order)
        #expect(!Ed25519Strict.isCanonicalScalar(paddedL[1...]))
    }

    @Test("S + L of a valid signature is rejected (malleability)")
    func malleability() throws {
        let v = RFC8032Vector.all[0]
        let key = try #require(Ed25519PublicKey(bytes: hex(v.publicKey)))
        var sig = hex(v.signature)
        #expect(key.isValidSignature(sig, for: []))
        // Add L to S (little-endian, bytes 32..<64); S < L so the sum still fits in 256 bits.
        let l = hex(Self.order)
        var carry = 0
        for i in 0..<32 {
            let s = Int(sig[32 + i]) + Int(l[i]) + carry
            sig[32 + i] = UInt8(s & 0xff)
            carry = s >> 8
        }
        #expect(carry == 0)
        #expect(!key.isValidSignature(sig, for: []))
    }
}
