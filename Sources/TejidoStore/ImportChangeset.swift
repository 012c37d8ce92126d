import TejidoCore

/// One changeset's worth of import lines, as the preparing thread hands it over: each line's op,
/// and its CBOR encoding, already made when the line needs nothing of the store (every kind but a
/// remove, which names the adds it observed). The applying thread would otherwise spend its own
/// time on both.
struct ImportChangeset {
    let lines: [ImportLine]
    /// Per line: its op, or nil for a remove.
    private let lineOps: [Op?]
    /// The encodings of those ops one after another: line i's is at `offsets[i]..<offsets[i + 1]`
    /// (empty for a remove).
    private let encoded: [UInt8]
    private let offsets: [Int]
    /// When no line needs the store (about half of all changesets): the ops and the whole
    /// encoding of the ops array, ready for the applying thread to take as they are.
    private let complete: (ops: [Op], encoding: [UInt8])?
    /// The (collection, field, kind) triples the ops touch, for the merge's list of columns.
    let columns: [Store.ColumnKey]

    init(lines: [ImportLine]) {
        self.lines = lines
        var list = Store.ColumnList()
        for line in lines {
            switch line.kind {
            case .set: list.insert(line.record.collection, line.field, .register)
            case .inc: list.insert(line.record.collection, line.field, .counter)
            case .add, .remove: list.insert(line.record.collection, line.field, .set)
            case .delete: continue
            }
        }
        columns = list.keys
        if !lines.contains(where: { $0.kind == .remove }), let complete = Self.storeless(lines) {
            self.complete = complete
            lineOps = []
            encoded = []
            offsets = []
            return
        }
        complete = nil
        var ops: [Op?] = []
        ops.reserveCapacity(lines.count)
        var w = CBORWriter(capacity: lines.count * 80)
        var offsets = [0]
        offsets.reserveCapacity(lines.count + 1)
        for line in lines {
            let op = line.storelessOp
            op?.encode(into: &w)
            ops.append(op)
            offsets.append(w.bytes.count)
        }
        self.lineOps = ops
        self.encoded = w.bytes
        self.offsets = offsets
    }

    /// The ops and the encoding of the ops array, or nil if a line needs the store.
    private static func storeless(_ lines: [ImportLine]) -> (ops: [Op], encoding: [UInt8])? {
        var ops: [Op] = []
        ops.reserveCapacity(lines.count)
        var w = CBORWriter(capacity: lines.count * 80 + 9)
        w.arrayHeader(lines.count)
        for line in lines {
            guard let op = line.storelessOp else { return nil }
            op.encode(into: &w)
            ops.append(op)
        }
        return (ops, w.bytes)
    }

    /// The changeset's ops, and their encoding as the body's ops array
    /// (`ChangesetBody.encode(ops:)`): removes are made here, with the store.
    func opsAndEncoding(store: Store, ns: Int64) throws -> (ops: [Op], encoding: [UInt8]) {
        if let complete { return complete }
        var ops: [Op] = []
        ops.reserveCapacity(lines.count)
        // Where each line's ops begin in `ops`, for the removes (which may take several ops).
        var firstOp: [Int] = []
        firstOp.reserveCapacity(lines.count + 1)
        for (i, line) in lines.enumerated() {
            firstOp.append(ops.count)
            if let op = lineOps[i] { ops.append(op) } else { ops.append(contentsOf: try line.storeOps(store: store, ns: ns)) }
        }
        firstOp.append(ops.count)
        var w = CBORWriter(capacity: encoded.count + 16 + (ops.count - lines.count + 8) * 120)
        w.arrayHeader(ops.count)
        encoded.withUnsafeBufferPointer { e in
            for i in lines.indices {
                if lineOps[i] != nil {
                    w.raw(UnsafeBufferPointer(rebasing: e[offsets[i]..<offsets[i + 1]]))
                } else {
                    for k in firstOp[i]..<firstOp[i + 1] { ops[k].encode(into: &w) }
                }
            }
        }
        return (ops, w.bytes)
    }
}
