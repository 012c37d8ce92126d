import COpenSSL

/// An Ed25519 signing key. Owns one OpenSSL `EVP_PKEY`, freed on deinit.
///
/// `@unchecked Sendable`: the handle is created in `init`, never mutated afterwards, and OpenSSL
/// documents `EVP_DigestSign` with a fresh `EVP_MD_CTX` per call as safe on a shared const key.
public final class Ed25519PrivateKey: @unchecked Sendable {
    /// Internal for `Ed25519Signer`, which keeps a context initialized with it.
    let pkey: OpaquePointer
    /// The 32-byte seed (RFC 8032's private key).
    public let seed: [UInt8]
    public let publicKey: Ed25519PublicKey

    /// A fresh random key.
    public convenience init() throws {
        try self.init(seed: SecureRandom.bytes(32))
    }

    /// The key for a 32-byte RFC 8032 seed.
    public init(seed: [UInt8]) throws {
        guard seed.count == 32 else { throw CryptoError(operation: "Ed25519 seed", reason: "need 32 bytes, got \(seed.count)") }
        guard let key = seed.withUnsafeBufferPointer({
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32)
        }) else { throw CryptoError.fromQueue("EVP_PKEY_new_raw_private_key") }
        var pub = [UInt8](repeating: 0, count: 32)
        var len = 32
        guard EVP_PKEY_get_raw_public_key(key, &pub, &len) == 1, len == 32 else {
            EVP_PKEY_free(key)
            throw CryptoError.fromQueue("EVP_PKEY_get_raw_public_key")
        }
        self.pkey = key
        self.seed = seed
        self.publicKey = Ed25519PublicKey(uncheckedBytes: pub)
    }

    deinit { EVP_PKEY_free(pkey) }

    /// The 64-byte signature of `message`.
    public func signature(for message: [UInt8]) throws -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { throw CryptoError.fromQueue("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, nil, nil, pkey) == 1 else { throw CryptoError.fromQueue("EVP_DigestSignInit") }
        var sig = [UInt8](repeating: 0, count: 64)
        var sigLen = 64
        let ok = message.withUnsafeBufferPointer { m in
            EVP_DigestSign(ctx, &sig, &sigLen, m.baseAddress, m.count)
        }
        guard ok == 1, sigLen == 64 else { throw CryptoError.fromQueue("EVP_DigestSign") }
        return sig
    }
}
