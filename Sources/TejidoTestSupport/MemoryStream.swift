import Foundation
import TejidoSync

/// One direction of an in-memory link: bytes written at one end are read at the other.
public final class MemoryPipe: @unchecked Sendable {
    // `@unchecked Sendable`: every field is guarded by `lock`.
    private let lock = NSCondition()
    private var buffer: [UInt8] = []
    private var closed = false

    public init() {}

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { throw StreamError.closed }
        buffer += Array(bytes)
        lock.broadcast()
    }

    func read(into out: UnsafeMutableRawBufferPointer) -> Int {
        lock.lock()
        defer { lock.unlock() }
        while buffer.isEmpty && !closed { lock.wait() }
        let n = min(out.count, buffer.count)
        buffer.withUnsafeBytes { out.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) }
        buffer.removeFirst(n)
        return n
    }

    public func close() {
        lock.lock()
        closed = true
        lock.broadcast()
        lock.unlock()
    }
}

/// One end of an in-memory link: reads from one pipe, writes to the other.
public final class MemoryStream: ByteStream, @unchecked Sendable {
    // `@unchecked Sendable`: the pipes are thread-safe; the stream itself is used by one thread.
    let incoming: MemoryPipe
    let outgoing: MemoryPipe

    init(incoming: MemoryPipe, outgoing: MemoryPipe) {
        self.incoming = incoming
        self.outgoing = outgoing
    }

    /// Two connected ends.
    public static func pair() -> (MemoryStream, MemoryStream) {
        let ab = MemoryPipe()
        let ba = MemoryPipe()
        return (MemoryStream(incoming: ba, outgoing: ab), MemoryStream(incoming: ab, outgoing: ba))
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { incoming.read(into: buffer) }
    public func write(_ bytes: UnsafeRawBufferPointer) throws { try outgoing.write(bytes) }
    public func close() {
        incoming.close()
        outgoing.close()
    }
}
