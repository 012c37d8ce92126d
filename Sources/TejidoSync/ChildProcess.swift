import Foundation
import TejidoStore
import TejidoSystem

/// A child process with pipes to its stdin and stdout: `tejido serve --stdio` run locally or
/// through ssh, which a `TLSStream` then runs over. The child's stderr goes to ours, so its
/// messages reach the user.
public final class ChildProcess {
    private let process: Process
    private let toChild: Pipe
    private let fromChild: Pipe

    public init(executable: String, arguments: [String]) throws {
        // Two pipes, the child's launch and Foundation's own watcher need about ten descriptors,
        // and Foundation ends the process when one is refused: checked first.
        guard FileDescriptors.available(12) else { throw StreamError.io(.start(executable), errno: EMFILE) }
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        toChild = Pipe()
        fromChild = Pipe()
        process.standardInput = toChild
        process.standardOutput = fromChild
        do { try process.run() } catch {
            throw StreamError.io(.start(executable), errno: (error as NSError).posixCode ?? ENOENT)
        }
    }

    /// Finds a program on PATH, as a shell would.
    public static func which(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The descriptors of the pipes: what this side reads (the child's stdout) and writes (its stdin).
    public var readFD: Int32 { fromChild.fileHandleForReading.fileDescriptor }
    public var writeFD: Int32 { toChild.fileHandleForWriting.fileDescriptor }

    /// Closes both pipes and waits for the child to exit (at most a few seconds, then it is
    /// ended). Never waits without a bound: a process the child left behind (still writing to
    /// the pipe, or holding a descriptor of Foundation's that tells it the child ended) must not
    /// hold this side.
    public func close() {
        try? toChild.fileHandleForWriting.close()
        // Closed before waiting: whatever still writes to it gets EPIPE instead of blocking.
        try? fromChild.fileHandleForReading.close()
        var deadline = Date().addingTimeInterval(5)
        while running && Date() < deadline { usleep(10_000) }
        if running { process.terminate() }
        deadline = Date().addingTimeInterval(2)
        while running && Date() < deadline { usleep(10_000) }
        // A child that ignores SIGTERM is ended for good.
        if running { kill(process.processIdentifier, SIGKILL) }
        deadline = Date().addingTimeInterval(2)
        while running && Date() < deadline { usleep(10_000) }
    }

    /// The child has not ended. Foundation learns of the end through a descriptor the child's own
    /// children may inherit; an ended child waits as a zombie (state Z in /proc) until then.
    private var running: Bool {
        guard process.isRunning else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)) ?? ""
        // pid (comm) state ...: the state follows the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
    }
}
