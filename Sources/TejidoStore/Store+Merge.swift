import TejidoCore
import TejidoSQLite

extension Store {
    /// Merges the ops of a changeset whose predecessors are applied and whose author may write.
    /// Every rule is order-independent (`protocol/merge.md`): registers keep every write and the
    /// highest stamp wins on read; counters and set adds keep every op; removes and deletes are tombstones.
    func merge(_ item: Store.Located) throws {
        try merge(id: item.envelope.id, body: item.envelope.body, seqno: item.seqno, ns: item.ns, author: item.author)
    }

    /// The merge itself, from the id and body alone (the local batch path signs in parallel).
    func merge(id: ChangesetID, body: ChangesetBody, seqno: Int64, ns: Int64, author: Int64) throws {
        let item = (seqno: seqno, ns: ns, author: author)
        let prefix = Stamp.prefix(hlc: body.hlc, author: body.author, seq: body.seq)
        var deleted: [Int64: [UInt8]] = [:]
        var columns = ColumnList()
        var localAdds: [LocalAdd] = []

        let insCounter = try statement("INSERT OR IGNORE INTO counters(rec, field, stamp, delta, cs) VALUES(?,?,?,?,?)")
        let insAdd = try statement(
            "INSERT OR IGNORE INTO set_adds(rec, field, stamp, kind, elem, ecbor, cs_id, op) VALUES(?,?,?,?,?,?,?,?)")
        let insRemove = try statement("INSERT OR IGNORE INTO set_removes(rec, field, cs_id, op, ecbor) VALUES(?,?,?,?,?)")

        for (index, op) in body.ops.enumerated() {
            var stamp: [UInt8] { Stamp.finish(prefix, opIndex: index) }
            switch op {
            case .set(let r, let field, let value):
                let rec = try writtenRecordID(ns: item.ns, r)
                let (kind, v) = ValueKind.of(value)
                pendingHistory.append(HistoryRow(rec: rec, field: field, prefix: prefix, opIndex: UInt32(index), kind: kind.rawValue, value: v, cs: item.seqno))
                columns.insert(r.collection, field, .register)
            case .delete(let r):
                deleted[try recordID(ns: item.ns, r)] = stamp
            case .counterAdd(let r, let field, let delta):
                let rec = try writtenRecordID(ns: item.ns, r)
                insCounter.bind(1, rec); insCounter.bind(2, field); insCounter.bind(blob: 3, stamp)
                insCounter.bind(4, delta); insCounter.bind(5, item.seqno)
                try insCounter.step(); insCounter.resetKeepingBindings()
                columns.insert(r.collection, field, .counter)
            case .setAdd(let r, let field, let element):
                let rec = try writtenRecordID(ns: item.ns, r)
                let (kind, v) = ValueKind.of(element)
                insAdd.bind(1, rec); insAdd.bind(2, field); insAdd.bind(blob: 3, stamp); insAdd.bind(4, kind.rawValue)
                insAdd.bind(5, v); insAdd.bind(blob: 6, element.cborBytes); insAdd.bind(blob: 7, id.bytes); insAdd.bind(8, Int64(index))
                try insAdd.step(); insAdd.resetKeepingBindings()
                localAdds.append(LocalAdd(rec: rec, field: field, element: element, index: index))
                columns.insert(r.collection, field, .set)
            case .setRemove(let r, let field, let element, let observed):
                let rec = try recordID(ns: item.ns, r)
                let ecbor = element.cborBytes
                for o in observed {
                    try insRemove.run([.integer(rec), .text(field), .blob(o.changeset.bytes), .integer(Int64(o.index)), .blob(ecbor)])
                }
                for add in localAdds where add.rec == rec && add.field == field && add.element.cborBytes == ecbor {
                    try insRemove.run([.integer(rec), .text(field), .blob(id.bytes), .integer(Int64(add.index)), .blob(ecbor)])
                }
                columns.insert(r.collection, field, .set)
            case .grant, .revoke, .visibility:
                // Roles are computed from the whole set of these changesets (Store+Authority), not merged one by one.
                continue
            case .name(let name):
                try run("UPDATE namespaces SET name=?, name_stamp=? WHERE ns=? AND (name_stamp IS NULL OR name_stamp < ?)",
                        [.text(name), .blob(stamp), .integer(item.ns), .blob(stamp)])
            }
        }
        if !deleted.isEmpty {
            let st = try statement("UPDATE records SET deleted=?1 WHERE rec=?2 AND (deleted IS NULL OR deleted < ?1)")
            for (rec, stamp) in deleted { try st.run([.blob(stamp), .integer(rec)]) }
        }
        let newColumns = columns.keys.filter { !knownColumns.contains($0) }
        if !newColumns.isEmpty {
            let st = try statement("INSERT OR IGNORE INTO columns(collection, field, crdt) VALUES(?,?,?)")
            for c in newColumns { try st.run([.text(c.collection), .text(c.field), .integer(c.crdt.rawValue)]) }
            knownColumns.formUnion(newColumns)
        }
        observe(body.hlc)

        try run(
            """
            INSERT INTO feeds(ns, author, seq, head) VALUES(?,?,?,?)
            ON CONFLICT(ns, author) DO UPDATE SET seq=excluded.seq, head=excluded.head WHERE excluded.seq > feeds.seq
            """, [.integer(item.ns), .integer(item.author), .integer(Int64(body.seq)), .blob(id.bytes)])
    }

    /// Writes the register rows merged in this transaction, sorted by key: inserting a whole batch
    /// in B-tree order touches each page once and keeps the cursor path hot. Called before COMMIT.
    func flushHistory() throws {
        guard !pendingHistory.isEmpty else { return }
        pendingHistory.sort { a, b in
            if a.rec != b.rec { return a.rec < b.rec }
            if a.field != b.field { return a.field < b.field }
            if a.prefix != b.prefix { return a.prefix.lexicographicallyPrecedes(b.prefix) }
            return a.opIndex < b.opIndex
        }
        // Many rows per statement: a one-row INSERT spends about as much in SQLite's per-statement
        // work (bytecode start and halt) as in the B-tree insert itself.
        let insert = "INSERT OR IGNORE INTO history(rec, field, stamp, kind, value, cs) VALUES"
        let many = try statement(insert + repeatElement("(?,?,?,?,?,?)", count: Self.historyRowsPerInsert).joined(separator: ","))
        let one = try statement(insert + "(?,?,?,?,?,?)")
        var stamp = [UInt8](repeating: 0, count: Stamp.byteCount)
        var next = 0
        while next < pendingHistory.count {
            let n = pendingHistory.count - next >= Self.historyRowsPerInsert ? Self.historyRowsPerInsert : 1
            let st = n == 1 ? one : many
            for k in 0..<n {
                let row = pendingHistory[next + k]
                let c = Int32(6 * k)
                Stamp.write(row.prefix, opIndex: Int(row.opIndex), into: &stamp)
                st.bind(c + 1, row.rec); st.bind(c + 2, row.field); st.bind(blob: c + 3, stamp)
                st.bind(c + 4, row.kind); st.bind(c + 5, row.value); st.bind(c + 6, row.cs)
            }
            try st.step()
            st.resetKeepingBindings()
            next += n
        }
        pendingHistory.removeAll(keepingCapacity: true)
    }

    static let historyRowsPerInsert = 64

    /// A register write waiting for `flushHistory`. Its stamp is the changeset's shared prefix and
    /// the op index, put together only when the row is written.
    struct HistoryRow {
        let rec: Int64
        let field: String
        let prefix: [UInt8]
        let opIndex: UInt32
        let kind: Int64
        let value: SQLiteValue
        let cs: Int64
    }

    /// Moves the clock past an applied changeset's HLC, so later local writes sort after it, but
    /// never more than `maxClockLead` ahead of the wall clock: one far-future changeset must not
    /// drag every later write of this store (and its peers) to the end of time.
    func observe(_ hlc: HLC) {
        let limit = HLC(milliseconds: now() + Self.maxClockLead, counter: 0)
        let seen = min(hlc, limit)
        if seen > clock { clock = seen }
    }

    /// How far ahead of the wall clock an observed HLC may move this store's clock: one day.
    static let maxClockLead: UInt64 = 86_400_000

    /// The local row id of a record, creating the row on first use.
    func recordID(ns: Int64, _ r: RecordKey) throws -> Int64 {
        try recordSlot(ns: ns, r, writing: false)
    }

    /// The row id of a record that an op writes (a set, counter add or set add), marking it as
    /// holding at least one write: the flag is monotonic and makes the record visible.
    func writtenRecordID(ns: Int64, _ r: RecordKey) throws -> Int64 {
        try recordSlot(ns: ns, r, writing: true)
    }

    private func recordSlot(ns: Int64, _ r: RecordKey, writing: Bool) throws -> Int64 {
        let key = RecordCacheKey(ns: ns, collection: r.collection, id: r.id)
        var slot: RecordSlot
        if let cached = recordIDs[key] {
            if cached.written || !writing { return cached.rec }
            slot = cached
        } else {
            slot = try storedRecord(ns: ns, r, writing: writing)
        }
        if writing && !slot.written {
            try run("UPDATE records SET written=1 WHERE rec=? AND written=0", [.integer(slot.rec)])
            slot = RecordSlot(rec: slot.rec, written: true)
        }
        if recordIDs.count > 200_000 { recordIDs.removeAll(keepingCapacity: true) }
        recordIDs[key] = slot
        return slot.rec
    }

    /// A record's row, created (with `written` as given) if it is not there yet.
    private func storedRecord(ns: Int64, _ r: RecordKey, writing: Bool) throws -> RecordSlot {
        // A record not in the cache is most often new (an import, a first sync): try to create
        // it, and look it up only if it was there already.
        let insert = try statement("INSERT INTO records(ns, collection, rid, written) VALUES(?,?,?,?) ON CONFLICT(ns, collection, rid) DO NOTHING")
        insert.bind(1, ns); insert.bind(2, r.collection); insert.bind(3, r.id); insert.bind(4, writing ? 1 : 0)
        try insert.step()
        insert.reset()
        if db.changes == 1 { return RecordSlot(rec: db.lastInsertRowID, written: writing) }
        let find = try statement("SELECT rec, written FROM records WHERE ns=? AND collection=? AND rid=?")
        find.bind(1, ns); find.bind(2, r.collection); find.bind(3, r.id)
        defer { find.reset() }
        guard try find.step() else { throw StoreError.database("record \(r.collection)/\(r.id) neither inserted nor found") }
        return RecordSlot(rec: find.int64(0), written: find.int64(1) != 0)
    }

    /// A cached record row: its id and whether it is known to hold a write.
    struct RecordSlot {
        let rec: Int64
        let written: Bool
    }

    struct ColumnKey: Hashable {
        let collection: String
        let field: String
        let crdt: CRDTKind
    }

    /// The (collection, field, kind) triples one changeset touches. A changeset names a handful,
    /// so a scan of short strings is cheaper than hashing two strings for each of its ops.
    struct ColumnList {
        private(set) var keys: [ColumnKey] = []

        mutating func insert(_ collection: String, _ field: String, _ crdt: CRDTKind) {
            // Lengths first: comparing two different short strings costs more than comparing counts.
            let f = field.utf8.count, c = collection.utf8.count
            for k in keys where k.crdt == crdt && k.field.utf8.count == f && k.collection.utf8.count == c
                && k.field == field && k.collection == collection { return }
            keys.append(ColumnKey(collection: collection, field: field, crdt: crdt))
        }
    }

    private struct LocalAdd {
        let rec: Int64
        let field: String
        let element: Value
        let index: Int
    }
}
