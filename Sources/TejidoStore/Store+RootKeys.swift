import Foundation
import TejidoCore
import TejidoCrypto

extension Store {
    /// Whether this store holds the root secret of a namespace (checked before asking for a passphrase).
    public func holdsRootKey(namespace text: String) throws -> Bool {
        let (root, _) = try resolveNamespace(text)
        return FileManager.default.fileExists(atPath: layout.rootKey(Hex.encode(root)).path)
    }

    /// Writes a namespace's root secret, sealed under a passphrase, to `path` (JSON, safe to print
    /// or copy by hand). With `forget`, the store then deletes its own copy: the namespace goes on
    /// (this node is admin there) and the file is the only way back to the root.
    public func exportRoot(namespace text: String, to path: String, passphrase: String, forget: Bool) throws {
        try refuseOwnFile(path)
        let (root, _) = try resolveNamespace(text)
        let file = layout.rootKey(Hex.encode(root))
        guard FileManager.default.fileExists(atPath: file.path) else { throw StoreError.noRootKey(text) }
        let seed = try StoreLayout.readSecret(file)
        let box = try PassphraseBox.seal(seed, passphrase: passphrase, context: root)
        // Never forget a secret that cannot be opened again.
        guard try box.open(passphrase: passphrase, context: root) == seed else { throw StoreError.keyFile(path: path, problem: .sealingFailed) }
        let json: [String: Any] = [
            "format": "tejido-root/1", "namespace": KeyText.namespace(bytes: root),
            "kdf": "scrypt", "log_n": Int(box.logN), "r": 8, "p": 1, "cipher": "aes-256-gcm",
            "salt": Hex.encode(box.salt), "nonce": Hex.encode(box.nonce), "ciphertext": Hex.encode(box.ciphertext), "tag": Hex.encode(box.tag),
        ]
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        // Written beside the target with mode 0600 from the start, then renamed over it: an older
        // file at that path, whatever its mode, is replaced whole.
        let tmp = path + ".tmp"
        try? FileManager.default.removeItem(atPath: tmp)
        guard FileManager.default.createFile(atPath: tmp, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw StoreError.keyFile(path: path, problem: .cannotWrite)
        }
        guard rename(tmp, path) == 0 else {
            try? FileManager.default.removeItem(atPath: tmp)
            throw StoreError.keyFile(path: path, problem: .cannotWrite)
        }
        if forget { try FileManager.default.removeItem(at: file) }
    }

    /// Throws `ownStoreFile` if writing at `path` would replace one of this store's own files.
    public func refuseOwnFile(_ path: String) throws {
        if layout.owns(path) { throw StoreError.ownStoreFile(path: path) }
    }

    /// Reads an exported root secret back into this store's key directory. Returns the namespace id.
    @discardableResult
    public func importRoot(from path: String, passphrase: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            json["format"] as? String == "tejido-root/1",
            let nsText = json["namespace"] as? String, let root = KeyText.parseKey(nsText)?.bytes,
            let logN = json["log_n"] as? Int, let salt = (json["salt"] as? String).flatMap(Hex.decode),
            let nonce = (json["nonce"] as? String).flatMap(Hex.decode), let ct = (json["ciphertext"] as? String).flatMap(Hex.decode),
            let tag = (json["tag"] as? String).flatMap(Hex.decode), (10...16).contains(logN)
        else { throw StoreError.notARootExport(path: path) }
        let box = PassphraseBox(salt: salt, nonce: nonce, ciphertext: ct, tag: tag, logN: UInt8(logN))
        guard let seed = try box.open(passphrase: passphrase, context: root), seed.count == 32,
            try Ed25519PrivateKey(seed: seed).publicKey.bytes == root
        else { throw StoreError.wrongPassphrase(path) }
        try FileManager.default.createDirectory(at: layout.rootKeys, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try StoreLayout.writeSecret(seed, to: layout.rootKey(Hex.encode(root)))
        return root
    }
}
