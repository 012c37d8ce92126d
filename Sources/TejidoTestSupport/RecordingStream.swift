import TejidoSync

/// Wraps a byte stream and keeps every byte read from it and written to it, so that a test can
/// check what really crossed a link.
public final class RecordingStream: ByteStream {
    private let inner: any ByteStream
    public private(set) var received: [UInt8] = []
    public private(set) var sent: [UInt8] = []

    public init(_ inner: any ByteStream) { self.inner = inner }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try inner.read(into: buffer)
        if n > 0 { received += UnsafeRawBufferPointer(rebasing: buffer[0..<n]) }
        return n
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try inner.write(bytes)
        sent += bytes
    }

    public func close() { inner.close() }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs anywhere in these bytes.
    public func contains(bytes needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        let first = needle[0]
        var i = startIndex
        while let at = self[i...].firstIndex(of: first), at + needle.count <= endIndex {
            if self[at..<(at + needle.count)].elementsEqual(needle) { return true }
            i = at + 1
        }
        return false
    }
}
