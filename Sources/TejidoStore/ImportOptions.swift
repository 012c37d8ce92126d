/// How `importJSONLines` maps lines to namespaces and batches its commits.
public struct ImportOptions: Sendable {
    /// Keep only lines whose `replica` is this.
    public var replica: String?
    /// Put every line into this namespace instead of the one named by `replica`.
    public var namespace: String?
    /// At most this many changesets per SQLite transaction; each commit is durable before it is reported.
    public var changesetsPerCommit: Int
    /// Commit at least this often (seconds) even when the batch is not full.
    public var commitInterval: Double
    /// Skip the lines up to this number: resumes an import that was cut, from the `lines` of its
    /// last reported commit.
    public var afterLine: Int = 0
    /// Continue the cut import of this same file from the last line this store committed of it
    /// (recorded in the store with each commit, so nothing is imported twice).
    public var resume = false
    /// Lines the reader may queue ahead of the applying thread before the verdict on the input
    /// (tests make it small to reach the overflow path with small inputs).
    var readerQueueLines = ImportReader.capacity
    /// Called by the reader when it reads a regular file a second time: with 0 before it starts,
    /// then with each line's number (tests change the file there).
    var secondPassHook: (@Sendable (Int) -> Void)?
    /// Lines the preparing thread may hold ahead of the applying thread.
    var preparerQueueLines = ImportPreparer.capacity
    /// Called by the applying thread before it takes each changeset (tests hold it back there
    /// until the second reading starts, so that it surely happens however threads are scheduled).
    var applyHook: (@Sendable () -> Void)?

    /// Changesets per commit unless told otherwise. Each commit writes every page it dirtied to
    /// the log and syncs it, and the next batch dirties many of the same pages again: fewer
    /// commits write less. The one-second interval still bounds how long a commit holds the
    /// write lock and how much a crash can cut (docs/decisions.md, "Fewer, larger import commits").
    public static let defaultChangesetsPerCommit = 3000

    public init(replica: String? = nil, namespace: String? = nil, changesetsPerCommit: Int = ImportOptions.defaultChangesetsPerCommit,
                commitInterval: Double = 1.0) {
        self.replica = replica
        self.namespace = namespace
        self.changesetsPerCommit = changesetsPerCommit
        self.commitInterval = commitInterval
    }
}

/// Progress and totals of an import.
public struct ImportSummary: Sendable, Equatable {
    public var lines = 0
    public var changesets = 0
    public var ops = 0
    /// Id of the last committed changeset.
    public var lastID: String?

    public init() {}
}
