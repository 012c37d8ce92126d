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
    public var isAuthority: Bool { code == .grant || code == .revoke || code == .name || code == .visibility }

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
        let count = try r.arrayCount("op", max: 6)
        guard count >= 2 else { throw .badValue("op length") }
        guard let code = Code(rawValue: try r.unsigned("op code")) else { throw .badValue("op code") }
        func expect(_ n: Int) throws(FormatError) { if count != n { throw .badValue("op length") } }
        // Names are checked on their bytes before a String is made: they are ASCII by rule.
        func record(_ r: inout CBORReader) throws(FormatError) -> RecordKey {
            let c = try r.textRange("collection", max: FormatLimits.maxNameBytes)
            guard let collection = r.withBytes(c, { Names.isValidName(bytes: $0) ? String(decoding: $0, as: UTF8.self) : nil }) else {
                throw .badValue("collection name")
            }
            let i = try r.textRange("record id", max: FormatLimits.maxRecordIDBytes)
            guard let id = r.withBytes(i, { CBORReader.utf8String($0) }) else { throw .invalidUTF8 }
            guard r.withBytes(i, { Names.isValidRecordID(bytes: $0) }) else { throw .badValue("record id") }
            return RecordKey(collection: collection, id: id)
        }
        func field(_ r: inout CBORReader) throws(FormatError) -> String {
            let f = try r.textRange("field", max: FormatLimits.maxNameBytes)
            guard let name = r.withBytes(f, { Names.isValidField(bytes: $0) ? String(decoding: $0, as: UTF8.self) : nil }) else {
                throw .badValue("field name")
            }
            return name
        }
        switch code {
        case .set:
            try expect(5)
            let rec = try record(&r)
            let f = try field(&r)
            return .set(rec, field: f, value: try Value.decode(from: &r))
        case .delete:
            try expect(3)
            return .delete(try record(&r))
        case .counterAdd:
            try expect(5)
            let rec = try record(&r)
            let f = try field(&r)
            return .counterAdd(rec, field: f, delta: try r.int("counter delta"))
        case .setAdd:
            try expect(5)
            let rec = try record(&r)
            let f = try field(&r)
            return .setAdd(rec, field: f, element: try Value.decode(from: &r))
        case .setRemove:
            try expect(6)
            let rec = try record(&r)
            let f = try field(&r)
            let v = try Value.decode(from: &r)
            let n = try r.arrayCount("observed adds", max: FormatLimits.maxObserved)
            var observed: [OpRef] = []
            observed.reserveCapacity(n)
            for _ in 0..<n {
                guard try r.arrayCount("observed add", max: 2) == 2 else { throw .badValue("observed add") }
                let id = ChangesetID(unchecked: try r.fixedBytes("observed changeset id", count: 32))
                let index = try r.unsigned("observed op index")
                // An op index names one of at most maxOps ops.
                guard index < UInt64(FormatLimits.maxOps) else { throw .badValue("observed op index") }
                let ref = OpRef(changeset: id, index: index)
                if let last = observed.last, !(last < ref) { throw .badValue("observed adds order") }
                observed.append(ref)
            }
            return .setRemove(rec, field: f, element: v, observed: observed)
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
        }
    }
}
