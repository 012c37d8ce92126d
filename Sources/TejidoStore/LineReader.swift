import Foundation

/// Reads a file descriptor line by line in large chunks, without loading the whole input.
struct LineReader {
    let fd: Int32
    /// Lines are numbered from `lineNumberBefore + 1` (a reader started in the middle of a file).
    var lineNumberBefore = 0
    /// No line of a valid import is longer than a changeset may be.
    static let maxLine = 2 << 20
    /// Asked while a pipe or terminal has nothing to read: true ends the reading with `Stopped`.
    /// Without it a reader blocked on an idle pipe could not be stopped until data or EOF came.
    var shouldStop: (() -> Bool)? = nil

    struct Stopped: Error {}

    /// How long one wait for input lasts before `shouldStop` is asked again.
    static let pollMilliseconds: Int32 = 200

    /// Calls `body` with each line's 1-based number, the offset of its first byte from where reading
    /// began, and the line itself (without its newline).
    func forEachLine(_ body: (Int, Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var carry: [UInt8] = []
        var carryOffset = 0
        var lineNumber = lineNumberBefore
        var base = 0
        while true {
            if let shouldStop { try waitForInput(shouldStop) }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError.database("read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            try buffer.withUnsafeBufferPointer { all in
                let chunk = UnsafeBufferPointer(rebasing: all[0..<n])
                var start = 0
                // memchr finds each newline at memory speed: a byte loop here cost as much as
                // parsing the lines of a large import (every line is scanned, even skipped ones).
                while start < n, let hit = memchr(chunk.baseAddress! + start, 10, n - start) {
                    let i = chunk.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    lineNumber += 1
                    if carry.isEmpty {
                        try body(lineNumber, base + start, UnsafeBufferPointer(rebasing: chunk[start..<i]))
                    } else {
                        carry.append(contentsOf: chunk[start..<i])
                        try carry.withUnsafeBufferPointer { try body(lineNumber, carryOffset, $0) }
                        carry.removeAll(keepingCapacity: true)
                    }
                    start = i + 1
                }
                if carry.isEmpty { carryOffset = base + start }
                carry.append(contentsOf: chunk[start..<n])
                if carry.count > Self.maxLine {
                    throw StoreError.badImportLine(line: lineNumber + 1, detail: .lineTooLong(max: Self.maxLine))
                }
            }
            base += n
        }
        if !carry.isEmpty {
            lineNumber += 1
            try carry.withUnsafeBufferPointer { try body(lineNumber, carryOffset, $0) }
        }
    }

    /// Returns once `fd` can be read (data, end of input or an error, which `read` then reports);
    /// throws `Stopped` if `shouldStop` says so while waiting.
    private func waitForInput(_ shouldStop: () -> Bool) throws {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let r = poll(&p, 1, Self.pollMilliseconds)
            if r > 0 { return }
            if r < 0 && errno != EINTR { return }
            if shouldStop() { throw Stopped() }
        }
    }
}
