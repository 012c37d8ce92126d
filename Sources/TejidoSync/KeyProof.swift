import TejidoCrypto

/// Proof that each side of a session holds the private half of the node key its hello names, for
/// carriers that do not prove it themselves (stdio: ssh and local children). TLS proves it with the
/// certificates (protocol/sync.md, section 1.2), so sessions over TLS do not use this.
///
/// Each hello carries a fresh 32-byte nonce; each side then signs, with its node key, the ASCII
/// bytes `tejido/sync/key-proof/v1`, one byte naming the signer (1 client, 2 server), the network
/// id, the client's key, the server's key, the client's nonce and the server's nonce. Both nonces
/// make the signature good for this session only; the signer byte keeps one side's proof from
/// being sent back as the other's; the keys and network bind it to these two nodes.
public enum KeyProof {
    public static let nonceBytes = 32
    static let context = Array("tejido/sync/key-proof/v1".utf8)

    /// The bytes that `signer` signs.
    public static func transcript(signer: SyncSession.Role, network: [UInt8], client: SyncMessage.Hello,
                                  server: SyncMessage.Hello) -> [UInt8] {
        var out = context
        out.append(signer == .client ? 1 : 2)
        out += network
        out += client.nodeKey
        out += server.nodeKey
        out += client.nonce ?? []
        out += server.nonce ?? []
        return out
    }

    /// Whether `signature` is `key`'s over `transcript`; false for a key that is not a valid point.
    public static func isValid(_ signature: [UInt8], key: [UInt8], transcript: [UInt8]) -> Bool {
        guard let publicKey = Ed25519PublicKey(bytes: key) else { return false }
        return publicKey.isValidSignature(signature, for: transcript)
    }

    public static func nonce() throws(SyncError) -> [UInt8] {
        do { return try SecureRandom.bytes(nonceBytes) } catch {
            throw SyncError(.other, "no random bytes for the key proof: \(error)")
        }
    }
}
