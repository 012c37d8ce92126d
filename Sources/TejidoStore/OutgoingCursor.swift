import TejidoSQLite

/// Streams the changesets a peer lacks, a batch at a time, without loading them all.
/// Belongs to its store's thread; finish or drop it before the store writes again.
public final class OutgoingCursor {
    private unowned let store: Store
    /// Run one after the other; each yields (envelope, ns, author, seq) rows.
    private let statements: [SQLiteStatement]
    private var current = 0
    private let roots: [Int64: [UInt8]]
    private var authors: [Int64: [UInt8]] = [:]
    private var done = false
    /// How many changesets and envelope bytes the cursor yields in all.
    public let total: Int
    public let bytes: Int

    init(store: Store, statements: [SQLiteStatement], roots: [Int64: [UInt8]], total: Int, bytes: Int) {
        self.store = store
        self.statements = statements
        self.roots = roots
        self.total = total
        self.bytes = bytes
    }

    /// The next changesets, up to `maxCount` of them and about `maxBytes` of envelopes (at least
    /// one, whatever its size); empty at the end.
    public func next(maxCount: Int, maxBytes: Int) throws -> [OutgoingChangeset] {
        var out: [OutgoingChangeset] = []
        var size = 0
        while !done && out.count < maxCount && size < maxBytes {
            let statement = statements[current]
            guard try statement.step() else {
                statement.reset()
                current += 1
                if current == statements.count { done = true }
                continue
            }
            let envelope = statement.blob(0)
            let authorID = statement.int64(2)
            let author: [UInt8]
            if let a = authors[authorID] { author = a } else {
                author = try store.keyBytes(authorID)
                authors[authorID] = author
            }
            out.append(OutgoingChangeset(envelope: envelope, namespace: roots[statement.int64(1)] ?? [], author: author,
                                         seq: try statement.uint64(3)))
            size += envelope.count
        }
        return out
    }

    /// Stops early and releases the read snapshot.
    public func close() {
        done = true
        for st in statements { st.reset() }
    }
}
