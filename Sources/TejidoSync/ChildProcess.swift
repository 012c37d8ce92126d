import CSystem
import Foundation

/// A child process with pipes to its stdin and stdout: `tejido serve --stdio` run locally or
/// through ssh, which a `TLSStream` then runs over. The child's stderr goes to ours, so its
/// messages reach the user.
///
/// Started with `posix_spawn` and reaped with `waitpid` here, rather than through Foundation's
/// `Process`: that one needs a watcher thread and descriptors of its own, hangs when the system
/// refuses it a thread (`ulimit -u`), and ends the process when it is refused a descriptor. Here
/// every refusal comes back as an errno.
public final class ChildProcess {
    private let pid: pid_t
    /// What this side reads: the child's stdout.
    public let readFD: Int32
    /// What this side writes: the child's stdin.
    public let writeFD: Int32
    private var reaped = false
    private var closed = false

    public init(executable: String, arguments: [String]) throws {
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        // Close-on-exec: the child keeps only the ends dup2'd onto its stdin and stdout.
        guard csystem_pipe_cloexec(&toChild) == 0 else { throw StreamError.io(.start(executable), errno: errno) }
        guard csystem_pipe_cloexec(&fromChild) == 0 else {
            let e = errno
            Glibc.close(toChild[0])
            Glibc.close(toChild[1])
            throw StreamError.io(.start(executable), errno: e)
        }
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        // The signals this process ignores (a write to a closed pipe, past a file size limit) are
        // handled as usual in the child: an ignored signal would stay ignored across exec. The
        // others are left as the user's shell set them (a background job ignores SIGINT).
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGXFSZ)
        var none = sigset_t()
        sigemptyset(&none)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for arg in argv { free(arg) } }
        var child = pid_t()
        var rc = posix_spawn_file_actions_adddup2(&actions, toChild[0], STDIN_FILENO)
        if rc == 0 { rc = posix_spawn_file_actions_adddup2(&actions, fromChild[1], STDOUT_FILENO) }
        // Nothing else of this process reaches the child: a descriptor some library opened without
        // close-on-exec, inherited by what the child leaves running, would keep it open for that long.
        if rc == 0 { rc = csystem_spawn_closefrom(&actions, 3) }
        if rc == 0 { rc = posix_spawnattr_setsigdefault(&attributes, &defaults) }
        if rc == 0 { rc = posix_spawnattr_setsigmask(&attributes, &none) }
        if rc == 0 { rc = posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)) }
        if rc == 0 { rc = argv.withUnsafeBufferPointer { posix_spawn(&child, executable, &actions, &attributes, $0.baseAddress!, environ) } }
        // The child's ends belong to the child now (or to nobody, if it did not start).
        Glibc.close(toChild[0])
        Glibc.close(fromChild[1])
        guard rc == 0 else {
            Glibc.close(toChild[1])
            Glibc.close(fromChild[0])
            throw StreamError.io(.start(executable), errno: rc)
        }
        pid = child
        readFD = fromChild[0]
        writeFD = toChild[1]
    }

    deinit { close() }

    /// Finds a program on PATH, as a shell would. A path is taken as it is if something is there:
    /// starting it then says what is wrong with it (not executable: "Permission denied").
    public static func which(_ name: String) -> String? {
        guard !name.isEmpty else { return nil }
        if name.contains("/") { return FileManager.default.fileExists(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Closes both pipes and waits for the child to exit: a few seconds, then SIGTERM, then
    /// SIGKILL. Never waits without a bound, whatever the child or a process it left behind does
    /// with the pipes. Safe to call more than once.
    public func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(writeFD)
        // Closed before waiting: whatever still writes to it gets EPIPE instead of blocking.
        Glibc.close(readFD)
        if waitForExit(seconds: 5) { return }
        kill(pid, SIGTERM)
        if waitForExit(seconds: 2) { return }
        // A child that ignores SIGTERM is ended for good.
        kill(pid, SIGKILL)
        _ = waitForExit(seconds: 2)
    }

    /// True once the child has ended (it is reaped then, without waiting). A process it left
    /// behind may still hold its pipes: that they are open does not mean it runs.
    public var hasExited: Bool { waitForExit(seconds: 0) }

    /// Reaps the child if it ends within `seconds`; true once it has been reaped.
    private func waitForExit(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !reaped {
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            // ECHILD: already reaped (or never ours); either way there is nothing left to wait for.
            if r == pid || (r < 0 && errno == ECHILD) {
                reaped = true
            } else if r < 0 && errno == EINTR {
                continue
            } else if Date() >= deadline {
                return false
            } else {
                usleep(10_000)
            }
        }
        return true
    }
}

