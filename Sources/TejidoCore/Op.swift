/// One edit inside a changeset. Encodings are in `protocol/ops.md`.
public enum Op: Hashable, Sendable {
    /// Last-writer-wins assignment of a field.
    case set(RecordKey, field: String, value: Value)
    /// Hides everything on the record older than this op.
    case delete(RecordKey)
    /// Adds `delta` to a counter field.
    case counterAdd(RecordKey, field: String, delta: Int64)
    /// Adds an element to a set field (add-wins).
    case setAdd(RecordKey, field: String, element: Value)
    /// Removes the adds of `element` that the author had observed, plus earlier adds of it in the same changeset.
    case setRemove(RecordKey, field: String, element: Value, observed: [OpRef])
    /// Gives `key` a role in this namespace.
    case grant(key: [UInt8], role: Role)
    /// The namespace's human name.
    case name(String)
    /// Takes a role back: changesets of `key`'s feed in this namespace past seq `after` no longer count.
    case revoke(key: [UInt8], after: UInt64)
    /// Whether the namespace is private: sent only to nodes whose keys hold a role in it.
    case visibility(isPrivate: Bool)

    public enum Code: UInt64 {
        case set = 0, delete, counterAdd, setAdd, setRemove, grant, name, revoke, visibility

        /// Grants, revocations, names and visibility: the codes that need the admin role.
        public var isAuthority: Bool { self == .grant || self == .revoke || self == .name || self == .visibility }
    }

    public var code: Code {
        switch self {
        case .set: .set
        case .delete: .delete
        case .counterAdd: .counterAdd
        case .setAdd: .setAdd
        case .setRemove: .setRemove
        case .grant: .grant
        case .name: .name
        case .revoke: .revoke
        case .visibility: .visibility
        }
    }

    /// The record this op touches, if any.
    /// Grants, revocations, names and visibility: the ops that need the admin role.
    public var isAuthority: Bool { code.isAuthority }

    /// Whether any of `ops` is an authority op. Reads each op in place: `contains(where:)` copies
    /// every op (retaining and releasing its Strings), which cost the pull's merging thread about
    /// 3% when it ran twice per changeset.
    public static func anyAuthority(in ops: [Op]) -> Bool {
        ops.withUnsafeBufferPointer { buffer in
            for i in buffer.indices where buffer[i].code.isAuthority { return true }
            return false
        }
    }

    public var record: RecordKey? {
        switch self {
        case .set(let r, _, _), .delete(let r), .counterAdd(let r, _, _), .setAdd(let r, _, _), .setRemove(let r, _, _, _): r
        case .grant, .name, .revoke, .visibility: nil
        }
    }

    public func encode(into w: inout CBORWriter) {
        func rec(_ r: RecordKey) {
            w.text(r.collection)
            w.text(r.id)
        }
        switch self {
        case .set(let r, let f, let v):
            w.arrayHeader(5); w.unsigned(Code.set.rawValue); rec(r); w.text(f); v.encode(into: &w)
        case .delete(let r):
            w.arrayHeader(3); w.unsigned(Code.delete.rawValue); rec(r)
        case .counterAdd(let r, let f, let d):
            w.arrayHeader(5); w.unsigned(Code.counterAdd.rawValue); rec(r); w.text(f); w.int(d)
        case .setAdd(let r, let f, let v):
            w.arrayHeader(5); w.unsigned(Code.setAdd.rawValue); rec(r); w.text(f); v.encode(into: &w)
        case .setRemove(let r, let f, let v, let observed):
            w.arrayHeader(6); w.unsigned(Code.setRemove.rawValue); rec(r); w.text(f); v.encode(into: &w)
            let unique = Set(observed).count
            w.arrayHeader(unique)
            for o in Set(observed).sorted() {
                w.arrayHeader(2); w.byteString(o.changeset.bytes); w.unsigned(o.index)
            }
        case .grant(let key, let role):
            w.arrayHeader(3); w.unsigned(Code.grant.rawValue); w.byteString(key); w.unsigned(role.rawValue)
        case .name(let n):
            w.arrayHeader(2); w.unsigned(Code.name.rawValue); w.text(n)
        case .revoke(let key, let after):
            w.arrayHeader(3); w.unsigned(Code.revoke.rawValue); w.byteString(key); w.unsigned(after)
        case .visibility(let isPrivate):
            w.arrayHeader(2); w.unsigned(Code.visibility.rawValue); w.unsigned(isPrivate ? 1 : 0)
        }
    }

    static func decode(from r: inout CBORReader) throws(FormatError) -> Op {
        guard let op = try read(from: &r, build: true).op else { throw .badValue("op") }
        return op
    }

    /// Checks one op by exactly the rules of `decode`, without making its Strings, values and
    /// lists (what `verify` needs of the ops: that they are well formed, and their codes).
    static func check(from r: inout CBORReader) throws(FormatError) -> Code {
        try read(from: &r, build: false).code
    }

    /// One reading for both: every check runs whether or not the op is built.
    private static func read(from r: inout CBORReader, build: Bool) throws(FormatError) -> (code: Code, op: Op?) {
        let count = try r.arrayCount("op", max: 6)
        guard count >= 2 else { throw .badValue("op length") }
        guard let code = Code(rawValue: try r.unsigned("op code")) else { throw .badValue("op code") }
        func expect(_ n: Int) throws(FormatError) { if count != n { throw .badValue("op length") } }
        func string(_ r: borrowing CBORReader, _ range: Range<Int>) -> String { r.withBytes(range) { String(decoding: $0, as: UTF8.self) } }
        // Names are checked on their bytes, and Strings made only when building (names are ASCII
        // by rule; a record id was checked to be UTF-8, so decoding it repairs nothing).
        func record(_ r: inout CBORReader) throws(FormatError) -> RecordKey? {
            let c = try r.textRange("collection", max: FormatLimits.maxNameBytes)
            guard r.withBytes(c, { Names.isValidName(bytes: $0) }) else { throw .badValue("collection name") }
            let i = try r.checkedTextRange("record id", max: FormatLimits.maxRecordIDBytes)
            guard r.withBytes(i, { Names.isValidRecordID(bytes: $0) }) else { throw .badValue("record id") }
            return build ? RecordKey(collection: string(r, c), id: string(r, i)) : nil
        }
        func field(_ r: inout CBORReader) throws(FormatError) -> String? {
            let f = try r.textRange("field", max: FormatLimits.maxNameBytes)
            guard r.withBytes(f, { Names.isValidField(bytes: $0) }) else { throw .badValue("field name") }
            return build ? string(r, f) : nil
        }
        func value(_ r: inout CBORReader) throws(FormatError) -> Value? {
            if build { return try Value.decode(from: &r) }
            try Value.check(from: &r)
            return nil
        }
        switch code {
        case .set:
            try expect(5)
            let rec = try record(&r), f = try field(&r), v = try value(&r)
            guard let rec, let f, let v else { return (code, nil) }
            return (code, .set(rec, field: f, value: v))
        case .delete:
            try expect(3)
            guard let rec = try record(&r) else { return (code, nil) }
            return (code, .delete(rec))
        case .counterAdd:
            try expect(5)
            let rec = try record(&r), f = try field(&r), delta = try r.int("counter delta")
            guard let rec, let f else { return (code, nil) }
            return (code, .counterAdd(rec, field: f, delta: delta))
        case .setAdd:
            try expect(5)
            let rec = try record(&r), f = try field(&r), v = try value(&r)
            guard let rec, let f, let v else { return (code, nil) }
            return (code, .setAdd(rec, field: f, element: v))
        case .setRemove:
            try expect(6)
            let rec = try record(&r), f = try field(&r), v = try value(&r)
            let n = try r.arrayCount("observed adds", max: FormatLimits.maxObserved)
            var observed: [OpRef] = []
            if build { observed.reserveCapacity(n) }
            var last: (id: Range<Int>, index: UInt64)?
            for _ in 0..<n {
                guard try r.arrayCount("observed add", max: 2) == 2 else { throw .badValue("observed add") }
                let id = try r.fixedRange("observed changeset id", count: 32)
                let index = try r.unsigned("observed op index")
                // An op index names one of at most maxOps ops.
                guard index < UInt64(FormatLimits.maxOps) else { throw .badValue("observed op index") }
                // Sorted by id, then index, with no repeats.
                if let last {
                    let inOrder = r.bytesPrecede(last.id, id) || (r.bytesEqual(last.id, id) && last.index < index)
                    if !inOrder { throw .badValue("observed adds order") }
                }
                last = (id, index)
                if build { observed.append(OpRef(changeset: ChangesetID(unchecked: r.bytes(id)), index: index)) }
            }
            guard let rec, let f, let v else { return (code, nil) }
            return (code, .setRemove(rec, field: f, element: v, observed: observed))
        default:
            // Grants, names, revocations and visibility are few: always built.
            return (code, try authority(code, count: count, from: &r))
        }
    }

    private static func authority(_ code: Code, count: Int, from r: inout CBORReader) throws(FormatError) -> Op {
        func expect(_ n: Int) throws(FormatError) { if count != n { throw .badValue("op length") } }
        switch code {
        case .grant:
            try expect(3)
            let key = try r.fixedBytes("grant key", count: 32)
            guard let role = Role(rawValue: try r.unsigned("role")) else { throw .badValue("role") }
            return .grant(key: key, role: role)
        case .name:
            try expect(2)
            let n = try r.text("namespace name", max: FormatLimits.maxNameBytes)
            guard Names.isValidName(n) else { throw .badValue("namespace name") }
            return .name(n)
        case .revoke:
            try expect(3)
            let key = try r.fixedBytes("revoked key", count: 32)
            return .revoke(key: key, after: try r.unsigned("cut-off seq"))
        case .visibility:
            try expect(2)
            switch try r.unsigned("visibility") {
            case 0: return .visibility(isPrivate: false)
            case 1: return .visibility(isPrivate: true)
            default: throw .badValue("visibility")
            }
        case .set, .delete, .counterAdd, .setAdd, .setRemove:
            throw .badValue("op code")
        }
    }
}
