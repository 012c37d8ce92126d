/// Reads deterministic CBOR and rejects everything else: non-shortest heads, indefinite
/// lengths, non-preferred floats, reserved simple values, invalid UTF-8, lengths past the end.
public struct CBORReader {
    public enum Major: UInt8 { case unsigned = 0, negative, bytes, text, array, map, tag, simple }

    private let data: [UInt8]
    public private(set) var position: Int
    private let end: Int

    public init(_ data: [UInt8], range: Range<Int>? = nil) {
        self.data = data
        let r = range ?? data.startIndex..<data.endIndex
        self.position = r.lowerBound
        self.end = r.upperBound
    }

    public var isAtEnd: Bool { position == end }

    public func finish() throws(FormatError) { if position != end { throw .trailingBytes } }

    public func peekMajor() throws(FormatError) -> Major {
        guard position < end else { throw .truncated }
        return Major(rawValue: data[position] >> 5)!
    }

    /// Reads an item head: major type and argument, checking the argument is in shortest form.
    public mutating func head() throws(FormatError) -> (Major, UInt64) {
        guard position < end else { throw .truncated }
        let first = data[position]
        position += 1
        let major = Major(rawValue: first >> 5)!
        let info = first & 0x1f
        if major == .simple { return (major, UInt64(info)) }
        switch info {
        case 0..<24: return (major, UInt64(info))
        case 24, 25, 26, 27:
            let n = 1 << Int(info - 24)
            guard end - position >= n else { throw .truncated }
            var v: UInt64 = 0
            for i in 0..<n { v = v << 8 | UInt64(data[position + i]) }
            position += n
            let minimum: UInt64 = n == 1 ? 24 : (1 << (UInt64(n) * 4))
            guard v >= minimum else { throw .nonShortestEncoding }
            return (major, v)
        case 31: throw .indefiniteLength
        default: throw .reservedAdditionalInfo(info)
        }
    }

    public mutating func unsigned(_ what: String) throws(FormatError) -> UInt64 {
        let (m, v) = try head()
        guard m == .unsigned else { throw .wrongType(what) }
        return v
    }

    public mutating func int(_ what: String) throws(FormatError) -> Int64 {
        let (m, v) = try head()
        switch m {
        case .unsigned:
            guard v <= UInt64(Int64.max) else { throw .integerOutOfRange }
            return Int64(v)
        case .negative:
            guard v <= UInt64(Int64.max) else { throw .integerOutOfRange }
            return -1 - Int64(v)
        default: throw .wrongType(what)
        }
    }

    private mutating func length(of major: Major, _ what: String, max: Int) throws(FormatError) -> Int {
        let (m, v) = try head()
        guard m == major else { throw .wrongType(what) }
        guard v <= UInt64(max) else { throw .tooLarge(what) }
        return Int(v)
    }

    /// The range of a byte string's content within the input.
    public mutating func byteStringRange(_ what: String, max: Int = Int.max) throws(FormatError) -> Range<Int> {
        let n = try length(of: .bytes, what, max: max)
        guard end - position >= n else { throw .truncated }
        defer { position += n }
        return position..<(position + n)
    }

    public mutating func byteString(_ what: String, max: Int = Int.max) throws(FormatError) -> [UInt8] {
        Array(data[try byteStringRange(what, max: max)])
    }

    public mutating func fixedBytes(_ what: String, count: Int) throws(FormatError) -> [UInt8] {
        let r = try byteStringRange(what, max: count)
        guard r.count == count else { throw .badValue("\(what) length") }
        return Array(data[r])
    }

    /// The range of a text string's bytes, for callers that check them before making a String.
    public mutating func textRange(_ what: String, max: Int = Int.max) throws(FormatError) -> Range<Int> {
        let n = try length(of: .text, what, max: max)
        guard end - position >= n else { throw .truncated }
        defer { position += n }
        return position..<(position + n)
    }

    /// Runs `body` over the bytes of a range returned by this reader.
    public func withBytes<T>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        data.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    public mutating func text(_ what: String, max: Int = Int.max) throws(FormatError) -> String {
        let range = try textRange(what, max: max)
        guard let s = Self.utf8String(data, range) else { throw .invalidUTF8 }
        return s
    }

    /// The range of a text string whose bytes are valid UTF-8: `text` without making the String.
    public mutating func checkedTextRange(_ what: String, max: Int = Int.max) throws(FormatError) -> Range<Int> {
        let range = try textRange(what, max: max)
        guard withBytes(range, { Self.isValidUTF8($0) }) else { throw .invalidUTF8 }
        return range
    }

    /// The range of a byte string of exactly `count` bytes: `fixedBytes` without the copy.
    public mutating func fixedRange(_ what: String, count: Int) throws(FormatError) -> Range<Int> {
        let r = try byteStringRange(what, max: count)
        guard r.count == count else { throw .badValue("\(what) length") }
        return r
    }

    /// Whether the bytes at `a` sort before those at `b` (bytewise, a prefix first).
    public func bytesPrecede(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        data.withUnsafeBufferPointer { d in
            UnsafeBufferPointer(rebasing: d[a]).lexicographicallyPrecedes(UnsafeBufferPointer(rebasing: d[b]))
        }
    }

    public func bytesEqual(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        data.withUnsafeBufferPointer { d in UnsafeBufferPointer(rebasing: d[a]).elementsEqual(UnsafeBufferPointer(rebasing: d[b])) }
    }

    public func bytes(_ range: Range<Int>) -> [UInt8] { Array(data[range]) }

    /// Text from bytes: ASCII takes a fast path; anything else is validated, never repaired.
    static func utf8String(_ data: [UInt8], _ range: Range<Int>) -> String? {
        data.withUnsafeBufferPointer { utf8String(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    static func utf8String(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        isASCII(bytes) ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
    }

    /// Valid UTF-8, checked without making a String for ASCII (nearly all text in changesets).
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        isASCII(bytes) || String(validating: bytes, as: UTF8.self) != nil
    }

    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in bytes where b >= 0x80 { return false }
        return true
    }

    public mutating func arrayCount(_ what: String, max: Int = Int.max) throws(FormatError) -> Int {
        let n = try length(of: .array, what, max: max)
        // Every element takes at least one byte: a count past the end is truncated input.
        guard n <= end - position else { throw .truncated }
        return n
    }

    public mutating func mapCount(_ what: String, max: Int = Int.max) throws(FormatError) -> Int {
        let n = try length(of: .map, what, max: max)
        guard n <= (end - position) / 2 else { throw .truncated }
        return n
    }

    /// Reads a simple value or float: false, true, null, or a float in its preferred form.
    public enum Simple: Equatable { case bool(Bool), null, float(Double) }

    public mutating func simple(_ what: String) throws(FormatError) -> Simple {
        guard position < end else { throw .truncated }
        let first = data[position]
        guard first >> 5 == 7 else { throw .wrongType(what) }
        position += 1
        switch first & 0x1f {
        case 20: return .bool(false)
        case 21: return .bool(true)
        case 22: return .null
        case 25:
            guard end - position >= 2 else { throw .truncated }
            let bits = UInt16(data[position]) << 8 | UInt16(data[position + 1])
            position += 2
            let d = Double(Float16(bitPattern: bits))
            guard !d.isNaN else { throw .nanFloat }
            return .float(d)
        case 26:
            guard end - position >= 4 else { throw .truncated }
            var bits: UInt32 = 0
            for i in 0..<4 { bits = bits << 8 | UInt32(data[position + i]) }
            position += 4
            let d = Double(Float(bitPattern: bits))
            guard !d.isNaN else { throw .nanFloat }
            guard Double(Float16(d)) != d else { throw .nonShortestEncoding }
            return .float(d)
        case 27:
            guard end - position >= 8 else { throw .truncated }
            var bits: UInt64 = 0
            for i in 0..<8 { bits = bits << 8 | UInt64(data[position + i]) }
            position += 8
            let d = Double(bitPattern: bits)
            guard !d.isNaN else { throw .nanFloat }
            guard Double(Float(d)) != d else { throw .nonShortestEncoding }
            return .float(d)
        case 31: throw .indefiniteLength
        default: throw .reservedSimpleValue
        }
    }
}
