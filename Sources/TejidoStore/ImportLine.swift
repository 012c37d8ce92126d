import TejidoCore

/// One line of the import format.
struct ImportLine {
    let number: Int
    let replica: String
    let txn: Int64
    let kind: Kind
    let record: RecordKey
    let field: String
    let value: Value

    enum Kind: String { case set, inc, add, remove, delete }

    /// Nil for a blank line; throws `badImportLine` for anything malformed.
    /// With `onlyReplica`, a line of another replica is skipped (nil) as soon as its replica is read,
    /// without checking the rest of it.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, number: Int, onlyReplica: [UInt8]?) throws -> ImportLine? {
        if bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { return nil }
        do {
            return try fastParse(bytes, number: number, onlyReplica: onlyReplica)
        } catch is FlatJSONScanner.Failure {
            // Escapes, nesting or a syntax error: the general parser decides and explains.
            let json: JSONValue
            do { json = try JSONValue.parse(bytes) } catch {
                throw StoreError.badImportLine(line: number, detail: .notJSON(error))
            }
            let line = try fromJSON(json, number: number)
            if let onlyReplica, Array(line.replica.utf8) != onlyReplica { return nil }
            return line
        }
    }

    private static func fastParse(_ bytes: UnsafeBufferPointer<UInt8>, number: Int, onlyReplica: [UInt8]?) throws -> ImportLine? {
        var s = try FlatJSONScanner(bytes)
        var fields = Fields()
        // A key given twice would leave the line's meaning to whichever copy a reader takes:
        // refused, here and in `fromJSON` (a line of another replica is skipped at its first
        // "replica", unchecked, as the import format says).
        var seen: UInt8 = 0
        func once(_ bit: UInt8, _ name: String) throws {
            if seen & bit != 0 { throw StoreError.badImportLine(line: number, detail: .duplicateKey(name)) }
            seen |= bit
        }
        while let (key, value) = try s.next() {
            func text() throws -> JSONValue {
                switch value {
                case .string(let r, let escaped):
                    if escaped { throw FlatJSONScanner.Failure.notFlat }
                    guard let t = s.text(r) else { throw StoreError.badImportLine(line: number, detail: .invalidUTF8) }
                    return .string(t)
                case .number(let r):
                    guard let n = s.number(r) else { throw FlatJSONScanner.Failure.malformed }
                    return n
                case .bool(let b): return .bool(b)
                case .null: return .null
                }
            }
            if s.equals(key, "replica") {
                try once(1, "replica")
                if let onlyReplica, case .string(let r, false) = value, !s.equals(r, onlyReplica) { return nil }
                fields.replica = try text()
            }
            else if s.equals(key, "txn") { try once(2, "txn"); fields.txn = try text() }
            else if s.equals(key, "op") { try once(4, "op"); fields.op = try text() }
            else if s.equals(key, "collection") { try once(8, "collection"); fields.collection = try text() }
            else if s.equals(key, "id") { try once(16, "id"); fields.id = try text() }
            else if s.equals(key, "field") { try once(32, "field"); fields.field = try text() }
            else if s.equals(key, "value") { try once(64, "value"); fields.value = try text() }
        }
        return try build(fields, number: number)
    }

    private static func fromJSON(_ json: JSONValue, number: Int) throws -> ImportLine {
        guard case .object(let members) = json else { throw StoreError.badImportLine(line: number, detail: .notAnObject) }
        var fields = Fields()
        var seen: Set<String> = []
        for (k, v) in members {
            if ["replica", "txn", "op", "collection", "id", "field", "value"].contains(k), !seen.insert(k).inserted {
                throw StoreError.badImportLine(line: number, detail: .duplicateKey(k))
            }
            switch k {
            case "replica": fields.replica = v
            case "txn": fields.txn = v
            case "op": fields.op = v
            case "collection": fields.collection = v
            case "id": fields.id = v
            case "field": fields.field = v
            case "value": fields.value = v
            default: break
            }
        }
        return try build(fields, number: number)
    }

    private struct Fields {
        var replica, txn, op, collection, id, field, value: JSONValue?
    }

    private static func build(_ f: Fields, number: Int) throws -> ImportLine {
        func bad(_ detail: ImportDefect) -> StoreError { .badImportLine(line: number, detail: detail) }
        guard case .string(let replica)? = f.replica else { throw bad(.missingReplica) }
        guard case .int(let txn)? = f.txn else { throw bad(.missingTxn) }
        guard case .string(let opName)? = f.op, let kind = Kind(rawValue: opName) else {
            throw bad(.badOp)
        }
        guard case .string(let collection)? = f.collection, Names.isValidName(collection) else {
            throw bad(.badCollection)
        }
        guard case .string(let id)? = f.id, Names.isValidRecordID(id) else { throw bad(.badID) }
        var field = ""
        var value = Value.null
        if kind != .delete {
            guard case .string(let name)? = f.field, Names.isValidField(name) else {
                throw bad(.badField)
            }
            field = name
            switch f.value {
            case .string(let s)?: value = .text(s)
            case .int(let i)?: value = .int(i)
            case .double(let d)?: value = .float(d)
            case .bool(let b)?: value = .bool(b)
            case .null?: value = .null
            default: throw bad(.badValue)
            }
            if kind == .inc, case .int = value {} else if kind == .inc { throw bad(.incNeedsInteger) }
        }
        return ImportLine(
            number: number, replica: replica, txn: txn, kind: kind, record: RecordKey(collection: collection, id: id),
            field: field, value: value)
    }

    /// The op of a line that needs nothing of the store: every kind but a remove.
    var storelessOp: Op? {
        switch kind {
        case .set: return .set(record, field: field, value: value)
        case .inc:
            // `build` only makes an inc line with an integer value.
            guard case .int(let d) = value else { return nil }
            return .counterAdd(record, field: field, delta: d)
        case .add: return .setAdd(record, field: field, element: value)
        case .delete: return .delete(record)
        case .remove: return nil
        }
    }

    /// The ops of a line that has no `storelessOp`: a remove, which reads the store for the adds it
    /// observed (one op, or several when it names more adds than one op may).
    func storeOps(store: Store, ns: Int64) throws -> [Op] {
        guard kind == .remove else { throw StoreError.badImportLine(line: number, detail: .incNeedsInteger) }
        let observed = try store.observedAdds(ns: ns, record: record, field: field, element: value)
        return Store.removeOps(record, field: field, element: value, observed: observed)
    }
}
