import Foundation

/// The key of the store's prepared-statement cache: the SQL text, hashed by its length and its
/// first and last bytes rather than all of them. Hot paths ask for a statement once per
/// changeset or per flush, and some texts are long (a 64-row INSERT is about 900 bytes):
/// hashing the whole text cost more than the lookup saved. Equality compares the UTF-8 bytes,
/// all of them (not `String`'s `==`, which takes canonically equivalent texts for one), so two
/// texts alike at both ends only share a hash bucket, never a statement. They are compared with
/// `memcmp`: walking the UTF-8 views byte by byte took 4% of an import's applying thread.
struct StatementKey: Hashable {
    let sql: String

    init(_ sql: String) {
        self.sql = sql
    }

    static func == (a: StatementKey, b: StatementKey) -> Bool {
        var x = a.sql, y = b.sql
        return x.withUTF8 { p in
            y.withUTF8 { q in p.count == q.count && (p.isEmpty || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0) }
        }
    }

    func hash(into hasher: inout Hasher) {
        var text = sql
        text.withUTF8 { u in
            hasher.combine(u.count)
            let edge = Self.edgeBytes
            if u.count <= 2 * edge {
                hasher.combine(bytes: UnsafeRawBufferPointer(u))
            } else {
                hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: u[..<edge])))
                hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: u[(u.count - edge)...])))
            }
        }
    }

    /// Bytes taken from each end.
    static let edgeBytes = 24
}
