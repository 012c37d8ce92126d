import COpenSSL

/// A self-signed X.509 certificate of a node's Ed25519 key, made fresh in memory for each process.
/// Owns its `X509` and `EVP_PKEY`; freed on deinit.
///
/// `@unchecked Sendable`: both handles are built in `init` and never changed afterwards; OpenSSL
/// only reads them (taking its own references) when a context uses them.
public final class TLSCertificate: @unchecked Sendable {
    let x509: OpaquePointer
    let pkey: OpaquePointer

    /// The certificate every carrier presents for a node: subject `tejido <fingerprint>`.
    public convenience init(nodeKey key: Ed25519PrivateKey) throws {
        try self.init(key: key, commonName: "tejido " + KeyText.fingerprint(key.publicKey.bytes))
    }

    public init(key: Ed25519PrivateKey, commonName: String) throws {
        CryptoError.clearQueue()
        guard let pkey = key.seed.withUnsafeBufferPointer({ EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32) })
        else { throw CryptoError.fromQueue("EVP_PKEY_new_raw_private_key") }
        guard let x509 = X509_new() else {
            EVP_PKEY_free(pkey)
            throw CryptoError.fromQueue("X509_new")
        }
        self.pkey = pkey
        self.x509 = x509
        // Version 3, a random positive serial, valid from an hour ago for 30 years.
        var serial = try SecureRandom.bytes(8)
        serial[0] &= 0x7f
        let serialNumber = serial.reduce(0) { $0 << 8 | Int($1) }
        guard X509_set_version(x509, 2) == 1,
            ASN1_INTEGER_set(X509_get_serialNumber(x509), serialNumber) == 1,
            X509_gmtime_adj(X509_getm_notBefore(x509), -3600) != nil,
            X509_gmtime_adj(X509_getm_notAfter(x509), 60 * 60 * 24 * 365 * 30) != nil,
            X509_set_pubkey(x509, pkey) == 1,
            let name = X509_get_subject_name(x509),
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1,
            X509_set_issuer_name(x509, name) == 1,
            X509_sign(x509, pkey, nil) > 0
        else { throw CryptoError.fromQueue("self-signed certificate") }
    }

    deinit {
        X509_free(x509)
        EVP_PKEY_free(pkey)
    }
}
