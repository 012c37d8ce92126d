import TejidoCore

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

    struct AuthorityKey: Hashable {
        let ns: Int64
        let author: Int64
    }

    struct CachedRole {
        let role: Role?
    }
}
