import TejidoCore
import TejidoCrypto
import TejidoStore

/// How values, records and keys look in text and in JSON.
enum Rendering {
    static func json(_ v: Value) -> JSONValue { v.json }

    static func json(_ f: RecordState.FieldValue) -> JSONValue {
        switch f {
        case .value(let v): json(v)
        case .counter(let c): .int(c)
        case .set(let elems): .array(elems.map(json))
        }
    }

    static func text(_ f: RecordState.FieldValue) -> String {
        switch f {
        case .value(.text(let s)): visible(s)
        case .value(let v): json(v).serialized()
        case .counter(let c): String(c)
        case .set(let elems): JSONValue.array(elems.map(json)).serialized()
        }
    }

    static func json(_ r: RecordState) -> JSONValue {
        .object([
            ("namespace", .string(r.namespace)), ("collection", .string(r.collection)), ("id", .string(r.id)),
            ("fields", .object(r.fields.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) })),
        ])
    }

    static func key(_ bytes: [UInt8]) -> String {
        guard let k = Ed25519PublicKey(bytes: bytes) else { return Hex.encode(bytes) }
        return KeyText.key(k)
    }

    /// Text from a store (values, ids, messages: anything a peer may have written) as it may go
    /// to a terminal: control characters, which could move the cursor, recolour the screen or
    /// fake a line of output, are shown escaped (`\n`, `\t`, `\r`, `\x1b`...).
    static func visible(_ s: String) -> String { Console.escapingControls(s, keepingLineBreaks: false) }

    /// Left-aligned columns separated by two spaces; the header row comes from a tab-separated catalog line.
    /// Cells are shown with `visible`.
    static func table(header: String, rows: [[String]]) -> String {
        let all = [header.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)] + rows.map { $0.map(visible) }
        let n = all.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: n)
        for r in all { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        return all.map { r in
            r.enumerated().map { i, c in i == r.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// `NAMESPACE/COLLECTION/ID`: the id is everything after the second slash.
struct RecordPath {
    let namespace: String
    let record: RecordKey

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        namespace = parts[0]
        record = RecordKey(collection: parts[1], id: parts[2])
    }

    /// The path of a record to write, and the fields to write in it, checked before the store is
    /// asked: like a malformed path, a collection, id or field the format refuses is a usage error.
    static func forWriting(_ text: String, fields: [String], console: Console) throws -> RecordPath {
        guard let target = RecordPath(text) else { throw console.fail(.errBadPath, text, code: Console.usage) }
        guard Names.isValidName(target.record.collection) else {
            throw console.fail(.errInvalidName, target.record.collection, code: Console.usage)
        }
        guard Names.isValidRecordID(target.record.id) else { throw console.fail(.errInvalidRecordID, target.record.id, code: Console.usage) }
        for f in fields where !Names.isValidField(f) { throw console.fail(.errInvalidField, f, code: Console.usage) }
        return target
    }
}
