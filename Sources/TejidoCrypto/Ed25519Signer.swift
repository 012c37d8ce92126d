import COpenSSL

/// Signs many messages on one thread with one key, reusing OpenSSL state between calls: a
/// context initialized for the key once, copied for each signature. Initializing a context
/// fetches the algorithm from the provider each time, about a quarter of a signature's cost.
/// Same signatures as `Ed25519PrivateKey.signature(for:)` (Ed25519 is deterministic).
public final class Ed25519Signer {
    public let key: Ed25519PrivateKey
    private let template: OpaquePointer
    private let work: OpaquePointer

    public init(key: Ed25519PrivateKey) throws {
        guard let template = EVP_MD_CTX_new() else { throw CryptoError.fromQueue("EVP_MD_CTX_new") }
        guard let work = EVP_MD_CTX_new() else {
            EVP_MD_CTX_free(template)
            throw CryptoError.fromQueue("EVP_MD_CTX_new")
        }
        guard EVP_DigestSignInit(template, nil, nil, nil, key.pkey) == 1 else {
            EVP_MD_CTX_free(template)
            EVP_MD_CTX_free(work)
            throw CryptoError.fromQueue("EVP_DigestSignInit")
        }
        self.key = key
        self.template = template
        self.work = work
    }

    deinit {
        EVP_MD_CTX_free(template)
        EVP_MD_CTX_free(work)
    }

    /// The 64-byte signature of `message`.
    public func signature(for message: [UInt8]) throws -> [UInt8] {
        guard EVP_MD_CTX_copy_ex(work, template) == 1 else { throw CryptoError.fromQueue("EVP_MD_CTX_copy_ex") }
        var sig = [UInt8](repeating: 0, count: 64)
        var sigLen = 64
        let ok = message.withUnsafeBufferPointer { m in EVP_DigestSign(work, &sig, &sigLen, m.baseAddress, m.count) }
        guard ok == 1, sigLen == 64 else { throw CryptoError.fromQueue("EVP_DigestSign") }
        return sig
    }
}

@available(*, unavailable)
extension Ed25519Signer: Sendable {}
