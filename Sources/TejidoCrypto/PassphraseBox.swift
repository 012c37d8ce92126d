import COpenSSL

/// A secret sealed under a passphrase: scrypt (N = 2^15, r = 8, p = 1) derives a 256-bit key from
/// the passphrase and a random salt; AES-256-GCM encrypts and authenticates. A wrong passphrase
/// or a changed byte fails to open.
public struct PassphraseBox: Equatable, Sendable {
    public static let logN: UInt8 = 15
    public let salt: [UInt8]
    public let nonce: [UInt8]
    public let ciphertext: [UInt8]
    public let tag: [UInt8]
    public let logN: UInt8

    public init(salt: [UInt8], nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8], logN: UInt8) {
        self.salt = salt
        self.nonce = nonce
        self.ciphertext = ciphertext
        self.tag = tag
        self.logN = logN
    }

    /// Seals `secret`; `context` (for example the namespace id) is authenticated with it.
    public static func seal(_ secret: [UInt8], passphrase: String, context: [UInt8]) throws -> PassphraseBox {
        let salt = try SecureRandom.bytes(16)
        let nonce = try SecureRandom.bytes(12)
        let key = try deriveKey(passphrase, salt: salt, logN: logN)
        let (ciphertext, tag) = try gcm(encrypt: true, key: key, nonce: nonce, aad: context, input: secret, tag: nil)
        return PassphraseBox(salt: salt, nonce: nonce, ciphertext: ciphertext, tag: tag!, logN: logN)
    }

    /// The secret, or nil for a wrong passphrase, another context, or damaged bytes.
    public func open(passphrase: String, context: [UInt8]) throws -> [UInt8]? {
        guard logN >= 10 && logN <= 16, salt.count == 16, nonce.count == 12, tag.count == 16 else { return nil }
        let key = try Self.deriveKey(passphrase, salt: salt, logN: logN)
        return try? Self.gcm(encrypt: false, key: key, nonce: nonce, aad: context, input: ciphertext, tag: tag).0
    }

    static func deriveKey(_ passphrase: String, salt: [UInt8], logN: UInt8) throws -> [UInt8] {
        var key = [UInt8](repeating: 0, count: 32)
        let pass = Array(passphrase.utf8)
        // What scrypt needs for N and r = 8 (128 * r * (N + 2) bytes), and a little more: a fixed
        // 64 MiB cap refused N = 2^16, which `open` accepts.
        let n = UInt64(1) << UInt64(logN)
        let maxMemory = 128 * 8 * (n + 2) + (1 << 20)
        let ok = pass.withUnsafeBufferPointer { p in
            salt.withUnsafeBufferPointer { s in
                EVP_PBE_scrypt(p.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, p.count,
                               s.baseAddress, s.count, n, 8, 1, maxMemory, &key, 32)
            }
        }
        guard ok == 1 else { throw CryptoError.fromQueue("scrypt") }
        return key
    }

    static func gcm(encrypt: Bool, key: [UInt8], nonce: [UInt8], aad: [UInt8], input: [UInt8], tag: [UInt8]?) throws -> ([UInt8], [UInt8]?) {
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CryptoError.fromQueue("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: input.count + 16)
        var len: Int32 = 0
        var total: Int32 = 0
        let initOK = encrypt
            ? EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, key, nonce)
            : EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, key, nonce)
        guard initOK == 1 else { throw CryptoError.fromQueue("AES-GCM init") }
        if !aad.isEmpty {
            let r = encrypt ? EVP_EncryptUpdate(ctx, nil, &len, aad, Int32(aad.count)) : EVP_DecryptUpdate(ctx, nil, &len, aad, Int32(aad.count))
            guard r == 1 else { throw CryptoError.fromQueue("AES-GCM aad") }
        }
        let r = encrypt ? EVP_EncryptUpdate(ctx, &out, &len, input, Int32(input.count)) : EVP_DecryptUpdate(ctx, &out, &len, input, Int32(input.count))
        guard r == 1 else { throw CryptoError.fromQueue("AES-GCM update") }
        total = len
        if encrypt {
            guard out.withUnsafeMutableBufferPointer({ EVP_EncryptFinal_ex(ctx, $0.baseAddress! + Int(total), &len) }) == 1 else {
                throw CryptoError.fromQueue("AES-GCM final")
            }
            total += len
            var t = [UInt8](repeating: 0, count: 16)
            guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, &t) == 1 else { throw CryptoError.fromQueue("AES-GCM tag") }
            return (Array(out.prefix(Int(total))), t)
        }
        var t = tag ?? []
        guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, &t) == 1 else { throw CryptoError.fromQueue("AES-GCM tag") }
        guard out.withUnsafeMutableBufferPointer({ EVP_DecryptFinal_ex(ctx, $0.baseAddress! + Int(total), &len) }) == 1 else {
            CryptoError.clearQueue()
            throw CryptoError(operation: "AES-GCM open", reason: "authentication failed")
        }
        total += len
        return (Array(out.prefix(Int(total))), nil)
    }
}
