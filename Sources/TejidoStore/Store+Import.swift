import Foundation
import TejidoCore
import TejidoCrypto
import TejidoSQLite

extension Store {
    /// Imports the JSON Lines workload format: each (replica, txn) run of lines becomes one changeset
    /// signed by this node, and `progress` is called after each durable commit of a batch.
    ///
    /// Bad input leaves the store unchanged: a second thread checks every line while this one
    /// applies, and nothing is committed until that check has passed. `path == nil` reads standard
    /// input (spooled to a temporary file so that both threads can read it).
    @discardableResult
    public func importJSONLines(path: String?, options: ImportOptions = ImportOptions(), progress: (ImportSummary) -> Void = { _ in })
        throws -> ImportSummary
    {
        var spool: URL?
        defer { if let spool { try? FileManager.default.removeItem(at: spool) } }
        // Two threads read the input, so it must be a regular file: anything else (standard input,
        // a pipe, /dev/stdin, a process substitution) is copied to a temporary file first.
        let source: String
        if let path, Self.isRegularFile(path) {
            source = path
        } else {
            let tmp = directory.appendingPathComponent(".import-\(getpid()).tmp")
            spool = tmp
            try copyInput(path: path, to: tmp)
            source = tmp.path
        }
        // What identifies this import for --resume: the file, its size and the options (a spooled
        // standard input has no identity and is never resumed).
        let sourceKey: String? = spool == nil ? Self.importIdentity(source, options) : nil
        var options = options
        if options.resume {
            guard let sourceKey, case .text(let key)? = try db.scalar("SELECT value FROM meta WHERE key='import_source'"), key == sourceKey,
                case .integer(let line)? = try db.scalar("SELECT value FROM meta WHERE key='import_line'")
            else { throw StoreError.nothingToResume(path ?? "-") }
            options.afterLine = Int(line)
        }
        let fd = try openForReading(source)
        let reader = ImportReader(fd: fd, onlyReplica: options.replica, afterLine: options.afterLine)
        let readerThread = Thread { reader.run() }
        readerThread.start()
        defer {
            reader.cancel()
            close(fd)
        }

        let validation = ImportValidation(path: source, options: options)
        let thread = Thread { validation.run() }
        thread.start()
        defer { _ = validation.wait() }

        var namespaces: [String: (root: [UInt8], ns: Int64)] = [:]
        func namespace(named name: String, line: Int) throws -> (root: [UInt8], ns: Int64) {
            if let n = namespaces[name] { return n }
            let resolved: (root: [UInt8], ns: Int64)
            do { resolved = try resolveNamespace(name) } catch StoreError.unknownNamespace(let n) {
                throw StoreError.badImportLine(line: line, detail: "unknown namespace \"\(n)\"")
            }
            let me = nodeKey.publicKey.bytes
            let role = try self.role(of: me, authorID: keyID(me), namespace: resolved.root, nsID: resolved.ns)
            if role == nil || role! < .writer { throw StoreError.notAuthorized(namespace: name, needed: .writer) }
            namespaces[name] = resolved
            return resolved
        }
        var validated = false
        /// Waits for the checking thread; its verdict decides whether anything may be committed.
        func awaitValidation() throws {
            guard !validated else { return }
            let result = validation.wait()
            if let failure = result.failure { throw failure }
            for (name, line) in result.namespaces.sorted(by: { $0.value < $1.value }) { _ = try namespace(named: name, line: line) }
            validated = true
        }

        var summary = ImportSummary()
        var pending: [ImportLine] = []
        var inBatch = 0
        var batchOps = 0
        var batchLast: ChangesetID?
        let batch = LocalBatch(store: self, signer: nodeKey)

        func flushChangeset() throws {
            guard let first = pending.first else { return }
            if !batch.isOpen { try batch.begin() }
            let target = try namespace(named: options.namespace ?? first.replica, line: first.number)
            var ops: [Op] = []
            ops.reserveCapacity(pending.count)
            for line in pending { ops.append(contentsOf: try line.ops(store: self, ns: target.ns)) }
            batchLast = try batch.write(namespace: target.root, nsID: target.ns, ops: ops)
            inBatch += 1
            batchOps += ops.count
            pending.removeAll(keepingCapacity: true)
        }
        var lastCommit = Date()
        func commitBatch(final: Bool) throws {
            guard batch.isOpen else { return }
            // Where this import stands commits with the batch: a cut import resumes exactly after it.
            if let sourceKey {
                if final {
                    try run("DELETE FROM meta WHERE key IN ('import_source', 'import_line')")
                } else {
                    try run("INSERT OR REPLACE INTO meta(key, value) VALUES('import_source', ?), ('import_line', ?)",
                            [.text(sourceKey), .integer(Int64(summary.lines))])
                }
            }
            try batch.commit()
            lastCommit = Date()
            summary.changesets += inBatch
            summary.ops += batchOps
            if let batchLast { summary.lastID = batchLast.hex }
            inBatch = 0
            batchOps = 0
            progress(summary)
        }
        do {
            while let changeset = try reader.next() {
                pending = changeset
                summary.lines = changeset.last?.number ?? summary.lines
                try flushChangeset()
                let due = inBatch >= options.changesetsPerCommit || Date().timeIntervalSince(lastCommit) >= options.commitInterval
                if due && (validated || validation.isDone) {
                    try awaitValidation()
                    try commitBatch(final: false)
                }
            }
            try awaitValidation()
            try commitBatch(final: true)
        } catch {
            batch.rollback()
            // Report the earliest bad line: the checking thread may have found one before this thread's.
            var reported = error
            if !validated, let earlier = validation.wait().failure {
                if case StoreError.badImportLine(let a, _) = earlier, case StoreError.badImportLine(let b, _) = error, a <= b {
                    reported = earlier
                } else if case StoreError.badImportLine = error {} else {
                    reported = earlier
                }
            }
            if let e = reported as? SQLiteError { throw StoreError.from(e) }
            throw reported
        }
        return summary
    }

    private func openForReading(_ path: String) throws -> Int32 {
        let fd = Foundation.open(path, O_RDONLY)
        guard fd >= 0 else { throw StoreError.badImportLine(line: 0, detail: "cannot open \(path): \(String(cString: strerror(errno)))") }
        return fd
    }

    static func importIdentity(_ path: String, _ options: ImportOptions) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var st = stat()
        let size = stat(path, &st) == 0 ? Int64(st.st_size) : -1
        return "\(absolute)|\(size)|\(options.replica ?? "")|\(options.namespace ?? "")"
    }

    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    private func copyInput(path: String?, to url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw StoreError.database("cannot create \(url.path)")
        }
        let input: FileHandle
        if let path {
            guard let h = FileHandle(forReadingAtPath: path) else {
                throw StoreError.badImportLine(line: 0, detail: "cannot open \(path): \(String(cString: strerror(errno)))")
            }
            input = h
        } else {
            input = FileHandle.standardInput
        }
        let out = try FileHandle(forWritingTo: url)
        defer { try? out.close() }
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            try out.write(contentsOf: chunk)
        }
    }
}

/// Reads and parses the import file on its own thread, handing over each changeset's lines
/// (one (replica, txn) run) through a bounded queue, so parsing overlaps merging and signing.
///
/// `@unchecked Sendable`: the queue, the end flag and the failure are only touched under `condition`.
final class ImportReader: @unchecked Sendable {
    private let fd: Int32
    private let onlyReplica: [UInt8]?
    private let condition = NSCondition()
    private var queue: [[ImportLine]] = []
    private var finished = false
    private var cancelled = false
    private var failure: (any Error)?
    private static let capacity = 256

    private let afterLine: Int

    init(fd: Int32, onlyReplica: String?, afterLine: Int) {
        self.fd = fd
        self.onlyReplica = onlyReplica.map { Array($0.utf8) }
        self.afterLine = afterLine
    }

    func run() {
        var group: [ImportLine] = []
        do {
            try LineReader(fd: fd).forEachLine { number, bytes in
                guard number > afterLine, let line = try ImportLine.parse(bytes, number: number, onlyReplica: onlyReplica) else { return }
                if let first = group.first, first.replica != line.replica || first.txn != line.txn {
                    try push(group)
                    group.removeAll(keepingCapacity: true)
                }
                group.append(line)
            }
            if !group.isEmpty { try push(group) }
        } catch {
            condition.lock()
            failure = error
            condition.unlock()
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    private struct Cancelled: Error {}

    private func push(_ group: [ImportLine]) throws {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= Self.capacity && !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        queue.append(group)
        condition.broadcast()
    }

    /// The next changeset's lines, nil at the end; throws the parse error that stopped the reader.
    func next() throws -> [ImportLine]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !finished { condition.wait() }
        if !queue.isEmpty {
            let g = queue.removeFirst()
            condition.broadcast()
            return g
        }
        if let failure, !(failure is Cancelled) { throw failure }
        return nil
    }

    /// Stops the reader (on an error elsewhere) and waits until it has let go of the file.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}

/// The checking half of an import: parses every line on its own thread and collects the
/// namespaces named, so that the applying thread commits nothing from bad input.
///
/// `@unchecked Sendable`: `result` and `done` are written once by the checking thread and read
/// only under `condition`, after `done` is set.
final class ImportValidation: @unchecked Sendable {
    struct Result {
        var failure: (any Error)?
        /// Namespace name -> first line naming it.
        var namespaces: [String: Int] = [:]
    }

    private let path: String
    private let options: ImportOptions
    private let condition = NSCondition()
    private var done = false
    private var result = Result()

    /// Room kept in an envelope for everything but the ops: header fields, up to 1024 deps, signature.
    static let envelopeMargin = 40_000

    init(path: String, options: ImportOptions) {
        self.path = path
        self.options = options
    }

    var isDone: Bool {
        condition.lock()
        defer { condition.unlock() }
        return done
    }

    func run() {
        var r = Result()
        let onlyReplica = options.replica.map { Array($0.utf8) }
        var (runReplica, runTxn, runLength, runBytes) = ("", Int64.min, 0, 0)
        let fd = Foundation.open(path, O_RDONLY)
        if fd < 0 {
            r.failure = StoreError.badImportLine(line: 0, detail: "cannot open \(path)")
        } else {
            do {
                try LineReader(fd: fd).forEachLine { number, bytes in
                    guard number > options.afterLine, let line = try ImportLine.parse(bytes, number: number, onlyReplica: onlyReplica) else { return }
                    let name = options.namespace ?? line.replica
                    if r.namespaces[name] == nil { r.namespaces[name] = number }
                    if line.replica == runReplica && line.txn == runTxn {
                        runLength += 1
                        runBytes += bytes.count
                        if runLength > FormatLimits.maxOps {
                            throw StoreError.badImportLine(line: number, detail: "txn \(line.txn) has more than \(FormatLimits.maxOps) ops (one changeset's limit)")
                        }
                        // A line's JSON is never shorter than its op's CBOR; the margin covers the body's header and deps.
                        if runBytes > FormatLimits.maxEnvelopeBytes - Self.envelopeMargin {
                            throw StoreError.badImportLine(line: number, detail: "txn \(line.txn) is too large for one changeset (1 MiB)")
                        }
                    } else {
                        (runReplica, runTxn, runLength, runBytes) = (line.replica, line.txn, 1, bytes.count)
                        if runBytes > FormatLimits.maxEnvelopeBytes - Self.envelopeMargin {
                            throw StoreError.badImportLine(line: number, detail: "txn \(line.txn) is too large for one changeset (1 MiB)")
                        }
                    }
                }
            } catch {
                r.failure = error
            }
            close(fd)
        }
        condition.lock()
        result = r
        done = true
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until the check has finished.
    func wait() -> Result {
        condition.lock()
        while !done { condition.wait() }
        let r = result
        condition.unlock()
        return r
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
    /// With `onlyReplica`, a line of another replica is skipped (nil) as soon as its replica is read;
    /// the checking thread parses those lines in full.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, number: Int, onlyReplica: [UInt8]?) throws -> ImportLine? {
        if bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { return nil }
        do {
            return try fastParse(bytes, number: number, onlyReplica: onlyReplica)
        } catch is FlatJSONScanner.Failure {
            // Escapes, nesting or a syntax error: the general parser decides and explains.
            let json: JSONValue
            do { json = try JSONValue.parse(bytes) } catch {
                throw StoreError.badImportLine(line: number, detail: "not JSON: \(error)")
            }
            let line = try fromJSON(json, number: number)
            if let onlyReplica, Array(line.replica.utf8) != onlyReplica { return nil }
            return line
        }
    }

    private static func fastParse(_ bytes: UnsafeBufferPointer<UInt8>, number: Int, onlyReplica: [UInt8]?) throws -> ImportLine? {
        var s = try FlatJSONScanner(bytes)
        var fields = Fields()
        while let (key, value) = try s.next() {
            func text() throws -> JSONValue {
                switch value {
                case .string(let r, let escaped):
                    if escaped { throw FlatJSONScanner.Failure.notFlat }
                    guard let t = s.text(r) else { throw StoreError.badImportLine(line: number, detail: "invalid UTF-8") }
                    return .string(t)
                case .number(let r):
                    guard let n = s.number(r) else { throw FlatJSONScanner.Failure.malformed }
                    return n
                case .bool(let b): return .bool(b)
                case .null: return .null
                }
            }
            if s.equals(key, "replica") {
                if let onlyReplica, case .string(let r, false) = value, !s.equals(r, onlyReplica) { return nil }
                fields.replica = try text()
            }
            else if s.equals(key, "txn") { fields.txn = try text() }
            else if s.equals(key, "op") { fields.op = try text() }
            else if s.equals(key, "collection") { fields.collection = try text() }
            else if s.equals(key, "id") { fields.id = try text() }
            else if s.equals(key, "field") { fields.field = try text() }
            else if s.equals(key, "value") { fields.value = try text() }
        }
        return try build(fields, number: number)
    }

    private static func fromJSON(_ json: JSONValue, number: Int) throws -> ImportLine {
        guard case .object(let members) = json else { throw StoreError.badImportLine(line: number, detail: "not a JSON object") }
        var fields = Fields()
        for (k, v) in members {
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
        func bad(_ detail: String) -> StoreError { .badImportLine(line: number, detail: detail) }
        guard case .string(let replica)? = f.replica else { throw bad("missing text \"replica\"") }
        guard case .int(let txn)? = f.txn else { throw bad("missing integer \"txn\"") }
        guard case .string(let opName)? = f.op, let kind = Kind(rawValue: opName) else {
            throw bad("\"op\" must be set, inc, add, remove or delete")
        }
        guard case .string(let collection)? = f.collection, Names.isValidName(collection) else {
            throw bad("\"collection\" must be a name (letters, digits, _ or -, starting with a letter)")
        }
        guard case .string(let id)? = f.id, Names.isValidRecordID(id) else { throw bad("\"id\" must be 1 to 256 bytes of text") }
        var field = ""
        var value = Value.null
        if kind != .delete {
            guard case .string(let name)? = f.field, Names.isValidField(name) else {
                throw bad("\"field\" must be a name other than id and namespace")
            }
            field = name
            switch f.value {
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

    /// The ops of this line: one, or several removes when it names more adds than one op may.
    func ops(store: Store, ns: Int64) throws -> [Op] {
        switch kind {
        case .set: return [.set(record, field: field, value: value)]
        case .inc:
            guard case .int(let d) = value else { throw StoreError.badImportLine(line: number, detail: "inc needs an integer value") }
            return [.counterAdd(record, field: field, delta: d)]
        case .add: return [.setAdd(record, field: field, element: value)]
        case .remove:
            let observed = try store.observedAdds(ns: ns, record: record, field: field, element: value)
            return Store.removeOps(record, field: field, element: value, observed: observed)
        case .delete: return [.delete(record)]
        }
    }
}
