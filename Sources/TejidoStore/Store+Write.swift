import Foundation
import TejidoCore
import TejidoCrypto
import TejidoSQLite

extension Store {
    // MARK: Namespaces

    /// Creates a namespace with a fresh root key. Its first changeset, signed by the root, names it
    /// and grants admin to this node's key. The root secret is kept in `keys/` (mode 0600).
    @discardableResult
    /// `admins`: more keys the root makes admin in the same first changeset (a joint namespace:
    /// allied groups' keys, so that no single party controls it and a lost device loses nothing).
    /// `isPrivate`: the namespace goes only to nodes whose keys hold a role in it.
    public func createNamespace(name: String, admins: [Ed25519PublicKey] = [], isPrivate: Bool = false) throws -> NamespaceInfo {
        guard Names.isValidName(name) else { throw StoreError.invalidName(name) }
        // A name that reads as a key or an id would be taken for one: `resolveNamespace` tries ids first.
        guard !KeyText.looksLikeKeyText(name) else { throw StoreError.nameLooksLikeKey(name) }
        let root = try Ed25519PrivateKey()
        let keyFile = layout.rootKey(Hex.encode(root.publicKey.bytes))
        var wroteKey = false
        do { try write {
            // Under the write lock: two processes creating the same name at once must not both succeed.
            if try namespaceRows().contains(where: { $0.name == name }) { throw StoreError.namespaceExists(name) }
            // The root's secret is on disk before the namespace exists anywhere.
            try FileManager.default.createDirectory(
                at: layout.rootKeys, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try StoreLayout.writeSecret(root.seed, to: keyFile)
            wroteKey = true
            _ = try commitLocal(
                namespace: root.publicKey.bytes,
                ops: [.name(name)] + (isPrivate ? [.visibility(isPrivate: true)] : [])
                    + ([nodeKey.publicKey.bytes] + admins.map(\.bytes).filter { $0 != nodeKey.publicKey.bytes })
                    .map { .grant(key: $0, role: .admin) },
                message: nil, signer: root)
        } } catch {
            // The transaction was rolled back, so no namespace should have this root; its key is
            // set aside rather than deleted, in case a failed COMMIT's frames come back after a crash.
            if wroteKey {
                let aside = keyFile.deletingPathExtension().appendingPathExtension("unused")
                try? FileManager.default.removeItem(at: aside)
                try? FileManager.default.moveItem(at: keyFile, to: aside)
            }
            throw error
        }
        return try namespaceInfo(root.publicKey.bytes)
    }

    /// Gives a key a role in a namespace; only an admin can.
    @discardableResult
    public func grant(namespace: String, key: Ed25519PublicKey, role: Role) throws -> ChangesetID {
        try writeLocal(namespace: namespace, ops: [.grant(key: key.bytes, role: role)], message: nil)
    }

    /// Takes a key's role back: changesets of its feed in the namespace past seq `after` stop
    /// counting on every store. `after` defaults to the last seq of that feed held here. Only an
    /// admin can; the root cannot be revoked.
    @discardableResult
    /// The cut-off `revoke` takes without `after`: the highest seq of the key's feed held here.
    public func defaultCutoff(namespace: String, key: Ed25519PublicKey) throws -> UInt64 {
        try lastHeldSeq(nsID: try resolveNamespace(namespace).ns, key: key.bytes)
    }

    public func revoke(namespace: String, key: Ed25519PublicKey, after: UInt64? = nil) throws -> (id: ChangesetID, after: UInt64) {
        let (root, ns) = try resolveNamespace(namespace)
        if key.bytes == root { throw StoreError.cannotRevokeRoot }
        let cut = try after ?? lastHeldSeq(nsID: ns, key: key.bytes)
        let id = try writeLocal(namespace: namespace, ops: [.revoke(key: key.bytes, after: cut)], message: nil)
        return (id, cut)
    }

    // MARK: Records

    @discardableResult
    public func put(namespace: String, record: RecordKey, fields: [(String, Value)], message: String? = nil) throws -> ChangesetID {
        try check(record)
        for (f, _) in fields where !Names.isValidField(f) { throw StoreError.invalidField(f) }
        return try writeLocal(namespace: namespace, ops: fields.map { .set(record, field: $0.0, value: $0.1) }, message: message)
    }

    @discardableResult
    public func delete(namespace: String, record: RecordKey, message: String? = nil) throws -> ChangesetID {
        try check(record)
        return try writeLocal(namespace: namespace, ops: [.delete(record)], message: message)
    }

    @discardableResult
    public func increment(namespace: String, record: RecordKey, field: String, by delta: Int64, message: String? = nil) throws -> ChangesetID {
        try check(record)
        guard Names.isValidField(field) else { throw StoreError.invalidField(field) }
        return try writeLocal(namespace: namespace, ops: [.counterAdd(record, field: field, delta: delta)], message: message)
    }

    @discardableResult
    public func tagAdd(namespace: String, record: RecordKey, field: String, element: Value, message: String? = nil) throws -> ChangesetID {
        try check(record)
        guard Names.isValidField(field) else { throw StoreError.invalidField(field) }
        return try writeLocal(namespace: namespace, ops: [.setAdd(record, field: field, element: element)], message: message)
    }

    /// Removes every add of `element` this store has seen in the record's set field.
    @discardableResult
    public func tagRemove(namespace: String, record: RecordKey, field: String, element: Value, message: String? = nil) throws -> ChangesetID {
        try check(record)
        guard Names.isValidField(field) else { throw StoreError.invalidField(field) }
        let (root, nsID) = try resolveNamespace(namespace)
        try checkMessage(message)
        return try write {
            let observed = try observedAdds(ns: nsID, record: record, field: field, element: element)
            let ops = Self.removeOps(record, field: field, element: element, observed: observed)
            return try commitLocal(namespace: root, ops: ops, message: message, signer: nodeKey).id
        }
    }

    // MARK: The local write path

    func checkMessage(_ message: String?) throws {
        if let m = message, m.isEmpty || m.utf8.count > FormatLimits.maxMessageBytes {
            throw StoreError.invalidChangeset(.messageLength(max: FormatLimits.maxMessageBytes))
        }
    }

    func check(_ record: RecordKey) throws {
        guard Names.isValidName(record.collection) else { throw StoreError.invalidName(record.collection) }
        guard Names.isValidRecordID(record.id) else { throw StoreError.invalidRecordID(record.id) }
    }

    func writeLocal(namespace: String, ops: [Op], message: String?) throws -> ChangesetID {
        let (root, _) = try resolveNamespace(namespace)
        try checkMessage(message)
        return try write { try commitLocal(namespace: root, ops: ops, message: message, signer: nodeKey).id }
    }

    /// Builds, signs and applies a changeset by `signer`. Must run inside `write`.
    func commitLocal(namespace root: [UInt8], ops: [Op], message: String?, signer: Ed25519PrivateKey) throws -> ChangesetEnvelope {
        let author = signer.publicKey.bytes
        let nsID = try namespaceID(root, create: author == root)
        guard let nsID else { throw StoreError.unknownNamespace(KeyText.namespace(bytes: root)) }
        let authorID = try keyID(author)
        let needed = Self.requiredRole(for: ops)
        let held = try role(of: author, authorID: authorID, namespace: root, nsID: nsID)
        if held == nil, let cut = try authority(nsID: nsID, root: root).entries[author]?.cutoff {
            throw StoreError.revoked(namespace: try displayName(nsID: nsID, root: root), after: cut,
                                     admins: try adminFingerprints(nsID: nsID, root: root))
        }
        if held == nil || held! < needed {
            throw StoreError.notAuthorized(namespace: try displayName(nsID: nsID, root: root), needed: needed,
                                           admins: try adminFingerprints(nsID: nsID, root: root))
        }
        try checkNoHeldChangesetPastHead(ns: nsID, author: authorID)
        var seq: UInt64 = 1
        var prev: ChangesetID?
        var deps: [ChangesetID] = []
        let feeds = try statement(Self.feedHeadsSQL)
        feeds.bind(1, nsID)
        while try feeds.step() {
            if feeds.int64(0) == authorID {
                seq = try feeds.uint64(1) + 1
                prev = ChangesetID(bytes: feeds.blob(2))
            } else if deps.count < FormatLimits.maxDeps, let d = ChangesetID(bytes: feeds.blob(2)) {
                deps.append(d)
            }
        }
        feeds.reset()
        // The format's largest seq is Int64.max; only a damaged store holds a head there.
        guard seq <= UInt64(Int64.max) else { throw StoreError.corruptStore(path: layout.database.path, detail: "this node's feed is at the largest seq") }
        // A node revoking its own key must keep this very changeset before the cut-off, or it
        // would not count. Checked here, under the write lock, against the seq it gets.
        for case .revoke(let key, let cut) in ops where key == author && cut < seq {
            throw StoreError.cannotRevokeSelf(next: seq)
        }
        clock = HLC.next(after: clock, nowMilliseconds: now())
        let body = ChangesetBody(
            network: networkID, namespace: root, author: author, seq: seq, prev: prev, deps: deps, hlc: clock, ops: ops,
            message: message)
        guard ops.count <= FormatLimits.maxOps, deps.count <= FormatLimits.maxDeps else {
            throw StoreError.invalidChangeset(.tooManyOpsOrDeps(maxOps: FormatLimits.maxOps, maxDeps: FormatLimits.maxDeps))
        }
        let signed = try ChangesetEnvelope.sign(body, with: signer)
        // Decode our own bytes as a peer will: a changeset only this store would accept would
        // stall this node's feed everywhere else.
        let env: ChangesetEnvelope
        do { env = try ChangesetEnvelope(bytes: signed.bytes) } catch { throw error.storeError }
        let outcome = try receive(env, trusted: true)
        guard outcome == .applied else { throw StoreError.invalidChangeset(.notApplied("\(outcome)")) }
        return env
    }

    /// Refuses to write when this node already holds one of its own changesets past its applied
    /// head in the namespace (after restoring a backup, say): writing would fork its own feed.
    func checkNoHeldChangesetPastHead(ns: Int64, author: Int64) throws {
        var head: Int64 = 0
        if case .integer(let s)? = try db.scalar("SELECT seq FROM feeds WHERE ns=? AND author=?", [.integer(ns), .integer(author)]) { head = s }
        if case .integer(let top)? = try db.scalar("SELECT max(seq) FROM changesets WHERE ns=? AND author=?", [.integer(ns), .integer(author)]),
            top > head
        {
            throw StoreError.heldPastOwnHead(held: top, head: head)
        }
    }

    /// Removes of one element, split so that no op names more than the format's limit of observed adds.
    static func removeOps(_ record: RecordKey, field: String, element: Value, observed: [OpRef]) -> [Op] {
        guard observed.count > FormatLimits.maxObserved else { return [.setRemove(record, field: field, element: element, observed: observed)] }
        return stride(from: 0, to: observed.count, by: FormatLimits.maxObserved).map {
            .setRemove(record, field: field, element: element, observed: Array(observed[$0..<min($0 + FormatLimits.maxObserved, observed.count)]))
        }
    }

    /// Feed heads of a namespace, most recently applied first: deps keep the newest 1024 when a
    /// namespace has more feeds than one changeset may name (prev still carries the rest).
    static let feedHeadsSQL = """
        SELECT f.author, f.seq, f.head FROM feeds f JOIN changesets c ON c.id = f.head WHERE f.ns=? ORDER BY c.applied DESC
        """

    /// The visible adds of an element: what a remove issued now has observed.
    func observedAdds(ns: Int64, record: RecordKey, field: String, element: Value) throws -> [OpRef] {
        // Adds merged earlier in this transaction (an import) must be seen too.
        try flushPendingSetAdds()
        let rec = try recordID(ns: ns, record)
        // The record's latest delete: a record first seen in this transaction has no row yet.
        var deleted: [UInt8]?
        if let i = pendingRecordIndex(rec) {
            deleted = pendingRecords[i].deleted
        } else {
            let find = try statement("SELECT deleted FROM records WHERE rec=?")
            defer { find.reset() }
            find.bind(1, rec)
            if try find.step(), !find.isNull(0) { deleted = find.blob(0) }
        }
        let st = try statement(
            """
            SELECT a.cs_id, a.op FROM set_adds a
            WHERE a.rec=? AND a.field=? AND a.ecbor=? AND (?4 IS NULL OR a.stamp > ?4)
            AND \(setAddNotRemovedSQL)
            """)
        st.bind(1, rec); st.bind(2, field); st.bind(blob: 3, element.cborBytes)
        if let deleted { st.bind(blob: 4, deleted) } else { st.bindNull(4) }
        defer { st.reset() }
        var out: [OpRef] = []
        while try st.step() {
            if let id = ChangesetID(bytes: st.blob(0)) { out.append(OpRef(changeset: id, index: try st.uint64(1))) }
        }
        return out
    }
}
