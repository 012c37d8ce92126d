/// A parsed JSON value. The parser is small and strict (RFC 8259), works on UTF-8 bytes, and is
/// fast enough for importing hundreds of thousands of lines.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    /// A whole number above Int64.max, for output only (an HLC, say): the parser never makes one.
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.int(let x), .int(let y)): x == y
        case (.uint(let x), .uint(let y)): x == y
        case (.double(let x), .double(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// An unsigned number: `.int` when it fits, else `.uint`, so it is never written negative.
    public static func number(_ v: UInt64) -> JSONValue { v <= UInt64(Int64.max) ? .int(Int64(v)) : .uint(v) }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        public let offset: Int
        public let reason: Reason
        public var description: String { "\(reason) at byte \(offset)" }

        public init(offset: Int, reason: Reason) {
            self.offset = offset
            self.reason = reason
        }

        /// What is wrong at `offset`. Typed, so that a user interface can say it in its own
        /// language; `description` is the English.
        public enum Reason: Equatable, Sendable, CustomStringConvertible {
            case trailingCharacters, nestingTooDeep, unexpectedEnd, unexpectedCharacter
            case invalidLiteral(expected: String)
            case expectedCommaOrBracket, expectedKey, expectedColon, expectedCommaOrBrace
            case invalidNumber, numberOutOfRange
            /// An integer (no fraction, no exponent) beyond Int64: kept as a float it would lose digits.
            case integerOutOfRange
            case invalidUTF8, controlCharacter, unterminatedString
            case invalidEscape, shortUnicodeEscape, invalidUnicodeEscape, loneSurrogate, badSurrogatePair

            public var description: String {
                switch self {
                case .trailingCharacters: "trailing characters"
                case .nestingTooDeep: "nesting too deep"
                case .unexpectedEnd: "unexpected end"
                case .unexpectedCharacter: "unexpected character"
                case .invalidLiteral(let word): "invalid literal (expected \(word))"
                case .expectedCommaOrBracket: "expected , or ]"
                case .expectedKey: "expected a key"
                case .expectedColon: "expected :"
                case .expectedCommaOrBrace: "expected , or }"
                case .invalidNumber: "invalid number"
                case .numberOutOfRange: "number out of range"
                case .integerOutOfRange: "integer beyond the 64-bit range"
                case .invalidUTF8: "invalid UTF-8"
                case .controlCharacter: "control character in string"
                case .unterminatedString: "unterminated string"
                case .invalidEscape: "invalid escape"
                case .shortUnicodeEscape: "short \\u escape"
                case .invalidUnicodeEscape: "invalid \\u escape"
                case .loneSurrogate: "lone surrogate"
                case .badSurrogatePair: "bad surrogate pair"
                }
            }
        }
    }

    public static func parse(_ text: String) throws(ParseError) -> JSONValue {
        let bytes = Array(text.utf8)
        let result: Result<JSONValue, ParseError> = bytes.withUnsafeBufferPointer { u in
            Result { () throws(ParseError) -> JSONValue in try parse(u) }
        }
        return try result.get()
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(ParseError) -> JSONValue {
        var p = Parser(bytes: bytes)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == bytes.count else { throw p.fail(.trailingCharacters) }
        return v
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        func fail(_ reason: ParseError.Reason) -> ParseError { ParseError(offset: i, reason: reason) }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
        }

        mutating func literal(_ word: StaticString, _ v: JSONValue) throws(ParseError) -> JSONValue {
            let n = word.utf8CodeUnitCount
            for k in 0..<n where i + k >= bytes.count || bytes[i + k] != word.utf8Start[k] {
                throw fail(.invalidLiteral(expected: "\(word)"))
            }
            i += n
            return v
        }

        mutating func value(depth: Int) throws(ParseError) -> JSONValue {
            guard depth < 64 else { throw fail(.nestingTooDeep) }
            guard i < bytes.count else { throw fail(.unexpectedEnd) }
            switch bytes[i] {
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "["):
                i += 1
                var items: [JSONValue] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard i < bytes.count else { throw fail(.unexpectedEnd) }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    throw fail(.expectedCommaOrBracket)
                }
            case UInt8(ascii: "{"):
                i += 1
                var members: [(String, JSONValue)] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail(.expectedKey) }
                    let key = try string()
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail(.expectedColon) }
                    i += 1
                    skipSpace()
                    members.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    guard i < bytes.count else { throw fail(.unexpectedEnd) }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                    throw fail(.expectedCommaOrBrace)
                }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw fail(.unexpectedCharacter)
            }
        }

        mutating func number() throws(ParseError) -> JSONValue {
            let start = i
            var isInt = true
            if bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, isDigit(bytes[i]) else { throw fail(.invalidNumber) }
            if bytes[i] == UInt8(ascii: "0") { i += 1 } else { while i < bytes.count, isDigit(bytes[i]) { i += 1 } }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                isInt = false
                i += 1
                guard i < bytes.count, isDigit(bytes[i]) else { throw fail(.invalidNumber) }
                while i < bytes.count, isDigit(bytes[i]) { i += 1 }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                isInt = false
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard i < bytes.count, isDigit(bytes[i]) else { throw fail(.invalidNumber) }
                while i < bytes.count, isDigit(bytes[i]) { i += 1 }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            // An integer too large for 64 bits is refused rather than kept as a float (an id number
            // would silently lose its last digits), and so is a float too small to be anything but
            // zero when its digits are not all zero.
            if isInt {
                guard let v = Int64(text) else { throw ParseError(offset: start, reason: .integerOutOfRange) }
                return .int(v)
            }
            guard let d = Double(text), d.isFinite else { throw ParseError(offset: start, reason: .numberOutOfRange) }
            if d == 0, text.prefix(while: { $0 != "e" && $0 != "E" }).contains(where: { "123456789".contains($0) }) {
                throw ParseError(offset: start, reason: .numberOutOfRange)
            }
            return .double(d)
        }

        mutating func string() throws(ParseError) -> String {
            i += 1
            let start = i
            // Fast path: no escapes.
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") {
                    let slice = UnsafeBufferPointer(rebasing: bytes[start..<i])
                    i += 1
                    guard let s = String(validating: slice, as: UTF8.self) else { throw fail(.invalidUTF8) }
                    return s
                }
                if c == UInt8(ascii: "\\") || c < 32 { break }
                i += 1
            }
            var out = Array(bytes[start..<i])
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") {
                    i += 1
                    guard let s = String(validating: out, as: UTF8.self) else { throw fail(.invalidUTF8) }
                    return s
                }
                guard c >= 32 else { throw fail(.controlCharacter) }
                if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
                i += 1
                guard i < bytes.count else { break }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5c)
                case UInt8(ascii: "/"): out.append(0x2f)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xd800..<0xdc00).contains(scalar) {
                        guard bytes.count - i >= 6, bytes[i] == 0x5c, bytes[i + 1] == UInt8(ascii: "u") else { throw fail(.loneSurrogate) }
                        i += 2
                        let low = try hex4()
                        guard (0xdc00..<0xe000).contains(low) else { throw fail(.badSurrogatePair) }
                        scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                    } else if (0xdc00..<0xe000).contains(scalar) {
                        throw fail(.loneSurrogate)
                    }
                    out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
                default: throw fail(.invalidEscape)
                }
            }
            throw fail(.unterminatedString)
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard bytes.count - i >= 4 else { throw fail(.shortUnicodeEscape) }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                let d: UInt32
                switch c {
                case 48...57: d = UInt32(c - 48)
                case 65...70: d = UInt32(c - 55)
                case 97...102: d = UInt32(c - 87)
                default: throw fail(.invalidUnicodeEscape)
                }
                v = v << 4 | d
                i += 1
            }
            return v
        }

        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    }
}
