#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* Macros of OpenSSL's TLS API, as functions Swift can call. */

static inline int tejido_ssl_ctx_tls13_only(SSL_CTX *ctx) {
    return SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) == 1
        && SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) == 1;
}

static inline X509 *tejido_ssl_peer_certificate(SSL *ssl) {
    return SSL_get1_peer_certificate(ssl);
}

static inline int tejido_verify_accept_any(int preverify_ok, X509_STORE_CTX *ctx) {
    (void)preverify_ok; (void)ctx;
    /* Self-signed certificates are the point: the peer's key is pinned after the handshake. */
    return 1;
}

static inline void tejido_ssl_ctx_verify_peer(SSL_CTX *ctx, int require) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | (require ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0), tejido_verify_accept_any);
}

static inline long tejido_ssl_ctx_no_session_cache(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    return SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
}

/* Whether the first queued error says that the peer does not speak TLS at all: plain text or
   HTTP where a TLS record was expected. */
static inline int tejido_err_is_not_tls(void) {
    unsigned long e = ERR_peek_error();
    if (ERR_GET_LIB(e) != ERR_LIB_SSL) return 0;
    int r = ERR_GET_REASON(e);
    return r == SSL_R_WRONG_VERSION_NUMBER || r == SSL_R_HTTP_REQUEST || r == SSL_R_HTTPS_PROXY_REQUEST
        || r == SSL_R_PACKET_LENGTH_TOO_LONG;
}

/* Whether the first queued error is OpenSSL 3's "unexpected eof while reading": the peer closed
   the connection without a close_notify. */
static inline int tejido_err_is_unexpected_eof(void) {
    unsigned long e = ERR_peek_error();
    return ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
}
