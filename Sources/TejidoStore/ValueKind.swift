import TejidoCore
import TejidoSQLite

/// How a typed value is kept in SQLite: a kind tag beside the native SQLite value
/// (bools are stored as 0/1 and told apart by the tag).
enum ValueKind: Int64 {
    case null = 0, bool, int, float, text, bytes

    static func of(_ v: Value) -> (ValueKind, SQLiteValue) {
        switch v {
        case .null: (.null, .null)
        case .bool(let b): (.bool, .integer(b ? 1 : 0))
        case .int(let i): (.int, .integer(i))
        case .float(let d): (.float, .real(d))
        case .text(let s): (.text, .text(s))
        case .bytes(let b): (.bytes, .blob(b))
        }
    }

    static func value(kind: Int64, _ s: SQLiteValue) -> Value {
        switch (ValueKind(rawValue: kind), s) {
        case (.bool, .integer(let i)): .bool(i != 0)
        case (.int, .integer(let i)): .int(i)
        case (.float, .real(let d)): .float(d)
        case (.float, .integer(let i)): .float(Double(i))
        case (.text, .text(let t)): .text(t)
        case (.bytes, .blob(let b)): .bytes(b)
        default: .null
        }
    }
}
