#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many file descriptors this process can still open, checked before work that would trap
/// without them: Foundation's `Pipe` and `Process`, and libdispatch's first timer, end the
/// process when the system refuses a descriptor (EMFILE under a low `ulimit -n`).
public enum FileDescriptors {
    /// True when `count` more descriptors can be opened now (they are opened and closed again).
    public static func available(_ count: Int) -> Bool {
        var opened: [Int32] = []
        defer { for fd in opened { close(fd) } }
        for _ in 0..<count {
            let fd = open("/", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return false }
            opened.append(fd)
        }
        return true
    }
}
