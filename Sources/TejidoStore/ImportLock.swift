import Foundation
import TejidoCrypto

/// Keeps two imports of the same input from running in one store at once: the second would
/// resume from, or repeat, what the first is still committing, and every line it repeats would
/// count twice. An exclusive `flock` on a file named after the input's identity, taken without
/// waiting and held for the import's life; the file is removed when the import ends. Imports of
/// different inputs do not contend.
final class ImportLock {
    private let path: String
    private let fd: Int32

    /// Takes the lock for `identity`, or throws `importRunning`.
    init(directory: URL, identity: String) throws {
        let name = ".import-" + Hex.encode(Array(SHA256.hash(Array(identity.utf8)).prefix(8))) + ".lock"
        path = directory.appendingPathComponent(name).path
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { throw StoreError.database("cannot open \(path): \(String(cString: strerror(errno)))") }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                let e = errno
                close(fd)
                if e == EWOULDBLOCK { throw StoreError.importRunning }
                throw StoreError.database("cannot lock \(path): \(String(cString: strerror(e)))")
            }
            // The holder before us may have removed the file after we opened it: the lock must be
            // on the file the path names now, or a third import could lock a new file beside us.
            var held = stat(), named = stat()
            if fstat(fd, &held) == 0, stat(path, &named) == 0, held.st_ino == named.st_ino, held.st_dev == named.st_dev {
                self.fd = fd
                return
            }
            close(fd)
        }
    }

    deinit {
        // Removed while still held, so that no one can lock this file after it is gone.
        unlink(path)
        close(fd)
    }
}
