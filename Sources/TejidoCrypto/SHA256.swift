import COpenSSL

/// SHA-256 through OpenSSL's one-shot digest.
public enum SHA256 {
    public static let byteCount = 32

    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBufferPointer { hash(UnsafeRawBufferPointer($0)) }
    }

    public static func hash(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        bytes.withUnsafeBufferPointer { hash(UnsafeRawBufferPointer($0)) }
    }

    public static func hash(_ buffer: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        out.withUnsafeMutableBufferPointer { o in
            // SHA256() cannot fail on valid pointers; it returns its output pointer.
            _ = COpenSSL.SHA256(buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), buffer.count, o.baseAddress)
        }
        return out
    }
}
