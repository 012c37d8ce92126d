import TejidoCore
import TejidoCrypto
import TejidoSQLite

extension Store {
    struct NamespaceRow {
        let ns: Int64
        let root: [UInt8]
        let name: String?
    }

    func namespaceRows() throws -> [NamespaceRow] {
        // A namespace exists for this store once one of its changesets was applied; rows made for
        // held (pending or quarantined) changesets alone do not count.
        let st = try statement(
            """
            SELECT n.ns, k.key, COALESCE(n.petname, n.name) FROM namespaces n JOIN keys k ON k.k = n.root
            WHERE EXISTS (SELECT 1 FROM feeds f WHERE f.ns = n.ns) ORDER BY n.ns
            """)
        defer { st.reset() }
        var out: [NamespaceRow] = []
        while try st.step() { out.append(NamespaceRow(ns: st.int64(0), root: st.blob(1), name: st.isNull(2) ? nil : st.text(2))) }
        return out
    }

    /// Finds a namespace by its id (`tjns1...`, `tjk1...` or hex) or by its name.
    public func resolveNamespace(_ text: String) throws -> (root: [UInt8], ns: Int64) {
        let rows = try namespaceRows()
        if let key = KeyText.parseKey(text), let row = rows.first(where: { $0.root == key.bytes }) {
            return (row.root, row.ns)
        }
        // Text that reads as an id is never taken for a name: a peer's namespace could be named
        // after one this store does not hold, and writes meant for that id would go to it.
        if KeyText.looksLikeKeyText(text) { throw StoreError.unknownNamespace(text) }
        let named = rows.filter { $0.name == text }
        if named.count > 1 { throw StoreError.ambiguousNamespace(text) }
        guard let row = named.first else { throw StoreError.unknownNamespace(text) }
        return (row.root, row.ns)
    }

    func displayName(nsID: Int64, root: [UInt8]) throws -> String {
        try namespaceRows().first { $0.ns == nsID }?.name ?? KeyText.namespace(bytes: root)
    }

    /// Gives a namespace a local name that overrides its signed one here only (nil: back to the
    /// signed name). Petnames never travel and do not enter the state digest.
    public func setPetname(namespace text: String, to petname: String?) throws {
        let (_, ns) = try resolveNamespace(text)
        if let petname {
            guard Names.isValidName(petname) else { throw StoreError.invalidName(petname) }
            guard !KeyText.looksLikeKeyText(petname) else { throw StoreError.nameLooksLikeKey(petname) }
        }
        try write { try run("UPDATE namespaces SET petname=? WHERE ns=?", [petname.map { .text($0) } ?? .null, .integer(ns)]) }
    }

    public func namespaceInfo(_ root: [UInt8]) throws -> NamespaceInfo {
        guard let row = try namespaceRows().first(where: { $0.root == root }) else {
            throw StoreError.unknownNamespace(KeyText.namespace(bytes: root))
        }
        return try info(row)
    }

    /// Every namespace this store holds, in the order it first saw them.
    public func namespaces() throws -> [NamespaceInfo] { try namespaceRows().map(info) }

    private func info(_ row: NamespaceRow) throws -> NamespaceInfo {
        var changesets = 0
        var records = 0
        if case .integer(let c)? = try db.scalar("SELECT count(*) FROM changesets WHERE ns=? AND state=0", [.integer(row.ns)]) { changesets = Int(c) }
        if case .integer(let r)? = try db.scalar(
            "SELECT count(*) FROM records r WHERE r.ns=? AND \(visibleRecordSQL)",
            [.integer(row.ns)]) { records = Int(r) }
        let me = nodeKey.publicKey.bytes
        // A lookup, not `keyID`: reading a namespace never writes (a store that has only received
        // does not know its own key's row yet; it has then written nothing anywhere, row id -1).
        let role = try self.role(of: me, authorID: existingKeyID(me) ?? -1, namespace: row.root, nsID: row.ns, fresh: true)
        return NamespaceInfo(id: row.root, name: row.name, changesets: changesets, records: records, myRole: role)
    }
}
