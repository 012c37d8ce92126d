import COpenSSL

/// Verifies many signatures on one thread, reusing OpenSSL state between calls: the public key
/// objects of recent authors and an initialized context per key, copied for each verification
/// (cheaper than fetching the algorithm from the provider every time). Same strict checks as
/// `Ed25519PublicKey.isValidSignature`.
public final class Ed25519Verifier {
    private var templates: [[UInt8]: OpaquePointer] = [:]  // EVP_MD_CTX initialized for verification
    private var keys: [OpaquePointer] = []  // EVP_PKEY, freed with the verifier
    private let work: OpaquePointer

    public init() {
        work = EVP_MD_CTX_new()
    }

    deinit {
        for t in templates.values { EVP_MD_CTX_free(t) }
        for k in keys { EVP_PKEY_free(k) }
        EVP_MD_CTX_free(work)
    }

    private func template(for key: Ed25519PublicKey) -> OpaquePointer? {
        if let t = templates[key.bytes] { return t }
        if templates.count >= 64 {
            for t in templates.values { EVP_MD_CTX_free(t) }
            for k in keys { EVP_PKEY_free(k) }
            templates.removeAll()
            keys.removeAll()
        }
        guard let pkey = key.bytes.withUnsafeBufferPointer({ EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32) })
        else { return nil }
        keys.append(pkey)
        guard let ctx = EVP_MD_CTX_new() else { return nil }
        guard EVP_DigestVerifyInit(ctx, nil, nil, nil, pkey) == 1 else {
            EVP_MD_CTX_free(ctx)
            return nil
        }
        templates[key.bytes] = ctx
        return ctx
    }

    public func isValidSignature(_ signature: [UInt8], for message: [UInt8], by key: Ed25519PublicKey) -> Bool {
        guard signature.count == 64,
            Ed25519Strict.isAcceptablePoint(signature[0..<32]),
            Ed25519Strict.isCanonicalScalar(signature[32..<64])
        else { return false }
        guard let t = template(for: key), EVP_MD_CTX_copy_ex(work, t) == 1 else {
            CryptoError.clearQueue()
            return key.isValidSignature(signature, for: message)
        }
        let ok = signature.withUnsafeBufferPointer { s in
            message.withUnsafeBufferPointer { m in EVP_DigestVerify(work, s.baseAddress, 64, m.baseAddress, m.count) }
        }
        if ok != 1 { CryptoError.clearQueue() }
        return ok == 1
    }
}

@available(*, unavailable)
extension Ed25519Verifier: Sendable {}
