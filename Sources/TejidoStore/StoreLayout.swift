import Foundation
import TejidoCrypto

/// The files of a store directory.
struct StoreLayout {
    let directory: URL

    var database: URL { directory.appendingPathComponent("store.db") }
    var nodeKey: URL { directory.appendingPathComponent("node.key") }
    var config: URL { directory.appendingPathComponent("config.json") }
    var rootKeys: URL { directory.appendingPathComponent("keys") }

    func rootKey(_ hex: String) -> URL { rootKeys.appendingPathComponent(hex + ".key") }

    /// True if writing a file at `path` would replace one of the store's own files: the database
    /// and its log, the node key, the config, the root keys, an import's lock or spool. Symbolic
    /// links are followed, and a path that does not exist yet is judged by its folder.
    func owns(_ path: String) -> Bool {
        func resolved(_ p: String) -> String? {
            guard let r = realpath(p, nil) else { return nil }
            defer { free(r) }
            return String(cString: r)
        }
        let url = URL(fileURLWithPath: path)
        let file: URL
        if let r = resolved(url.path) {
            file = URL(fileURLWithPath: r)
        } else {
            let folder = url.deletingLastPathComponent().path
            file = URL(fileURLWithPath: resolved(folder) ?? folder).appendingPathComponent(url.lastPathComponent)
        }
        let store = resolved(directory.path) ?? directory.standardizedFileURL.path
        let folder = file.deletingLastPathComponent().path
        if folder == store {
            let name = file.lastPathComponent
            return name == "keys" || ["store.db", "node.key", "config.json", ".import-"].contains { name.hasPrefix($0) }
        }
        return folder == store + "/keys" || folder.hasPrefix(store + "/keys/")
    }

    /// Writes a secret as hex text, readable by the owner only (mode 0600), atomically.
    static func writeSecret(_ bytes: [UInt8], to url: URL) throws {
        let fm = FileManager.default
        let tmp = url.appendingPathExtension("tmp")
        let text = Data((Hex.encode(bytes) + "\n").utf8)
        guard fm.createFile(atPath: tmp.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw StoreError.keyFile(path: url.path, problem: .cannotCreate)
        }
        do {
            let handle = try FileHandle(forWritingTo: tmp)
            defer { try? handle.close() }
            try handle.write(contentsOf: text)
            try handle.synchronize()
        } catch {
            // No half-written key is left behind (a full disk, say).
            try? fm.removeItem(at: tmp)
            throw StoreError.fileWrite(path: url.path, error) { .keyFile(path: url.path, problem: .system($0)) }
        }
        if rename(tmp.path, url.path) != 0 {
            try? fm.removeItem(at: tmp)
            throw StoreError.keyFile(path: url.path, problem: .cannotRename)
        }
        // The rename is durable only once the directory entry is on disk.
        let dir = open(url.deletingLastPathComponent().path, O_RDONLY)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }

    static func readSecret(_ url: URL) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            // A file that is there but cannot be opened says why: the permissions, or no
            // descriptors left (`ulimit -n`), which "missing" would hide.
            let fd = open(url.path, O_RDONLY | O_CLOEXEC)
            let code = errno
            if fd >= 0 { close(fd) } else if code == EMFILE || code == ENFILE {
                throw StoreError.outOfDescriptors(path: url.path, detail: String(cString: strerror(code)))
            } else if code != ENOENT {
                throw StoreError.keyFile(path: url.path, problem: .system(String(cString: strerror(code))))
            }
            throw StoreError.keyFile(path: url.path, problem: .missingOrUnreadable)
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Hex.decode(text), bytes.count == 32 else {
            throw StoreError.keyFile(path: url.path, problem: .notHex)
        }
        return bytes
    }
}
