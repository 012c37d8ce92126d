import TejidoCore
import TejidoCrypto
import TejidoSQLite

extension Store {
    /// Merges the ops of a changeset whose predecessors are applied and whose author may write.
    /// Every rule is order-independent (`protocol/merge.md`): registers keep every write and the
    /// highest stamp wins on read; counters and set adds keep every op; removes and deletes are tombstones.
    func merge(_ item: Store.Located) throws {
        try merge(id: item.envelope.id, body: item.envelope.body, seqno: item.seqno, ns: item.ns, author: item.author)
    }

    /// The merge itself, from the id and body alone (the local batch path signs in parallel).
    /// `columns`, when given, are the (collection, field, kind) triples the ops touch, listed
    /// elsewhere (an import's preparing thread), so that this thread need not list them op by op.
    func merge(id: ChangesetID, body: ChangesetBody, seqno: Int64, ns: Int64, author: Int64, columns listed: [ColumnKey]? = nil) throws {
        let item = (seqno: seqno, ns: ns, author: author)
        let prefix = Stamp.prefix(hlc: body.hlc, author: body.author, seq: body.seq)
        var deleted: [Int64: [UInt8]] = [:]
        var columns = ColumnList()
        let listing = listed == nil
        var localAdds: [LocalAdd] = []

        let insRemove = try statement("INSERT OR IGNORE INTO set_removes(rec, field, cs_id, op, ecbor) VALUES(?,?,?,?,?)")

        // Every record key hashed first and its place in the index touched, all before the first
        // lookup: the cache misses then overlap instead of coming one op at a time. Both loops read
        // the ops in place: iterating the array would copy each op (retaining its references).
        var hashes = [UInt64](repeating: 0, count: body.ops.count)
        body.ops.withUnsafeBufferPointer { ops in
            for index in ops.indices {
                if let r = ops[index].record { hashes[index] = recordIDs.hash(ns: item.ns, collection: r.collection, id: r.id) }
            }
        }
        recordIDs.warm(hashes)

        try body.ops.withUnsafeBufferPointer { ops in
            for index in ops.indices {
                var stamp: [UInt8] { Stamp.finish(prefix, opIndex: index) }
                let hash = hashes[index]
                switch ops[index] {
                case .set(let r, let field, let value):
                    let rec = try writtenRecordID(ns: item.ns, r, hash: hash)
                    let (kind, v) = ValueKind.of(value)
                    pendingHistory.append(PendingRow(rec: rec, field: field, prefix: prefix, opIndex: UInt32(index), kind: kind.rawValue, value: v, cs: item.seqno, add: nil))
                    if listing { columns.insert(r.collection, field, .register) }
                case .delete(let r):
                    deleted[try recordID(ns: item.ns, r, hash: hash)] = stamp
                case .counterAdd(let r, let field, let delta):
                    let rec = try writtenRecordID(ns: item.ns, r, hash: hash)
                    pendingCounters.append(PendingRow(rec: rec, field: field, prefix: prefix, opIndex: UInt32(index), kind: 0, value: .integer(delta), cs: item.seqno, add: nil))
                    if listing { columns.insert(r.collection, field, .counter) }
                case .setAdd(let r, let field, let element):
                    let rec = try writtenRecordID(ns: item.ns, r, hash: hash)
                    let (kind, v) = ValueKind.of(element)
                    pendingSetAdds.append(PendingRow(
                        rec: rec, field: field, prefix: prefix, opIndex: UInt32(index), kind: kind.rawValue, value: v, cs: item.seqno,
                        add: SetAddColumns(element: element.cborBytes, changeset: id)))
                    localAdds.append(LocalAdd(rec: rec, field: field, element: element, index: index))
                    if listing { columns.insert(r.collection, field, .set) }
                case .setRemove(let r, let field, let element, let observed):
                    let rec = try recordID(ns: item.ns, r, hash: hash)
                    let ecbor = element.cborBytes
                    for o in observed {
                        try insRemove.run([.integer(rec), .text(field), .blob(o.changeset.bytes), .integer(Int64(o.index)), .blob(ecbor)])
                    }
                    for add in localAdds where add.rec == rec && add.field == field && add.element.cborBytes == ecbor {
                        try insRemove.run([.integer(rec), .text(field), .blob(id.bytes), .integer(Int64(add.index)), .blob(ecbor)])
                    }
                    if listing { columns.insert(r.collection, field, .set) }
                case .grant, .revoke, .visibility:
                    // Roles are computed from the whole set of these changesets (Store+Authority), not merged one by one.
                    continue
                case .name(let name):
                    // A name that reads as a key or an id is not taken: lists would show this
                    // namespace under another one's id (and `resolveNamespace` never finds it).
                    guard !KeyText.looksLikeKeyText(name) else { continue }
                    try run("UPDATE namespaces SET name=?, name_stamp=? WHERE ns=? AND (name_stamp IS NULL OR name_stamp < ?)",
                            [.text(name), .blob(stamp), .integer(item.ns), .blob(stamp)])
                }
            }
        }
        for (rec, stamp) in deleted {
            if let i = pendingRecordIndex(rec) {
                if pendingRecords[i].deleted.map({ $0.lexicographicallyPrecedes(stamp) }) ?? true { pendingRecords[i].deleted = stamp }
            } else {
                try run("UPDATE records SET deleted=?1 WHERE rec=?2 AND (deleted IS NULL OR deleted < ?1)", [.blob(stamp), .integer(rec)])
            }
        }
        let newColumns = (listed ?? columns.keys).filter { !knownColumns.contains($0) }
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

    /// Writes the register, counter and set-add rows merged in this transaction, each table's
    /// sorted by key: inserting a whole batch in B-tree order touches each page once and keeps the
    /// cursor path hot. Called before COMMIT, and before anything in the transaction reads those
    /// tables (`observedAdds` writes the set adds first).
    func flushPending() throws {
        try flushPendingRecords()
        try flush(&pendingHistory, into: .history)
        try flush(&pendingCounters, into: .counters)
        try flushPendingSetAdds()
    }

    func flushPendingSetAdds() throws {
        try flush(&pendingSetAdds, into: .setAdds)
    }

    /// The tables whose rows wait for `flushPending`, their columns and their INSERTs.
    enum PendingTable: CaseIterable {
        case history, counters, setAdds

        private var insert: String {
            switch self {
            case .history: "INSERT OR IGNORE INTO history(rec, field, stamp, kind, value, cs) VALUES"
            case .counters: "INSERT OR IGNORE INTO counters(rec, field, stamp, delta, cs) VALUES"
            case .setAdds: "INSERT OR IGNORE INTO set_adds(rec, field, stamp, kind, elem, ecbor, cs_id, op) VALUES"
            }
        }

        var width: Int32 {
            switch self {
            case .history: 6
            case .counters: 5
            case .setAdds: 8
            }
        }

        /// The INSERT of `rows` rows (one of `Store.insertSizes`), built once: set adds are flushed
        /// before every remove an import makes, not only at commit.
        func sql(rows: Int) -> String { Self.sql[self]![rows]! }

        private static let sql: [PendingTable: [Int: String]] = Dictionary(uniqueKeysWithValues: allCases.map { t in
            let row = "(" + repeatElement("?", count: Int(t.width)).joined(separator: ",") + ")"
            return (t, Dictionary(uniqueKeysWithValues: Store.insertSizes.map { n in
                (n, t.insert + repeatElement(row, count: n).joined(separator: ","))
            }))
        })
    }

    private func flush(_ rows: inout [PendingRow], into table: PendingTable) throws {
        guard !rows.isEmpty else { return }
        // Many rows per statement: a one-row INSERT spends about as much in SQLite's per-statement
        // work (bytecode start and halt) as in the B-tree insert itself. Stamps, field names and
        // text values are copied into one buffer per statement and bound without SQLite copying
        // them again, which saves an allocation per value.
        let width = table.width
        let statements = try Self.insertSizes.map { try statement(table.sql(rows: $0)) }
        var arena: [UInt8] = []
        arena.reserveCapacity(Self.rowsPerInsert * 128)
        var spans: [(field: Range<Int>, stamp: Range<Int>, text: Range<Int>?)] = []
        spans.reserveCapacity(Self.rowsPerInsert)
        try rows.withUnsafeBufferPointer { all in
            let order = Self.insertOrder(all)
            var next = 0
            while next < order.count {
                // The largest statement that the rows left fill: 21 rows go as 16, 4 and 1.
                let size = Self.insertSizes.firstIndex { $0 <= order.count - next }!
                let n = Self.insertSizes[size]
                let st = statements[size]
                arena.removeAll(keepingCapacity: true)
                spans.removeAll(keepingCapacity: true)
                for k in 0..<n {
                    let i = Int(order[next + k])
                    let s0 = arena.count
                    Stamp.append(all[i].prefix, opIndex: Int(all[i].opIndex), to: &arena)
                    let f0 = arena.count
                    arena.append(contentsOf: all[i].field.utf8)
                    let field = f0..<arena.count
                    var text: Range<Int>?
                    if case .text(let t) = all[i].value {
                        let t0 = arena.count
                        arena.append(contentsOf: t.utf8)
                        text = t0..<arena.count
                    }
                    spans.append((field, s0..<f0, text))
                }
                try arena.withUnsafeBufferPointer { a in
                    for k in 0..<n {
                        let i = Int(order[next + k])
                        let span = spans[k]
                        var c = width * Int32(k) + 1
                        st.bind(c, all[i].rec); c += 1
                        st.bind(unsafeText: c, UnsafeBufferPointer(rebasing: a[span.field])); c += 1
                        st.bind(unsafeBlob: c, UnsafeBufferPointer(rebasing: a[span.stamp])); c += 1
                        if table != .counters { st.bind(c, all[i].kind); c += 1 }
                        if let text = span.text { st.bind(unsafeText: c, UnsafeBufferPointer(rebasing: a[text])) } else { st.bind(c, all[i].value) }
                        c += 1
                        if table == .setAdds, let add = all[i].add {
                            st.bind(blob: c, add.element); c += 1
                            st.bind(blob: c, add.changeset.bytes); c += 1
                            st.bind(c, Int64(all[i].opIndex))
                        } else {
                            st.bind(c, all[i].cs)
                        }
                    }
                    try st.step()
                    // The bound bytes are only valid inside this closure.
                    st.reset()
                }
                next += n
            }
        }
        rows.removeAll(keepingCapacity: true)
    }

    /// The positions of `rows` in the order of the tables' key (record, field, stamp), for
    /// `flush`: inserting a batch in B-tree order touches each page once. Each row gets one 64-bit
    /// key, its record, the rank of its field and its position, so the sort compares integers.
    /// Rows of one record and field keep the order they were merged in, which is stamp order for
    /// a local batch (its clock only moves forward); for rows from elsewhere, an order that is
    /// not quite the key's only costs locality, since every INSERT stands on its own.
    /// (Comparing the rows themselves, with their field names and stamps, took 4% of an import's
    /// applying thread. Sorting by record alone cost SQLite more than the sort saved.)
    static func insertOrder(_ rows: UnsafeBufferPointer<PendingRow>) -> [Int32] {
        // Rows are read in place throughout: copying one retains and releases its references.
        var seen: [String: Int] = [:]
        var fields: [String] = []
        var fieldOf = [Int](repeating: 0, count: rows.count)
        var recordsFit = true
        for i in rows.indices {
            let rec = rows[i].rec
            if rec < 0 || rec >= 1 << 32 { recordsFit = false }
            // A collection has a handful of fields: a scan of the first few beats hashing the name.
            let field = rows[i].field
            var k = -1
            for j in 0..<min(fields.count, 16) where fields[j] == field {
                k = j
                break
            }
            if k < 0, fields.count > 16 { k = seen[field] ?? -1 }
            if k < 0 {
                k = fields.count
                if k >= 16 { seen[field] = k }
                fields.append(field)
            }
            fieldOf[i] = k
        }
        guard recordsFit, rows.count < 1 << 22, fields.count < 1 << 10 else {
            var order = Array(0..<Int32(rows.count))
            order.sort { i, j in
                let a = Int(i), b = Int(j)
                if rows[a].rec != rows[b].rec { return rows[a].rec < rows[b].rec }
                if rows[a].field != rows[b].field { return rows[a].field.utf8.lexicographicallyPrecedes(rows[b].field.utf8) }
                if rows[a].prefix != rows[b].prefix { return rows[a].prefix.lexicographicallyPrecedes(rows[b].prefix) }
                return rows[a].opIndex < rows[b].opIndex
            }
            return order
        }
        // SQLite compares text bytewise, so the ranks follow the UTF-8 bytes.
        var rank = [UInt64](repeating: 0, count: fields.count)
        for (r, k) in fields.indices.sorted(by: { fields[$0].utf8.lexicographicallyPrecedes(fields[$1].utf8) }).enumerated() {
            rank[k] = UInt64(r)
        }
        var keys = [UInt64]()
        keys.reserveCapacity(rows.count)
        for i in rows.indices { keys.append(UInt64(rows[i].rec) << 32 | rank[fieldOf[i]] << 22 | UInt64(i)) }
        keys.sort()
        return keys.map { Int32(truncatingIfNeeded: $0 & (1 << 22 - 1)) }
    }

    static let rowsPerInsert = 64

    /// The row counts of the INSERTs `flush` uses, largest first and ending with 1: the removes of
    /// an import flush the set adds before each one, a few dozen rows at a time, and 21 rows go
    /// as three statements (16, 4, 1) rather than 21.
    static let insertSizes = [rowsPerInsert, 16, 4, 1]

    /// A register write, a counter add or a set add waiting for `flushPending`. Its stamp is the
    /// changeset's shared prefix and the op index, put together only when the row is written.
    /// For a counter, `value` is the delta and `kind` is unused; a set add has `add`.
    struct PendingRow {
        let rec: Int64
        let field: String
        let prefix: [UInt8]
        let opIndex: UInt32
        let kind: Int64
        let value: SQLiteValue
        let cs: Int64
        let add: SetAddColumns?
    }

    /// What a set-add row has beyond the others: the element's CBOR and the add's changeset id.
    struct SetAddColumns {
        let element: [UInt8]
        let changeset: ChangesetID
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
    func recordID(ns: Int64, _ r: RecordKey, hash: UInt64? = nil) throws -> Int64 {
        try recordSlot(ns: ns, r, writing: false, hash: hash)
    }

    /// The row id of a record that an op writes (a set, counter add or set add), marking it as
    /// holding at least one write: the flag is monotonic and makes the record visible.
    func writtenRecordID(ns: Int64, _ r: RecordKey, hash: UInt64? = nil) throws -> Int64 {
        try recordSlot(ns: ns, r, writing: true, hash: hash)
    }

    /// `hash`, when given, is the record index's hash of the key (see `RecordIndex.warm`).
    private func recordSlot(ns: Int64, _ r: RecordKey, writing: Bool, hash: UInt64?) throws -> Int64 {
        let hash = hash ?? recordIDs.hash(ns: ns, collection: r.collection, id: r.id)
        let probe = recordIDs.lookup(ns: ns, collection: r.collection, id: r.id, hash: hash)
        var slot: RecordIndex.Slot
        if let cached = probe.slot {
            if cached.written || !writing { return cached.rec }
            slot = cached
        } else {
            slot = try storedRecord(ns: ns, r, writing: writing)
        }
        if writing && !slot.written {
            if let i = pendingRecordIndex(slot.rec) {
                pendingRecords[i].written = true
            } else {
                try run("UPDATE records SET written=1 WHERE rec=? AND written=0", [.integer(slot.rec)])
            }
            slot.written = true
        }
        if recordIDs.count >= recordIDs.limit {
            // The records waiting for their rows are known only to the index: they go in first.
            try flushPendingRecords()
            recordIDs.removeAll()
            recordIDs.set(recordIDs.lookup(ns: ns, collection: r.collection, id: r.id, hash: hash), ns: ns, collection: r.collection, id: r.id, slot: slot)
        } else {
            recordIDs.set(probe, ns: ns, collection: r.collection, id: r.id, slot: slot)
        }
        return slot.rec
    }

    /// A record's row id, found in the database or given to a new record, whose row waits in
    /// `pendingRecords` for `flushPending`. A new record's row used to be inserted here, one
    /// statement per record: its unique index takes the keys in no order, and that statement was
    /// a fifth of an import's applying thread. When the index holds every row of the store (it
    /// does from an empty store on), a key it lacks is new and the database is not asked at all.
    private func storedRecord(ns: Int64, _ r: RecordKey, writing: Bool) throws -> RecordIndex.Slot {
        if recordIDs.isComplete == nil {
            recordIDs.isComplete = try recordIDs.count == 0 && pendingRecords.isEmpty
                && db.scalar("SELECT EXISTS (SELECT 1 FROM records)") == .integer(0)
        }
        if recordIDs.isComplete != true {
            let find = try statement("SELECT rec, written FROM records WHERE ns=? AND collection=? AND rid=?")
            find.bind(1, ns); find.bind(2, r.collection); find.bind(3, r.id)
            defer { find.reset() }
            if try find.step() { return RecordIndex.Slot(rec: find.int64(0), written: find.int64(1) != 0) }
        }
        if pendingRecords.isEmpty {
            // SQLite's own choice for a new row: one past the largest.
            guard case .integer(let top) = try db.scalar("SELECT coalesce(max(rec), 0) FROM records"), top < Int64.max else {
                throw StoreError.database("no row id left for a new record")
            }
            pendingRecordBase = top + 1
        }
        let rec = pendingRecordBase + Int64(pendingRecords.count)
        pendingRecords.append(PendingRecord(ns: ns, collection: r.collection, id: r.id, written: writing, deleted: nil))
        return RecordIndex.Slot(rec: rec, written: writing)
    }

    /// The place in `pendingRecords` of a record whose row is not written yet, if it is one.
    func pendingRecordIndex(_ rec: Int64) -> Int? {
        let i = rec &- pendingRecordBase
        return i >= 0 && i < pendingRecords.count ? Int(i) : nil
    }

    /// A record first seen in the open transaction, as its row will be.
    struct PendingRecord {
        let ns: Int64
        let collection: String
        let id: String
        var written: Bool
        var deleted: [UInt8]?
    }

    /// Inserts the rows of `pendingRecords`, many per statement, in row id order. A plain INSERT:
    /// a record given a row here is not in the database, and if it were, the transaction fails
    /// rather than giving one record two rows.
    func flushPendingRecords() throws {
        guard !pendingRecords.isEmpty else { return }
        var next = 0
        while next < pendingRecords.count {
            let n = Self.insertSizes.first { $0 <= pendingRecords.count - next }!
            let st = try statement(Self.recordInsertSQL[n]!)
            for k in 0..<n {
                let r = pendingRecords[next + k]
                let c = Int32(k) * 5
                st.bind(c + 1, r.ns); st.bind(c + 2, r.collection); st.bind(c + 3, r.id)
                if let d = r.deleted { st.bind(blob: c + 4, d) } else { st.bindNull(c + 4) }
                st.bind(c + 5, r.written ? 1 : 0)
            }
            defer { st.reset() }
            try st.step()
            next += n
            // SQLite numbers the rows itself, each one past the largest, which is the numbering
            // the merge gave them: letting it saves a look-up of each id in the table. Should the
            // two ever differ, the transaction fails rather than mislabel a record's values.
            guard db.lastInsertRowID == pendingRecordBase + Int64(next - 1) else {
                throw StoreError.database("record rows numbered \(db.lastInsertRowID), expected \(pendingRecordBase + Int64(next - 1))")
            }
        }
        pendingRecords.removeAll(keepingCapacity: true)
    }

    private static let recordInsertSQL: [Int: String] = Dictionary(uniqueKeysWithValues: insertSizes.map { n in
        (n, "INSERT INTO records(ns, collection, rid, deleted, written) VALUES "
            + repeatElement("(?,?,?,?,?)", count: n).joined(separator: ","))
    })

    struct ColumnKey: Hashable {
        let collection: String
        let field: String
        let crdt: CRDTKind
    }

    /// The (collection, field, kind) triples one changeset touches. A changeset names a handful,
    /// so each is found by a scan of 64-bit tags (a hash of its bytes, computed once per op)
    /// rather than by hashing and comparing two strings against every entry.
    struct ColumnList {
        private(set) var keys: [ColumnKey] = []
        private var tags: [UInt64] = []

        mutating func insert(_ collection: String, _ field: String, _ crdt: CRDTKind) {
            let tag = Self.tag(collection, field, crdt)
            for (i, t) in tags.enumerated() where t == tag {
                let k = keys[i]
                if k.crdt == crdt && k.field == field && k.collection == collection { return }
            }
            tags.append(tag)
            keys.append(ColumnKey(collection: collection, field: field, crdt: crdt))
        }

        /// FNV-1a over the bytes of both names, a separator and the kind.
        private static func tag(_ collection: String, _ field: String, _ crdt: CRDTKind) -> UInt64 {
            var c = collection, f = field
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            c.withUTF8 { for b in $0 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 } }
            h = (h ^ 0xFF) &* 0x100_0000_01B3
            f.withUTF8 { for b in $0 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 } }
            return (h ^ UInt64(crdt.rawValue)) &* 0x100_0000_01B3
        }
    }

    private struct LocalAdd {
        let rec: Int64
        let field: String
        let element: Value
        let index: Int
    }
}
