import COpenSSL

/// SHA-256 over data that arrives in pieces. Owns an `EVP_MD_CTX`, freed on deinit.
public struct SHA256Stream: ~Copyable {
    private let ctx: OpaquePointer

    public init() {
        ctx = EVP_MD_CTX_new()
        EVP_DigestInit_ex(ctx, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(ctx) }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { _ = EVP_DigestUpdate(ctx, $0.baseAddress, $0.count) }
    }

    public mutating func update(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { _ = EVP_DigestUpdate(ctx, $0.baseAddress, $0.count) }
    }

    /// The digest of everything so far; the stream can go on afterwards.
    public func current() -> [UInt8] {
        let copy = EVP_MD_CTX_new()
        defer { EVP_MD_CTX_free(copy) }
        EVP_MD_CTX_copy_ex(copy, ctx)
        var out = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 32
        EVP_DigestFinal_ex(copy, &out, &len)
        return out
    }

    public mutating func finish() -> [UInt8] { current() }
}
