import Foundation
import Synchronization

/// Where the files this tool writes (bundles, receipts) go. Each is written whole beside its
/// destination as `NAME.part`, synced and renamed over it, so a crash leaves the old file or the
/// new one. Renaming replaces the directory entry, so only a regular file (or nothing) may stand
/// at the destination: a device, a pipe or a directory is refused rather than replaced, and a
/// symbolic link is followed to the file it names.
public enum OutputFile {
    /// The `.part` files being written now.
    private static let unfinished = Mutex<Set<String>>([])

    /// Removes the `.part` files being written now, for a command stopped by a signal, which
    /// ends the process before `write` can clean up after itself. True if there was one.
    @discardableResult
    public static func removeUnfinished() -> Bool {
        unfinished.withLock { parts in
            let any = !parts.isEmpty
            for part in parts { unlink(part) }
            parts.removeAll()
            return any
        }
    }

    /// The path to write: `path`, or the regular file a symbolic link at `path` leads to.
    private static func target(_ path: String) throws -> String {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return path }
            throw StreamError.io(.lookAt(path), errno: errno)
        }
        var target = path
        if (st.st_mode & S_IFMT) == S_IFLNK {
            guard let resolved = realpath(path, nil) else {
                throw StreamError.io(.symlinkToNothing(path), errno: errno)
            }
            target = String(cString: resolved)
            free(resolved)
            guard stat(target, &st) == 0 else { throw StreamError.io(.lookAt(target), errno: errno) }
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw StreamError.io(.notARegularFile(target), errno: 0)
        }
        return target
    }

    /// Creates `tmp` afresh for writing: a stale one is removed, and the new one is made by this
    /// call (O_EXCL) and never through a symbolic link put in its place (O_NOFOLLOW).
    private static func createPart(_ tmp: String) throws -> FileHandle {
        if unlink(tmp) != 0 && errno != ENOENT { throw StreamError.io(.removeStale(tmp), errno: errno) }
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StreamError.io(.create(tmp), errno: errno) }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Writes `bytes` to `path` (see `target`) through a synced `.part` file and a rename.
    static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { try $0.write(contentsOf: bytes) }
    }

    /// Writes to `path` (see `target`) whatever `body` writes to the handle it is given, through a
    /// synced `.part` file and a rename; if `body` throws, the `.part` file is removed and `path`
    /// is untouched.
    static func write<T>(to path: String, _ body: (FileHandle) throws -> T) throws -> T {
        let target = try target(path)
        let tmp = target + ".part"
        let handle = try createPart(tmp)
        unfinished.withLock { _ = $0.insert(tmp) }
        defer { unfinished.withLock { _ = $0.remove(tmp) } }
        do {
            let result = try body(handle)
            try handle.synchronize()
            try handle.close()
            // Renamed and taken off the list in one step: a signal's `removeUnfinished` sees the
            // part either before (and removes it) or after (and finds the file whole).
            let failure = unfinished.withLock { parts -> Int32 in
                guard rename(tmp, target) == 0 else { return errno }
                parts.remove(tmp)
                return 0
            }
            guard failure == 0 else { throw StreamError.io(.move(tmp, to: target), errno: failure) }
            return result
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
    }
}
