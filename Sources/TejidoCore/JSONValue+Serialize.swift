extension JSONValue {
    /// Compact JSON text; object members keep their order.
    public func serialized() -> String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .uint(let u): out += String(u)
        case .double(let d):
            // JSON has no infinities: they are written as the strings "Infinity" and "-Infinity".
            if d.isInfinite { out += d > 0 ? "\"Infinity\"" : "\"-Infinity\"" } else if d == d.rounded() && abs(d) < 1e15 {
                out += String(format1: d)
            } else {
                out += "\(d)"
            }
        case .string(let s): Self.quote(s, into: &out)
        case .array(let items):
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += "," }
                v.write(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (k, v)) in members.enumerated() {
                if i > 0 { out += "," }
                Self.quote(k, into: &out)
                out += ":"
                v.write(into: &out)
            }
            out += "}"
        }
    }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // Besides what JSON requires (below 0x20), DEL, the C1 controls and the two Unicode
            // line separators: output stays plain text a terminal does not act on.
            case _ where u.value < 0x20 || (u.value >= 0x7F && u.value <= 0x9F) || u.value == 0x2028 || u.value == 0x2029:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}

extension String {
    /// A whole-valued double written with one decimal, e.g. `2.0`, so it reads back as a float.
    init(format1 d: Double) { self = (d.sign == .minus && d == 0 ? "-" : "") + String(Int64(d)) + ".0" }
}
