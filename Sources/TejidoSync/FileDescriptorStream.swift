import Foundation

/// A stream over two file descriptors (a pipe pair, or one file or socket for both), which it
/// owns and closes. Reads wait at most `timeout` seconds for data.
public final class FileDescriptorStream: ByteStream {
    private let input: Int32
    private let output: Int32
    public var timeout: Double?
    private var closed = false

    public init(input: Int32, output: Int32, timeout: Double? = nil) {
        self.input = input
        self.output = output
        self.timeout = timeout
        // A peer that goes away must be an error, not a signal that kills the process.
        signal(SIGPIPE, SIG_IGN)
    }

    deinit { close() }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !closed else { throw StreamError.closed }
        if let timeout {
            var pfd = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            while true {
                let r = poll(&pfd, 1, Int32(timeout * 1000))
                if r > 0 { break }
                if r == 0 { throw StreamError.timedOut(seconds: timeout) }
                if errno != EINTR { throw StreamError.io(.call("poll"), errno: errno) }
            }
        }
        while true {
            let n = Foundation.read(input, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            if errno == ECONNRESET { return 0 }
            throw StreamError.io(.call("read"), errno: errno)
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !closed else { throw StreamError.closed }
        var done = 0
        while done < bytes.count {
            if let timeout {
                // A peer that stops reading must not hold this side forever.
                var pfd = pollfd(fd: output, events: Int16(POLLOUT), revents: 0)
                let r = poll(&pfd, 1, Int32(timeout * 1000))
                if r == 0 { throw StreamError.timedOut(seconds: timeout) }
                if r < 0 && errno != EINTR { throw StreamError.io(.call("poll"), errno: errno) }
                if r < 0 { continue }
            }
            // With a timeout, at most PIPE_BUF bytes per write: poll's "writable" promises room for
            // that much, so the write itself cannot block (a larger one could, past the timeout).
            let chunk = timeout == nil ? bytes.count - done : min(bytes.count - done, Int(PIPE_BUF))
            let n = Foundation.write(output, bytes.baseAddress! + done, chunk)
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            throw StreamError.io(.call("write"), errno: errno)
        }
    }

    public func close() {
        guard !closed else { return }
        closed = true
        Foundation.close(input)
        if output != input { Foundation.close(output) }
    }
}
