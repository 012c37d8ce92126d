import TejidoCrypto

/// A value as JSON: text, numbers, bools and null as themselves; bytes as `{"hex": "..."}`.
extension Value {
    public var json: JSONValue {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .float(let d): .double(d)
        case .text(let s): .string(s)
        case .bytes(let b): .object([("hex", .string(Hex.encode(b)))])
        }
    }
}
