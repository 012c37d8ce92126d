import Foundation
import Testing
import TejidoCrypto
import TejidoSync

/// The child a pipe or ssh sync runs over: its pipes carry bytes both ways, a program that cannot
/// be started is an errno (not a crash or a hang), and closing it is bounded whatever the child does.
@Suite struct ChildProcessTests {
    private func readAll(_ fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return out }
            out += buffer[0..<n]
        }
    }

    @Test func bytesGoThroughTheChildAndBack() throws {
        let child = try ChildProcess(executable: "/bin/cat", arguments: [])
        let message = Array("hola desde el otro lado\n".utf8)
        #expect(message.withUnsafeBytes { write(child.writeFD, $0.baseAddress, $0.count) } == message.count)
        // cat ends at the end of its input; its stdout then ends too.
        shutdownWrite(child)
        #expect(readAll(child.readFD) == message)
        child.close()
    }

    /// Ends the child's input (cat then exits), keeping the descriptor number for close().
    private func shutdownWrite(_ child: ChildProcess) {
        // A duplicate keeps the descriptor number valid for close(); closing the original ends input.
        let null = open("/dev/null", O_WRONLY)
        dup2(null, child.writeFD)
        Foundation.close(null)
    }

    @Test func aMissingProgramIsAnErrnoOfStart() {
        do {
            _ = try ChildProcess(executable: "/nonexistent/tejido", arguments: ["serve", "--stdio"])
            Issue.record("a missing program started")
        } catch let e as StreamError {
            guard case .io(.start(let path), let code) = e else {
                Issue.record("unexpected \(e)")
                return
            }
            #expect(path == "/nonexistent/tejido")
            #expect(code == ENOENT)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// A path to something that is not a program is found, and starting it says why it cannot run.
    @Test func aFileThatIsNotExecutableIsPermissionDenied() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-program-\(getpid())").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("echo hola\n".utf8), attributes: [.posixPermissions: 0o644]))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(ChildProcess.which(path) == path)
        #expect(ChildProcess.which(path + "-missing") == nil)
        // An empty name is no program (not the first directory on PATH).
        #expect(ChildProcess.which("") == nil)
        do {
            _ = try ChildProcess(executable: path, arguments: [])
            Issue.record("a file without the execute bit started")
        } catch let e as StreamError {
            guard case .io(.start, let code) = e else {
                Issue.record("unexpected \(e)")
                return
            }
            #expect(code == EACCES)
        }
    }

    @Test func theChildDoesNotInheritTheSignalsThisProcessIgnores() throws {
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
        // The child reports its own ignored signals: SIGPIPE's and SIGXFSZ's bits must be clear there.
        let child = try ChildProcess(executable: "/bin/grep", arguments: ["^SigIgn:", "/proc/self/status"])
        let line = String(decoding: readAll(child.readFD), as: UTF8.self)
        child.close()
        let hex = try #require(line.split(separator: "\t").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        let mask = try #require(UInt64(hex, radix: 16))
        #expect(mask & (1 << (UInt64(SIGPIPE) - 1)) == 0)
        #expect(mask & (1 << (UInt64(SIGXFSZ) - 1)) == 0)
    }

    @Test func closeEndsAChildThatIgnoresItsInputAndSIGTERM() throws {
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "trap '' TERM; while :; do sleep 1; done"])
        let start = Date()
        child.close()
        // 5 s for the child to leave, 2 s after SIGTERM, then SIGKILL: bounded, not forever.
        #expect(Date().timeIntervalSince(start) < 12)
    }

    @Test func hasExitedSaysWhenTheChildHasEndedThoughItsPipeIsHeld() throws {
        let running = try ChildProcess(executable: "/bin/cat", arguments: [])
        #expect(!running.hasExited)
        running.close()
        // The child exits at once; the process it left behind holds both its pipes for 5 s.
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "sleep 5 & exit 0"])
        let deadline = Date().addingTimeInterval(3)
        while !child.hasExited && Date() < deadline { usleep(20_000) }
        #expect(child.hasExited)
        child.close()
    }

    /// A sync over a child whose program exits at once, leaving a background process that holds
    /// the pipes (a login script, a wrapper that forks), used to wait for the whole timeout.
    @Test func aHandshakeWithAChildThatEndedEndsSoonNotAtTheTimeout() throws {
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "sleep 8 & exit 0"])
        let key = try Ed25519PrivateKey()
        let context = try TLSContext(side: .client, certificate: try TLSCertificate(key: key, commonName: "client"))
        let start = Date()
        #expect(throws: StreamError.self) {
            _ = try TLSStream(readFD: child.readFD, writeFD: child.writeFD, context: context, timeout: 30,
                              peerAlive: { !child.hasExited }) { child.close() }
        }
        // Seconds, not the 30 of the timeout, nor the 8 the process left behind lives.
        #expect(Date().timeIntervalSince(start) < 4)
    }

    @Test func closeDoesNotWaitForAProcessTheChildLeftHoldingThePipe() throws {
        // The child exits at the end of its input; the process it left behind holds its stdout.
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "sleep 5 & cat >/dev/null"])
        let start = Date()
        child.close()
        // Well under the 5 s the process left behind lives (it ends soon after, not left running long).
        #expect(Date().timeIntervalSince(start) < 2)
    }
}
