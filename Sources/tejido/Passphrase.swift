import Foundation

/// Where a passphrase comes from: a file, the TEJIDO_PASSPHRASE variable, or the terminal
/// (without echo). Never from the command line, where other users could read it.
enum Passphrase {
    static func read(file: String?, confirm: Bool, console: Console) throws -> String {
        if let file {
            let fd = open(file, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw console.fail(.errCannotReadFile, file, String(cString: strerror(errno))) }
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            let data: Data
            do { data = try handle.readToEnd() ?? Data() } catch { throw console.fail(.errCannotReadFile, file, Console.reason(error)) }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
            guard !text.isEmpty else { throw console.fail(.errEmptyPassphraseFile, file) }
            return text
        }
        if let env = ProcessInfo.processInfo.environment["TEJIDO_PASSPHRASE"], !env.isEmpty { return env }
        guard let first = prompt(console.t(.passphrasePrompt)), !first.isEmpty else { throw console.fail(.errNoPassphrase) }
        if confirm {
            guard let again = prompt(console.t(.passphraseAgain)), again == first else { throw console.fail(.errPassphraseMismatch) }
        }
        return first
    }

    /// Reads a line from the controlling terminal with echo off; nil without a terminal.
    static func prompt(_ text: String) -> String? {
        let fd = open("/dev/tty", O_RDWR)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        _ = tcsetattr(fd, TCSAFLUSH, &quiet)
        defer {
            _ = tcsetattr(fd, TCSAFLUSH, &saved)
            _ = Foundation.write(fd, "\n", 1)
        }
        _ = Array(text.utf8).withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while Foundation.read(fd, &byte, 1) == 1 && byte != 10 && line.count < 4096 { line.append(byte) }
        return String(decoding: line, as: UTF8.self)
    }
}
