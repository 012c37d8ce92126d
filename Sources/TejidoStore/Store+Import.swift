import Foundation
import TejidoCore
import TejidoCrypto
import TejidoSQLite

extension Store {
    /// Imports the JSON Lines workload format: each (replica, txn) run of lines becomes one changeset
    /// signed by this node. The whole input is checked first, so bad input leaves the store unchanged;
    /// then changesets are committed in batches and `progress` is called after each durable commit.
    /// `path == nil` reads standard input (spooled to a temporary file for the two passes).
    @discardableResult
    public func importJSONLines(path: String?, options: ImportOptions = ImportOptions(), progress: (ImportSummary) -> Void = { _ in })
        throws -> ImportSummary
    {
        var spool: URL?
        defer { if let spool { try? FileManager.default.removeItem(at: spool) } }
        let source: String
        if let path {
            source = path
        } else {
            let tmp = directory.appendingPathComponent(".import-\(getpid()).tmp")
            try copyStandardInput(to: tmp)
            spool = tmp
            source = tmp.path
        }

        var namespaces: [String: (root: [UInt8], ns: Int64)] = [:]
        func namespace(for line: ImportLine, number: Int) throws -> (root: [UInt8], ns: Int64) {
            let name = options.namespace ?? line.replica
            if let n = namespaces[name] { return n }
            let resolved: (root: [UInt8], ns: Int64)
            do { resolved = try resolveNamespace(name) } catch StoreError.unknownNamespace(let n) {
                throw StoreError.badImportLine(line: number, detail: "unknown namespace \"\(n)\"")
            }
            let me = nodeKey.publicKey.bytes
            let role = try self.role(of: me, authorID: keyID(me), namespace: resolved.root, nsID: resolved.ns)
            if role == nil || role! < .writer { throw StoreError.notAuthorized(namespace: name, needed: .writer) }
            namespaces[name] = resolved
            return resolved
        }

        // Pass 1: every line must parse and name a namespace this node may write in.
        try withFile(source) { fd in
            try LineReader(fd: fd).forEachLine { number, bytes in
                guard let line = try ImportLine.parse(bytes, number: number) else { return }
                if let r = options.replica, r != line.replica { return }
                _ = try namespace(for: line, number: number)
            }
        }

        // Pass 2: group lines into changesets and commit in batches.
        var summary = ImportSummary()
        var pending: [ImportLine] = []
        var inBatch = 0
        var batchOps = 0
        var batchLast: ChangesetID?
        var open = false

        func flushChangeset() throws {
            guard let first = pending.first else { return }
            let target = try namespace(for: first, number: first.number)
            var ops: [Op] = []
            ops.reserveCapacity(pending.count)
            for line in pending { ops.append(try line.op(store: self, ns: target.ns)) }
            let env = try commitLocal(namespace: target.root, ops: ops, message: nil, signer: nodeKey)
            inBatch += 1
            batchOps += ops.count
            batchLast = env.id
            pending.removeAll(keepingCapacity: true)
        }
        func commitBatch() throws {
            guard open else { return }
            try run("UPDATE meta SET value=? WHERE key='hlc'", [.integer(Int64(bitPattern: clock.rawValue))])
            try run("UPDATE meta SET value=? WHERE key='applied'", [.integer(nextApplied)])
            try db.execute("COMMIT")
            open = false
            summary.changesets += inBatch
            summary.ops += batchOps
            if let batchLast { summary.lastID = batchLast.hex }
            inBatch = 0
            batchOps = 0
            progress(summary)
        }
        do {
            try withFile(source) { fd in
                try LineReader(fd: fd).forEachLine { number, bytes in
                    guard let line = try ImportLine.parse(bytes, number: number) else { return }
                    summary.lines = number
                    if let r = options.replica, r != line.replica { return }
                    if let first = pending.first, first.replica != line.replica || first.txn != line.txn {
                        if !open { try db.execute("BEGIN IMMEDIATE"); open = true }
                        try flushChangeset()
                        if inBatch >= options.changesetsPerCommit { try commitBatch() }
                    }
                    pending.append(line)
                }
            }
            if !pending.isEmpty {
                if !open { try db.execute("BEGIN IMMEDIATE"); open = true }
                try flushChangeset()
            }
            try commitBatch()
        } catch {
            if open { try? db.execute("ROLLBACK") }
            dropCaches()
            if let e = error as? SQLiteError { throw StoreError.from(e) }
            throw error
        }
        return summary
    }

    private func withFile(_ path: String, _ body: (Int32) throws -> Void) throws {
        let fd = Foundation.open(path, O_RDONLY)
        guard fd >= 0 else { throw StoreError.badImportLine(line: 0, detail: "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try body(fd)
    }

    private func copyStandardInput(to url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw StoreError.database("cannot create \(url.path)")
        }
        let out = try FileHandle(forWritingTo: url)
        defer { try? out.close() }
        while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 20), !chunk.isEmpty {
            try out.write(contentsOf: chunk)
        }
    }
}

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
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, number: Int) throws -> ImportLine? {
        if bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { return nil }
        func bad(_ detail: String) -> StoreError { .badImportLine(line: number, detail: detail) }
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch { throw bad("not JSON: \(error)") }
        guard case .object = json else { throw bad("not a JSON object") }
        guard case .string(let replica)? = json["replica"] else { throw bad("missing text \"replica\"") }
        guard case .int(let txn)? = json["txn"] else { throw bad("missing integer \"txn\"") }
        guard case .string(let opName)? = json["op"], let kind = Kind(rawValue: opName) else {
            throw bad("\"op\" must be set, inc, add, remove or delete")
        }
        guard case .string(let collection)? = json["collection"], Names.isValidName(collection) else {
            throw bad("\"collection\" must be a name (letters, digits, _ or -, starting with a letter)")
        }
        guard case .string(let id)? = json["id"], Names.isValidRecordID(id) else { throw bad("\"id\" must be 1 to 256 bytes of text") }
        var field = ""
        if kind != .delete {
            guard case .string(let f)? = json["field"], Names.isValidField(f) else {
                throw bad("\"field\" must be a name other than id and namespace")
            }
            field = f
        }
        var value = Value.null
        if kind != .delete {
            switch json["value"] {
            case .string(let s)?: value = .text(s)
            case .int(let i)?: value = .int(i)
            case .double(let d)?: value = .float(d)
            case .bool(let b)?: value = .bool(b)
            case .null?: value = .null
            default: throw bad("missing or non-scalar \"value\"")
            }
            if kind == .inc, case .int = value {} else if kind == .inc { throw bad("inc needs an integer value") }
        }
        return ImportLine(
            number: number, replica: replica, txn: txn, kind: kind, record: RecordKey(collection: collection, id: id),
            field: field, value: value)
    }

    func op(store: Store, ns: Int64) throws -> Op {
        switch kind {
        case .set: return .set(record, field: field, value: value)
        case .inc:
            guard case .int(let d) = value else { throw StoreError.badImportLine(line: number, detail: "inc needs an integer value") }
            return .counterAdd(record, field: field, delta: d)
        case .add: return .setAdd(record, field: field, element: value)
        case .remove:
            let observed = try store.observedAdds(ns: ns, record: record, field: field, element: value)
            return .setRemove(record, field: field, element: value, observed: observed)
        case .delete: return .delete(record)
        }
    }
}
