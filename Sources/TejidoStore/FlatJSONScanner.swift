import TejidoCore

/// Reads one flat JSON object (`{"key": scalar, ...}`) straight from UTF-8 bytes, without
/// building intermediate values: the import format is flat, and parsing it is on the hot path.
/// Anything it cannot handle fast (escapes, nesting) is left to `JSONValue.parse`.
struct FlatJSONScanner {
    enum Scalar {
        /// A string's content range; `escaped` means it holds backslash escapes.
        case string(Range<Int>, escaped: Bool)
        case number(Range<Int>)
        case bool(Bool)
        case null
    }

    enum Failure: Error { case malformed, notFlat }

    let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    private var first = true

    init(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) {
        self.bytes = bytes
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { throw .malformed }
        i += 1
    }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 13 || bytes[i] == 10 { i += 1 }
    }

    /// The next member, or nil at the closing brace (after which only spaces may follow).
    mutating func next() throws(Failure) -> (key: Range<Int>, value: Scalar)? {
        skipSpace()
        guard i < bytes.count else { throw .malformed }
        if bytes[i] == UInt8(ascii: "}") {
            i += 1
            skipSpace()
            guard i == bytes.count else { throw .malformed }
            return nil
        }
        if !first {
            guard bytes[i] == UInt8(ascii: ",") else { throw .malformed }
            i += 1
            skipSpace()
        }
        first = false
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw .malformed }
        let (key, keyEscaped) = try string()
        if keyEscaped { throw .notFlat }
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw .malformed }
        i += 1
        skipSpace()
        guard i < bytes.count else { throw .malformed }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            let (r, e) = try string()
            return (key, .string(r, escaped: e))
        case UInt8(ascii: "t"): try word("true"); return (key, .bool(true))
        case UInt8(ascii: "f"): try word("false"); return (key, .bool(false))
        case UInt8(ascii: "n"): try word("null"); return (key, .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = i
            while i < bytes.count, isNumberByte(bytes[i]) { i += 1 }
            return (key, .number(start..<i))
        case UInt8(ascii: "{"), UInt8(ascii: "["): throw .notFlat
        default: throw .malformed
        }
    }

    private mutating func string() throws(Failure) -> (Range<Int>, Bool) {
        i += 1
        let start = i
        var escaped = false
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                defer { i += 1 }
                return (start..<i, escaped)
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                i += 2
                continue
            }
            if c < 32 { throw .malformed }
            i += 1
        }
        throw .malformed
    }

    private mutating func word(_ w: StaticString) throws(Failure) {
        let n = w.utf8CodeUnitCount
        guard bytes.count - i >= n else { throw .malformed }
        for k in 0..<n where bytes[i + k] != w.utf8Start[k] { throw .malformed }
        i += n
    }

    private func isNumberByte(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || c == 45 || c == 43 || c == 46 || c == 101 || c == 69
    }

    /// True if the bytes in `r` equal the ASCII text `s`.
    func equals(_ r: Range<Int>, _ s: StaticString) -> Bool {
        guard r.count == s.utf8CodeUnitCount else { return false }
        for k in 0..<r.count where bytes[r.lowerBound + k] != s.utf8Start[k] { return false }
        return true
    }

    /// True if the bytes in `r` equal `other`.
    func equals(_ r: Range<Int>, _ other: [UInt8]) -> Bool {
        guard r.count == other.count else { return false }
        for k in 0..<r.count where bytes[r.lowerBound + k] != other[k] { return false }
        return true
    }

    /// The text of an unescaped string range; nil if it is not valid UTF-8.
    func text(_ r: Range<Int>) -> String? {
        let slice = UnsafeBufferPointer(rebasing: bytes[r])
        var ascii = true
        for c in slice where c >= 0x80 {
            ascii = false
            break
        }
        if ascii { return String(decoding: slice, as: UTF8.self) }
        return String(validating: slice, as: UTF8.self)
    }

    /// A JSON number as a typed value: an integer when it has no fraction or exponent and fits in Int64.
    func number(_ r: Range<Int>) -> JSONValue? {
        let slice = UnsafeBufferPointer(rebasing: bytes[r])
        // Fast path: a plain integer without leading zeros, short enough not to overflow.
        let negative = slice.first == 45
        let digits = negative ? UnsafeBufferPointer(rebasing: slice[1...]) : slice
        if !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }), digits.count == 1 || digits[0] != 48 {
            var v: Int64 = 0
            for d in digits { v = v * 10 + Int64(d - 48) }
            return .int(negative ? -v : v)
        }
        let text = String(decoding: slice, as: UTF8.self)
        // Full JSON grammar check through the general parser (numbers are short).
        return try? JSONValue.parse(text)
    }
}
