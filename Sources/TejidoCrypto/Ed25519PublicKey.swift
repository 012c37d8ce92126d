import COpenSSL

/// An Ed25519 public key: 32 bytes, checked to be a canonical encoding of a point that is not of small order.
public struct Ed25519PublicKey: Hashable, Sendable, Comparable {
    public let bytes: [UInt8]

    /// Accepts only a 32-byte canonical encoding whose point is not of small order.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32, Ed25519Strict.isAcceptablePoint(bytes[...]) else { return nil }
        self.bytes = bytes
    }

    init(uncheckedBytes: [UInt8]) { self.bytes = uncheckedBytes }

    public static func < (a: Ed25519PublicKey, b: Ed25519PublicKey) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    /// Strict verification: rejects small-order or non-canonical R, and S >= L, before asking OpenSSL.
    /// A signature that does not verify is `false`, never an error.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == 64,
            Ed25519Strict.isAcceptablePoint(signature[0..<32]),
            Ed25519Strict.isCanonicalScalar(signature[32..<64])
        else { return false }
        guard let key = bytes.withUnsafeBufferPointer({
            EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32)
        }) else {
            CryptoError.clearQueue()
            return false
        }
        defer { EVP_PKEY_free(key) }
        guard let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, nil, nil, key) == 1 else {
            CryptoError.clearQueue()
            return false
        }
        let ok = signature.withUnsafeBufferPointer { s in
            message.withUnsafeBufferPointer { m in
                EVP_DigestVerify(ctx, s.baseAddress, 64, m.baseAddress, m.count)
            }
        }
        if ok != 1 { CryptoError.clearQueue() }
        return ok == 1
    }
}
