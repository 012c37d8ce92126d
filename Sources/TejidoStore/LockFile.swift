import Foundation

/// An exclusive `flock` on a file in a store's directory, held for this object's life; the file
/// is removed when it ends. One `init` of a directory at a time, and one import of a given input
/// at a time, are kept this way.
final class LockFile {
    /// Another holder has the lock and `wait` was false.
    struct Busy: Error {}
    /// The lock file could not be opened or locked.
    struct Failure: Error {
        let path: String
        let reason: String
    }

    private let path: String
    private let fd: Int32

    /// Takes the lock, waiting for it if `wait`; throws `Busy` otherwise when it is held.
    init(path: String, wait: Bool) throws {
        self.path = path
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
            var rc: Int32
            repeat { rc = flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) } while rc != 0 && errno == EINTR
            guard rc == 0 else {
                let e = errno
                close(fd)
                if e == EWOULDBLOCK { throw Busy() }
                throw Failure(path: path, reason: String(cString: strerror(e)))
            }
            // The holder before us may have removed the file after we opened it: the lock must be
            // on the file the path names now, or a third holder could lock a new file beside us.
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
