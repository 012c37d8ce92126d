/// How keys and ids look as text: Bech32 with a prefix per kind, plus a short fingerprint.
public enum KeyText {
    /// Prefix of a node or author public key.
    public static let keyPrefix = "tjk"
    /// Prefix of a namespace id (the namespace's root public key).
    public static let namespacePrefix = "tjns"
    /// Prefix of a network id.
    public static let networkPrefix = "tjnet"

    public static func key(_ key: Ed25519PublicKey) -> String { Bech32.encode(prefix: keyPrefix, bytes: key.bytes) }
    public static func key(bytes: [UInt8]) -> String { Bech32.encode(prefix: keyPrefix, bytes: bytes) }
    /// A namespace id (its root key) as text: `tjns1...`.
    public static func namespace(bytes: [UInt8]) -> String { Bech32.encode(prefix: namespacePrefix, bytes: bytes) }

    /// True for text a reader would take for a key, a namespace id or a network id: one of their
    /// prefixes (any case) or 64 hex digits, whether or not it decodes.
    public static func looksLikeKeyText(_ text: String) -> Bool {
        let lower = text.lowercased()
        if [keyPrefix, namespacePrefix, networkPrefix].contains(where: { lower.hasPrefix($0 + "1") }) { return true }
        return text.utf8.count == 64 && Hex.decode(text) != nil
    }

    /// Parses a key given as Bech32 text (`tjk1...` or `tjns1...`) or as 64 hex digits.
    public static func parseKey(_ text: String) -> Ed25519PublicKey? {
        let trimmed = text.trimmingWhitespace()
        if trimmed.utf8.count == 64, let raw = Hex.decode(trimmed) { return Ed25519PublicKey(bytes: raw) }
        for prefix in [keyPrefix, namespacePrefix] {
            if let raw = try? Bech32.decode(trimmed, prefix: prefix), raw.count == 32 {
                return Ed25519PublicKey(bytes: raw)
            }
        }
        return nil
    }

    /// Ten characters in two groups, from the SHA-256 of the key: enough to tell keys apart at a glance.
    public static func fingerprint(_ bytes: [UInt8]) -> String {
        let digest = SHA256.hash(bytes)
        var acc: UInt64 = 0
        for b in digest.prefix(7) { acc = acc << 8 | UInt64(b) }
        var chars: [UInt8] = []
        for i in 0..<10 { chars.append(Bech32.alphabet[Int((acc >> UInt64(51 - 5 * i)) & 31)]) }
        return String(decoding: chars.prefix(5), as: UTF8.self) + "-" + String(decoding: chars.suffix(5), as: UTF8.self)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines (no Foundation needed).
    public func trimmingWhitespace() -> String {
        let ws: Set<UInt8> = [32, 9, 10, 13]
        let u = Array(utf8)
        guard let first = u.firstIndex(where: { !ws.contains($0) }), let last = u.lastIndex(where: { !ws.contains($0) }) else {
            return ""
        }
        return String(decoding: u[first...last], as: UTF8.self)
    }
}
