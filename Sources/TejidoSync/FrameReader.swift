/// Reads frames from a stream: a 4-byte big-endian payload length, then the payload.
public final class FrameReader {
    private let stream: any ByteStream
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    /// Bytes read from the stream so far.
    public private(set) var bytesRead = 0
    /// Bytes handed out in frames so far (headers included): the offset of the next frame.
    public private(set) var consumed = 0

    /// Whether bytes of a next frame are already read from the stream.
    public var hasBufferedBytes: Bool { start < end }

    /// The bytes of `n`-byte item at the stream's current position (for a file's magic number).
    public func raw(_ n: Int) throws -> [UInt8]? { try take(n, allowEOF: true) }

    public init(_ stream: any ByteStream, bufferSize: Int = 1 << 16) {
        self.stream = stream
        self.buffer = [UInt8](repeating: 0, count: bufferSize)
    }

    /// The next frame's payload, or nil if the stream ended cleanly between frames.
    public func next() throws -> [UInt8]? {
        guard let header = try take(4, allowEOF: true) else { return nil }
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        guard length > 0 else { throw SyncError(.malformedFrame, .emptyFrame) }
        guard length <= SyncLimits.maxFrameBytes else {
            throw SyncError(.frameTooLarge, .frameTooLarge(bytes: length, limit: SyncLimits.maxFrameBytes))
        }
        return try take(length, allowEOF: false)!
    }

    private func take(_ n: Int, allowEOF: Bool) throws -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(n)
        while out.count < n {
            if start == end {
                let got = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
                if got == 0 {
                    if allowEOF && out.isEmpty { return nil }
                    throw SyncError(.connectionLost, .streamEndedInFrame)
                }
                start = 0
                end = got
                bytesRead += got
            }
            let k = min(n - out.count, end - start)
            out.append(contentsOf: buffer[start..<(start + k)])
            start += k
            consumed += k
        }
        return out
    }
}

/// Writes frames: the 4-byte big-endian length, then the payload, in one write.
public enum FrameWriter {
    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        let n = UInt32(payload.count)
        var out: [UInt8] = [UInt8(n >> 24), UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff)]
        out.reserveCapacity(payload.count + 4)
        out += payload
        return out
    }
}
