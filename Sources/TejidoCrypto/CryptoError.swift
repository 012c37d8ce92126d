import COpenSSL

/// A failure inside OpenSSL, with the operation that failed and OpenSSL's own reason.
public struct CryptoError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let reason: String

    public var description: String { "\(operation): \(reason)" }

    /// Builds the error and drains OpenSSL's per-thread error queue in the same call that failed.
    static func fromQueue(_ operation: String) -> CryptoError {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return CryptoError(operation: operation, reason: reasons.isEmpty ? "unknown error" : reasons.joined(separator: "; "))
    }

    static func clearQueue() { ERR_clear_error() }
}
