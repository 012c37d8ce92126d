/// A typed field value: null, bool, int64, float64 (never NaN), text or bytes.
public enum Value: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case text(String)
    case bytes([UInt8])

    func encode(into w: inout CBORWriter) {
        switch self {
        case .null: w.null()
        case .bool(let b): w.bool(b)
        case .int(let i): w.int(i)
        case .float(let d): w.float(d)
        case .text(let s): w.text(s)
        case .bytes(let b): w.byteString(b)
        }
    }

    static func decode(from r: inout CBORReader) throws(FormatError) -> Value {
        switch try r.peekMajor() {
        case .unsigned, .negative: return .int(try r.int("value"))
        case .text: return .text(try r.text("value"))
        case .bytes: return .bytes(try r.byteString("value"))
        case .simple:
            switch try r.simple("value") {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .float(let d): return .float(d)
            }
        default: throw .wrongType("value")
        }
    }

    /// Checks a value by the rules of `decode`, without making it.
    static func check(from r: inout CBORReader) throws(FormatError) {
        switch try r.peekMajor() {
        case .unsigned, .negative: _ = try r.int("value")
        case .text: _ = try r.checkedTextRange("value")
        case .bytes: _ = try r.byteStringRange("value")
        case .simple: _ = try r.simple("value")
        default: throw .wrongType("value")
        }
    }

    /// The deterministic CBOR bytes of this value alone.
    public var cborBytes: [UInt8] {
        var w = CBORWriter(capacity: 16)
        encode(into: &w)
        return w.bytes
    }
}
