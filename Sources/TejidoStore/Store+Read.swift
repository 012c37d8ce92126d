import TejidoCore
import TejidoCrypto
import TejidoSQLite

extension Store {
    /// The merged record, or nil when it does not exist or a delete hides it.
    public func get(namespace: String, record: RecordKey) throws -> RecordState? {
        let (root, ns) = try resolveNamespace(namespace)
        let st = try statement("SELECT r.rec, r.deleted FROM records r WHERE r.ns=? AND r.collection=? AND r.rid=? AND \(visibleRecordSQL)")
        st.bind(1, ns); st.bind(2, record.collection); st.bind(3, record.id)
        guard try st.step() else { st.reset(); return nil }
        let rec = st.int64(0)
        let deleted: [UInt8] = st.isNull(1) ? [] : st.blob(1)
        st.reset()
        let fields = try currentFields(rec: rec, deleted: deleted)
        return RecordState(
            namespace: try displayName(nsID: ns, root: root), collection: record.collection, id: record.id, fields: fields)
    }

    /// Every visible record of a collection in a namespace, ordered by id.
    public func list(namespace: String, collection: String) throws -> [RecordState] {
        let (root, ns) = try resolveNamespace(namespace)
        let name = try displayName(nsID: ns, root: root)
        let st = try db.prepare(
            """
            SELECT r.rec, r.rid, r.deleted FROM records r WHERE r.ns=? AND r.collection=? AND \(visibleRecordSQL) ORDER BY r.rid
            """)
        st.bind(1, ns); st.bind(2, collection)
        var out: [RecordState] = []
        while try st.step() {
            let fields = try currentFields(rec: st.int64(0), deleted: st.isNull(2) ? [] : st.blob(2))
            out.append(RecordState(namespace: name, collection: collection, id: st.text(1), fields: fields))
        }
        return out
    }

    /// Current values of a record's fields, ignoring everything at or below the delete stamp.
    func currentFields(rec: Int64, deleted: [UInt8]) throws -> [String: RecordState.FieldValue] {
        var fields: [String: RecordState.FieldValue] = [:]
        let regs = try statement(
            "SELECT field, kind, value, max(stamp) FROM history WHERE rec=? AND stamp > ? GROUP BY field")
        regs.bind(1, rec); regs.bind(blob: 2, deleted)
        while try regs.step() { fields[regs.text(0)] = .value(ValueKind.value(kind: regs.int64(1), regs.value(2))) }
        regs.reset()
        let counters = try statement("SELECT field, clamped_sum(delta) FROM counters WHERE rec=? AND stamp > ? GROUP BY field")
        counters.bind(1, rec); counters.bind(blob: 2, deleted)
        while try counters.step() {
            let f = counters.text(0)
            if fields[f] == nil { fields[f] = .counter(counters.int64(1)) }
        }
        counters.reset()
        let sets = try statement(
            """
            SELECT DISTINCT a.field, a.kind, a.elem FROM set_adds a WHERE a.rec=? AND a.stamp > ?
            AND \(setAddNotRemovedSQL)
            ORDER BY a.field, a.kind, a.elem
            """)
        sets.bind(1, rec); sets.bind(blob: 2, deleted)
        var setValues: [String: [Value]] = [:]
        while try sets.step() { setValues[sets.text(0), default: []].append(ValueKind.value(kind: sets.int64(1), sets.value(2))) }
        sets.reset()
        for (f, elems) in setValues where fields[f] == nil { fields[f] = .set(elems) }
        return fields
    }

    /// Who wrote each current value of a record, when, and in which changeset.
    public func blame(namespace: String, record: RecordKey) throws -> [BlameEntry] {
        let (_, ns) = try resolveNamespace(namespace)
        let st = try statement("SELECT rec, deleted FROM records WHERE ns=? AND collection=? AND rid=?")
        st.bind(1, ns); st.bind(2, record.collection); st.bind(3, record.id)
        guard try st.step() else { st.reset(); throw StoreError.recordNotFound("\(record.collection)/\(record.id)") }
        let rec = st.int64(0)
        let deleted = st.isNull(1) ? [UInt8]() : st.blob(1)
        st.reset()
        let current = try currentFields(rec: rec, deleted: deleted)
        var out: [BlameEntry] = []
        let q = try db.prepare(
            """
            SELECT x.field, x.stamp, c.id, k.key, x.n FROM (
              SELECT field, max(stamp) AS stamp, cs, count(*) - 1 AS n FROM history WHERE rec=?1 AND stamp > ?2 GROUP BY field
              UNION ALL SELECT field, max(stamp), cs, 0 FROM counters WHERE rec=?1 AND stamp > ?2 GROUP BY field
              UNION ALL SELECT a.field, max(a.stamp), c2.seqno, 0 FROM set_adds a JOIN changesets c2 ON c2.id = a.cs_id
                WHERE a.rec=?1 AND a.stamp > ?2 GROUP BY a.field
            ) x JOIN changesets c ON c.seqno = x.cs JOIN keys k ON k.k = c.author ORDER BY x.field
            """)
        q.bind(1, rec); q.bind(blob: 2, deleted)
        var seen: Set<String> = []
        while try q.step() {
            let field = q.text(0)
            guard let value = current[field], seen.insert(field).inserted else { continue }
            out.append(BlameEntry(
                field: field, value: value, author: q.blob(3), hlc: Stamp.hlc(of: q.blob(1)),
                changeset: ChangesetID(bytes: q.blob(2))!, superseded: Int(q.int64(4))))
        }
        return out
    }

    /// Changesets in the order this store received them.
    public func log(limit: Int? = nil) throws -> [LogEntry] {
        let st = try db.prepare(
            "SELECT c.envelope, c.state, c.reason, c.ns FROM changesets c ORDER BY c.seqno" + (limit.map { " DESC LIMIT \($0)" } ?? ""))
        var names: [Int64: String] = [:]
        for row in try namespaceRows() { names[row.ns] = row.name ?? KeyText.namespace(bytes: row.root) }
        var out: [LogEntry] = []
        while try st.step() {
            let env = try ChangesetEnvelope(bytes: st.blob(0))
            let state = ["applied", "pending", "quarantined"][try st.code(1, below: 3)]
            out.append(LogEntry(
                id: env.id, namespace: names[st.int64(3)] ?? "?", author: env.body.author, seq: env.body.seq,
                hlc: env.body.hlc, ops: env.body.ops.count, message: env.body.message, state: state,
                reason: st.isNull(2) ? nil : st.text(2)))
        }
        return limit == nil ? out : out.reversed()
    }

    /// Calls `body` with each stored envelope, byte-exact, in the order received.
    public func forEachEnvelope(_ body: ([UInt8]) throws -> Void) throws {
        let st = try db.prepare("SELECT envelope FROM changesets ORDER BY seqno")
        while try st.step() { try body(st.blob(0)) }
    }

    /// Counts of changesets by state.
    public func changesetCounts() throws -> (applied: Int, pending: Int, quarantined: Int) {
        var c = [0, 0, 0]
        let st = try db.prepare("SELECT state, count(*) FROM changesets GROUP BY state")
        while try st.step() { c[try st.code(0, below: 3)] = Int(st.int64(1)) }
        return (c[0], c[1], c[2])
    }

    /// Changesets flagged on arrival for a clock more than a day ahead, oldest arrival first.
    public func clockFlags() throws -> [ClockFlag] {
        let st = try db.prepare(
            """
            SELECT c.id, k.key, c.ns, f.ahead_ms, f.received, r.key FROM clock_flags f JOIN changesets c ON c.seqno = f.seqno
            JOIN keys k ON k.k = c.author JOIN namespaces n ON n.ns = c.ns JOIN keys r ON r.k = n.root ORDER BY f.seqno
            """)
        var out: [ClockFlag] = []
        while try st.step() {
            out.append(ClockFlag(
                id: Hex.encode(st.blob(0)), author: st.blob(1), namespace: try displayName(nsID: st.int64(2), root: st.blob(5)),
                aheadMilliseconds: try st.uint64(3), received: try st.uint64(4)))
        }
        return out
    }

    /// Quarantined changesets with their reasons, oldest arrival first (at most `limit`).
    public func quarantined(limit: Int = 1_000) throws -> [HeldChangeset] {
        try held(.quarantined, reason: "COALESCE(c.reason, '')", limit: limit)
    }

    /// Pending changesets, each with the ids it still waits for ("waiting for <id>, ..."), oldest
    /// arrival first (at most `limit`): a dep that never comes leaves its changeset here for good.
    public func pending(limit: Int = 1_000) throws -> [HeldChangeset] {
        try held(.pending, reason: """
            'waiting for ' || lower(COALESCE((SELECT group_concat(hex(w.needed), ', ') FROM waiting w WHERE w.seqno = c.seqno), ''))
            """, limit: limit)
    }

    /// Changesets in `state`, with `reason` (an SQL expression over the row `c`) as their reason.
    private func held(_ state: ChangesetState, reason: String, limit: Int) throws -> [HeldChangeset] {
        let st = try db.prepare(
            """
            SELECT c.id, c.ns, r.key, k.key, c.seq, \(reason) FROM changesets c JOIN keys k ON k.k = c.author
            JOIN namespaces n ON n.ns = c.ns JOIN keys r ON r.k = n.root WHERE c.state = ? ORDER BY c.seqno LIMIT ?
            """)
        st.bind(1, state.rawValue)
        st.bind(2, Int64(limit))
        var out: [HeldChangeset] = []
        while try st.step() {
            out.append(HeldChangeset(
                id: Hex.encode(st.blob(0)), namespace: try displayName(nsID: st.int64(1), root: st.blob(2)), author: st.blob(3),
                seq: try st.uint64(4), reason: st.text(5)))
        }
        return out
    }
}
