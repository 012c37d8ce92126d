import TejidoCore
import TejidoCrypto

/// Who may write where. Every authorization decision of the store is made here.
extension Store {
    /// The role a key holds in a namespace: the root is admin; others hold what was granted.
    func role(of author: [UInt8], authorID: Int64, namespace root: [UInt8], nsID: Int64) throws -> Role? {
        if author == root { return .admin }
        let key = AuthorityKey(ns: nsID, author: authorID)
        if let cached = authorityCache[key] { return cached.role }
        let st = try statement("SELECT role FROM grants WHERE ns=? AND key=?")
        st.bind(1, nsID)
        st.bind(2, authorID)
        defer { st.reset() }
        let role: Role? = try st.step() ? Role(rawValue: UInt64(st.int64(0))) : nil
        authorityCache[key] = CachedRole(role: role)
        return role
    }

    /// The role a changeset's ops require: admin for grants and names, writer for data.
    static func requiredRole(for ops: [Op]) -> Role {
        ops.contains { $0.code == .grant || $0.code == .name } ? .admin : .writer
    }

    /// Nil if the author may apply these ops here, else the reason it may not.
    func authorizationFailure(body: ChangesetBody, authorID: Int64, nsID: Int64) throws -> String? {
        let needed = Self.requiredRole(for: body.ops)
        let held = try role(of: body.author, authorID: authorID, namespace: body.namespace, nsID: nsID)
        guard let held else { return "unauthorized: author holds no role in the namespace" }
        if held < needed { return "unauthorized: author is \(held.name), needs \(needed.name)" }
        return nil
    }

    /// Everyone with a role in a namespace: the root first, then the granted keys by role and key.
    public func members(namespace text: String) throws -> [Member] {
        let (root, ns) = try resolveNamespace(text)
        var out = [Member(key: root, role: .admin, isRoot: true, grantedBy: nil, changeset: nil, grantedAt: nil)]
        let st = try db.prepare(
            """
            SELECT k.key, g.role, b.key, c.id, c.hlc FROM grants g JOIN keys k ON k.k = g.key JOIN keys b ON b.k = g.granted_by
            JOIN changesets c ON c.seqno = g.cs WHERE g.ns = ? ORDER BY g.role DESC, k.key
            """)
        st.bind(1, ns)
        while try st.step() {
            guard let role = Role(rawValue: UInt64(st.int64(1))) else { continue }
            let key = st.blob(0)
            if key == root { continue }
            out.append(Member(key: key, role: role, isRoot: false, grantedBy: st.blob(2), changeset: Hex.encode(st.blob(3)),
                              grantedAt: HLC(rawValue: UInt64(bitPattern: st.int64(4)))))
        }
        return out
    }

    /// Fingerprints of the keys that hold admin in a namespace (who can grant a role there).
    func adminFingerprints(nsID: Int64, root: [UInt8]) throws -> [String] {
        var out = [KeyText.fingerprint(root)]
        let st = try db.prepare("SELECT k.key FROM grants g JOIN keys k ON k.k = g.key WHERE g.ns=? AND g.role=? ORDER BY k.key")
        st.bind(1, nsID)
        st.bind(2, Int64(Role.admin.rawValue))
        while try st.step() {
            let key = st.blob(0)
            if key != root { out.append(KeyText.fingerprint(key)) }
        }
        return out
    }

    struct AuthorityKey: Hashable {
        let ns: Int64
        let author: Int64
    }

    struct CachedRole {
        let role: Role?
    }
}
