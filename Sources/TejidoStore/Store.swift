import Foundation
import Logging
import TejidoCore
import TejidoCrypto
import TejidoSQLite

/// One replica on disk: a directory with the SQLite database, the node key and a config file.
///
/// A `Store` is confined to one thread. Every change goes through `apply`, which checks format,
/// signature, chain, dependencies and authority before merging the ops (`Store+Apply.swift`).
public final class Store {
    public let directory: URL
    let layout: StoreLayout
    let db: SQLiteConnection
    /// Copies the log into the database off this thread once it grows (`WALCheckpointer`).
    var checkpointer: WALCheckpointer?
    public let nodeKey: Ed25519PrivateKey
    public let networkID: [UInt8]
    var logger = Logger(label: "tejido.store")

    /// Clock of the last HLC this store issued or saw.
    var clock = HLC(rawValue: 0)
    /// Wall clock in Unix milliseconds; tests may fix it.
    public var now: () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }

    // Caches valid for the life of the connection; cleared on rollback.
    var keyIDs: [[UInt8]: Int64] = [:]
    var namespaceIDs: [[UInt8]: Int64] = [:]
    var recordIDs = RecordIndex()
    var statements: [StatementKey: SQLiteStatement] = [:]
    var nextApplied: Int64 = 0
    var authorityStates: [Int64: AuthorityState] = [:]
    /// Grant, revoke, name and visibility changesets already parsed, by seqno.
    var parsedAuthority: [Int64: ParsedAuthority] = [:]
    /// SQLite's `data_version` when `authorityStates` was last checked outside a write.
    var authorityDataVersion: Int64 = -1
    /// SQLite's `data_version` when the record caches were last known to match the database.
    var recordCacheDataVersion: Int64 = -1
    /// First forked seq per (namespace, author), loaded once per transaction.
    var forkPoints: [FeedKey: UInt64]?
    /// Ids that pending grant, revoke or name changesets wait for, with their namespaces; loaded once per transaction.
    var authorityAwaited: [[UInt8]: Set<Int64>]?
    var knownColumns: Set<ColumnKey> = []
    /// Register writes, counter adds and set adds merged in the open transaction, written sorted
    /// by `flushPending` before COMMIT.
    var pendingHistory: [PendingRow] = []
    var pendingCounters: [PendingRow] = []
    var pendingSetAdds: [PendingRow] = []
    /// Records first seen in the open transaction, inserted by `flushPending`: their row ids are
    /// given by the merge, `pendingRecordBase` onward in this order.
    var pendingRecords: [PendingRecord] = []
    var pendingRecordBase: Int64 = 0

    // MARK: Opening

    /// Opens an existing store, refusing anything that is not one.
    public static func open(at directory: URL) throws -> Store {
        let layout = StoreLayout(directory: directory)
        guard FileManager.default.fileExists(atPath: layout.database.path) else {
            throw StoreError.notAStore(path: directory.path)
        }
        return try Store(layout: layout, create: false, network: nil)
    }

    /// Makes `path` and any missing parents with mkdir(2), so that a failure names the system's
    /// reason; returns the directories it made, outermost first.
    private static func makeDirectories(_ path: String) throws -> [String] {
        var made: [String] = []
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            var st = stat()
            if stat(prefix, &st) == 0 {
                if (st.st_mode & S_IFMT) == S_IFDIR { continue }
                throw StoreError.cannotCreateStore(path: path, reason: String(cString: strerror(ENOTDIR)))
            }
            if mkdir(prefix, 0o755) != 0 {
                if errno == EEXIST { continue }
                let reason = String(cString: strerror(errno))
                for dir in made.reversed() { rmdir(dir) }
                throw StoreError.cannotCreateStore(path: path, reason: reason)
            }
            made.append(prefix)
        }
        return made
    }

    /// Creates a store in a new network (`network == nil`) or in an existing one.
    public static func create(at directory: URL, network: [UInt8]? = nil, networkName: String? = nil) throws -> Store {
        let layout = StoreLayout(directory: directory)
        if FileManager.default.fileExists(atPath: layout.database.path) {
            throw StoreError.alreadyAStore(path: directory.path)
        }
        if let networkName {
            let trimmed = networkName.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, networkName.unicodeScalars.count <= 256,
                  !networkName.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else { throw StoreError.badNetworkName(networkName) }
        }
        // What this call makes is all it removes if it fails: a folder given to init may hold
        // files of the user's own (a config.json, say).
        let fm = FileManager.default
        let hadKey = fm.fileExists(atPath: layout.nodeKey.path)
        let hadConfig = fm.fileExists(atPath: layout.config.path)
        let madeDirectories = try makeDirectories(directory.standardizedFileURL.path)
        // Two `init`s of one directory at once would each write a node key and a network id:
        // one at a time, and the second finds the first's store.
        let lock: LockFile
        do { lock = try LockFile(path: directory.appendingPathComponent(".init.lock").path, wait: true) } catch let e as LockFile.Failure {
            // The lock is the first file init makes: failing here is failing to create the store.
            throw StoreError.cannotCreateStore(path: directory.path, reason: e.reason)
        }
        defer { withExtendedLifetime(lock) {} }
        if FileManager.default.fileExists(atPath: layout.database.path) {
            throw StoreError.alreadyAStore(path: directory.path)
        }
        // A node key without a store (a store whose database was removed, a key put back from a
        // backup): a new key would take this node's identity and roles away without a word, and a
        // new store that kept it could write its feed's first seqs again, a fork. Refused.
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: layout.nodeKey.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw StoreError.nodeKeyWithoutStore(path: layout.nodeKey.path)
        }
        let net = try network ?? SecureRandom.bytes(32)
        // The key first: a store database never exists without its node key.
        let key = try Ed25519PrivateKey()
        do {
            try StoreLayout.writeSecret(key.seed, to: layout.nodeKey)
            return try Store(layout: layout, create: true, network: net, networkName: networkName)
        } catch {
            for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: layout.database.path + suffix) }
            if !hadKey { try? fm.removeItem(at: layout.nodeKey) }
            if !hadConfig { try? fm.removeItem(at: layout.config) }
            // The lock file would keep the folder this call made from going; it goes first.
            if !madeDirectories.isEmpty { try? fm.removeItem(atPath: directory.appendingPathComponent(".init.lock").path) }
            for dir in madeDirectories.reversed() { rmdir(dir) }
            throw error
        }
    }

    private init(layout: StoreLayout, create: Bool, network: [UInt8]?, networkName: String? = nil) throws {
        self.layout = layout
        self.directory = layout.directory
        // SQLite takes paths of at most 512 bytes, its log's name included: past that it reports
        // the file as missing. Said as it is, with the folder's own limit.
        // The folder as SQLite will reach it: through its symbolic links, when it exists.
        var folder = layout.directory.standardizedFileURL.path
        if let real = realpath(folder, nil) {
            folder = String(cString: real)
            free(real)
        }
        if (folder as NSString).appendingPathComponent("store.db").utf8.count > Self.maxDatabasePathBytes {
            throw StoreError.pathTooLong(bytes: folder.utf8.count, limit: Self.maxDatabasePathBytes - "/store.db".utf8.count)
        }
        do {
            db = try SQLiteConnection(path: layout.database.path, mode: create ? .create : .readWrite)
            // Fail early on a file that is not SQLite at all.
            let appID = try Schema.intPragma(db, "application_id")
            let version = try Schema.intPragma(db, "user_version")
            if !create && (appID != Int64(Schema.applicationID) || version == 0) {
                throw StoreError.foreignDatabase(path: layout.database.path)
            }
            // A new store's page size; it is fixed once the first table exists (and WAL is on).
            if create { try db.execute("PRAGMA page_size=\(Self.pageSize)") }
            // WAL with a full fsync at each commit: what is reported committed survives a crash or power cut.
            try db.execute(
                """
                PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;
                PRAGMA cache_size=-16384; PRAGMA mmap_size=0; PRAGMA wal_autocheckpoint=8192; PRAGMA temp_store=MEMORY;
                """)
            try Schema.migrate(db, seed: create ? { db in
                let st = try db.prepare("INSERT INTO meta(key, value) VALUES('network', ?), ('hlc', 0), ('applied', 0)")
                try st.run([.blob(network!)])
            } : nil)
        } catch let e as SQLiteError {
            // A file SQLite cannot read at all: another program's, or a damaged store; the header tells.
            if e.isCorrupt {
                if Self.hasTejidoMark(layout.database.path) { throw StoreError.corruptStore(path: layout.database.path, detail: e.message) }
                throw StoreError.foreignDatabase(path: layout.database.path)
            }
            var e = e
            if e.path == nil { e.path = layout.database.path }
            throw StoreError.from(e)
        }
        nodeKey = try Ed25519PrivateKey(seed: StoreLayout.readSecret(layout.nodeKey))
        if create {
            networkID = network!
            var config = ["network": Bech32.encode(prefix: KeyText.networkPrefix, bytes: networkID), "format": "1"]
            if let networkName { config["network_name"] = networkName }
            let data = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
            do { try data.write(to: layout.config) } catch {
                throw StoreError.fileWrite(path: layout.config.path, error) { .cannotCreateStore(path: layout.directory.path, reason: $0) }
            }
        } else {
            guard case .blob(let net)? = try db.scalar("SELECT value FROM meta WHERE key='network'"), net.count == 32 else {
                throw StoreError.corruptStore(path: layout.database.path, detail: "no network id")
            }
            networkID = net
        }
        (clock, nextApplied) = try storedCounters()
        // From here on, checkpoints run on their own thread (the automatic one above served the
        // migrations).
        let pageBytes = max(512, Int(try Schema.intPragma(db, "page_size")))
        let cp = WALCheckpointer(path: db.path, startFrames: Self.checkpointStartBytes / pageBytes,
                                 limitFrames: Self.checkpointLimitBytes / pageBytes)
        cp.attach(to: db)
        checkpointer = cp
    }

    deinit {
        // The checkpoint thread's connection goes first: closing the last connection is what
        // copies the rest of the log and removes it.
        checkpointer?.stop()
    }

    /// The longest path of `store.db` that SQLite opens here (measured: 504 bytes).
    static let maxDatabasePathBytes = 504

    /// Log size from which a checkpoint starts on its own thread, and at which the writing
    /// thread does it itself (the thread fell behind).
    static let checkpointStartBytes = 16 << 20
    static let checkpointLimitBytes = 64 << 20

    /// True if the file starts with SQLite's header and carries Tejido's application id (bytes 68-71).
    static func hasTejidoMark(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path), let head = try? h.read(upToCount: 72), head.count == 72 else { return false }
        try? h.close()
        let bytes = [UInt8](head)
        let id = bytes[68..<72].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return bytes.starts(with: Array("SQLite format 3".utf8)) && Int32(bitPattern: id) == Schema.applicationID
    }

    /// Pages of 16 KiB rather than SQLite's 4 KiB: the merge's tables have rows of about 100 bytes
    /// keyed by record, so more rows per page means fewer page splits and a shallower B-tree, and
    /// envelopes of a few KiB waste less of a page. See docs/decisions.md, "New stores use 16 KiB
    /// pages", for the figures. Existing stores keep the size they were made with.
    static let pageSize = 16384

    public var networkIDText: String { Bech32.encode(prefix: KeyText.networkPrefix, bytes: networkID) }

    // MARK: SQL helpers

    /// A cached prepared statement.
    func statement(_ sql: String) throws -> SQLiteStatement {
        let key = StatementKey(sql)
        if let st = statements[key] { return st }
        let st = try db.prepare(sql)
        statements[key] = st
        return st
    }

    func run(_ sql: String, _ args: [SQLiteValue] = []) throws {
        let st = try statement(sql)
        try st.run(args)
    }

    /// Runs `body` in one SQLite transaction; caches that may hold rolled-back rows are dropped on failure.
    func write<T>(_ body: () throws -> T) throws -> T {
        do {
            return try db.transaction {
                try reloadAfterLock()
                let result = try body()
                try flushPending()
                try saveCounters()
                return result
            }
        } catch {
            dropCaches()
            if let e = error as? SQLiteError { throw StoreError.from(e) }
            throw error
        }
    }

    /// Re-reads what another process may have moved since this one last held the write lock:
    /// the clock, the application counter, the authority cache and the record caches.
    func reloadAfterLock() throws {
        let (storedClock, storedApplied) = try storedCounters()
        clock = max(clock, storedClock)
        nextApplied = max(nextApplied, storedApplied)
        authorityStates.removeAll()
        forkPoints = nil
        authorityAwaited = nil
        // Another connection's commit may have rebuilt a namespace, giving its records new row
        // ids: the record caches are only kept while no other connection has written.
        if case .integer(let v)? = try db.scalar("PRAGMA data_version"), v != recordCacheDataVersion {
            recordIDs.removeAll()
            recordCacheDataVersion = v
        }
    }

    /// The clock and the application counter as last committed (meta rows `hlc` and `applied`).
    func storedCounters() throws -> (HLC, Int64) {
        var clock = HLC(rawValue: 0)
        var applied: Int64 = 0
        if case .integer(let h)? = try db.scalar("SELECT value FROM meta WHERE key='hlc'") { clock = HLC(rawValue: UInt64(bitPattern: h)) }
        if case .integer(let a)? = try db.scalar("SELECT value FROM meta WHERE key='applied'") { applied = a }
        return (clock, applied)
    }

    /// Writes the clock and the application counter; part of every write transaction.
    func saveCounters() throws {
        try run("UPDATE meta SET value=? WHERE key='hlc'", [.integer(Int64(bitPattern: clock.rawValue))])
        try run("UPDATE meta SET value=? WHERE key='applied'", [.integer(nextApplied)])
    }

    func dropCaches() {
        for st in statements.values { st.reset() }
        parsedAuthority.removeAll()
        keyIDs.removeAll()
        namespaceIDs.removeAll()
        recordIDs.removeAll()
        authorityStates.removeAll()
        forkPoints = nil
        authorityAwaited = nil
        knownColumns.removeAll()
        pendingHistory.removeAll()
        pendingCounters.removeAll()
        pendingSetAdds.removeAll()
        pendingRecords.removeAll()
        if let stored = try? storedCounters() { (clock, nextApplied) = stored }
    }

    /// The local id of a public key, interning it if new.
    func keyID(_ key: [UInt8]) throws -> Int64 {
        if let k = try existingKeyID(key) { return k }
        // OR IGNORE: outside a write transaction another process may insert the same key between
        // the lookup and this insert; the lookup after it then finds that row.
        try run("INSERT OR IGNORE INTO keys(key) VALUES(?)", [.blob(key)])
        guard let k = try existingKeyID(key) else { throw StoreError.database("key neither inserted nor found") }
        return k
    }

    /// The row id of a key this store already knows; nil otherwise (and nothing is written).
    func existingKeyID(_ key: [UInt8]) throws -> Int64? {
        if let k = keyIDs[key] { return k }
        let find = try statement("SELECT k FROM keys WHERE key=?")
        find.bind(blob: 1, key)
        defer { find.reset() }
        guard try find.step() else { return nil }
        let k = find.int64(0)
        keyIDs[key] = k
        return k
    }

    func keyBytes(_ k: Int64) throws -> [UInt8] {
        guard case .blob(let b)? = try db.scalar("SELECT key FROM keys WHERE k=?", [.integer(k)]) else { return [] }
        return b
    }

    /// The local id of a namespace, creating its row if new.
    func namespaceID(_ root: [UInt8], create: Bool) throws -> Int64? {
        if let n = namespaceIDs[root] { return n }
        // A lookup writes nothing: read paths (a server sending, a status) call this outside any
        // write transaction, and a root this store has never seen names no namespace here.
        guard let k = create ? try keyID(root) : try existingKeyID(root) else { return nil }
        if case .integer(let n)? = try db.scalar("SELECT ns FROM namespaces WHERE root=?", [.integer(k)]) {
            namespaceIDs[root] = n
            return n
        }
        guard create else { return nil }
        try run("INSERT INTO namespaces(root) VALUES(?)", [.integer(k)])
        let n = db.lastInsertRowID
        namespaceIDs[root] = n
        return n
    }
}

@available(*, unavailable)
extension Store: Sendable {}
