import COpenSSL

/// An OpenSSL `SSL_CTX` for TLS 1.3 only, presenting a node's self-signed certificate and asking
/// the peer for its own. Certificates are not checked against any CA: each side reads the peer's
/// Ed25519 key after the handshake and decides by its pinned keys.
///
/// `@unchecked Sendable`: configured once in `init`; OpenSSL allows one `SSL_CTX` to create
/// connections from several threads.
public final class TLSContext: @unchecked Sendable {
    public enum Side: Sendable { case client, server }

    let ctx: OpaquePointer
    public let side: Side
    private let certificate: TLSCertificate

    public init(side: Side, certificate: TLSCertificate) throws {
        CryptoError.clearQueue()
        guard let ctx = SSL_CTX_new(side == .client ? TLS_client_method() : TLS_server_method()) else {
            throw CryptoError.fromQueue("SSL_CTX_new")
        }
        self.ctx = ctx
        self.side = side
        self.certificate = certificate
        guard tejido_ssl_ctx_tls13_only(ctx) == 1,
            SSL_CTX_use_certificate(ctx, certificate.x509) == 1,
            SSL_CTX_use_PrivateKey(ctx, certificate.pkey) == 1,
            SSL_CTX_check_private_key(ctx) == 1
        else { throw CryptoError.fromQueue("TLS context") }
        // The server requires a client certificate; the client requires the server's.
        tejido_ssl_ctx_verify_peer(ctx, 1)
        _ = tejido_ssl_ctx_no_session_cache(ctx)
    }

    deinit { SSL_CTX_free(ctx) }
}
