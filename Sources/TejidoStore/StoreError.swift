import Foundation
import TejidoCore
import TejidoSQLite

/// Everything the store can refuse or fail at. The CLI turns each case into a catalog message.
public enum StoreError: Error, Equatable, Sendable {
    case notAStore(path: String)
    /// The directory holds a `store.db` of some other program.
    case foreignDatabase(path: String)
    case alreadyAStore(path: String)
    /// The directory holds a node key but no store: `init` would replace that node's identity.
    case nodeKeyWithoutStore(path: String)
    case corruptStore(path: String, detail: String)
    case newerSchema(found: Int, supported: Int)
    case keyFile(path: String, problem: KeyFileProblem)
    /// A file to write (a bundle, a receipt, an exported secret) would replace one of the store's own.
    case ownStoreFile(path: String)
    /// Another command held the store's write lock for longer than a write waits for it.
    case storeBusy
    /// The store became busy partway through an import: lines 1 to `committedThrough` are in it.
    case storeBusyDuringImport(committedThrough: Int)
    /// A file given to `importRoot` that is not what `exportRoot` writes.
    case notARootExport(path: String)
    case unknownNamespace(String)
    case ambiguousNamespace(String)
    case namespaceExists(String)
    case invalidName(String)
    case invalidRecordID(String)
    case invalidField(String)
    /// `admins`: fingerprints of the keys that may grant the role there (the root first).
    case notAuthorized(namespace: String, needed: Role, admins: [String] = [])
    case recordNotFound(String)
    case invalidChangeset(ChangesetDefect)
    case wrongNetwork
    /// This node holds a changeset `held` of its own feed in a namespace, past the head it applied
    /// there (`head`): writing would fork its own feed.
    case heldPastOwnHead(held: Int64, head: Int64)
    case badImportLine(line: Int, detail: ImportDefect)
    /// A bad line met after some batches were committed: lines 1 to `committedThrough` are in the store.
    case badImportLineAfterCommits(line: Int, detail: ImportDefect, committedThrough: Int)
    /// An import line names (as its replica) a namespace this store does not hold.
    case importUnknownNamespace(line: Int, name: String)
    /// An import line names a namespace this node may not write in.
    case importNotAuthorized(line: Int, namespace: String, admins: [String])
    case nothingToResume(String)
    /// The input file changed while it was imported; lines up to `committedThrough` are in the
    /// store (0: nothing is).
    case inputChanged(committedThrough: Int)
    case readOnlyQuery(String)
    case queryFailed(String)
    case diskFull
    case database(String)
    case invalidNetworkID(String)
    case invalidKey(String)
    case peerExists(String)
    case noRootKey(String)
    case wrongPassphrase(String)
    case unknownPeer(String)
    /// The root of a namespace holds every right by definition and cannot be revoked.
    case cannotRevokeRoot
    /// Another import of the same input is running in this store.
    case importRunning
    /// An import's input file cannot be opened or read.
    case cannotReadInput(path: String, reason: String)
    /// A query ran past its time limit and was stopped.
    case queryTimedOut(seconds: Double)
    /// The store's files cannot be written by this user (the directory or the database).
    case readOnlyStore(path: String)
    /// A `query`'s result grew past what it may hold in memory.
    case queryResultTooLarge(mebibytes: Int)
    /// A `query` used a PRAGMA (statement or table function): not offered, even those that only read.
    case pragmaInQuery
    /// The database file cannot be opened at all.
    case cannotOpenStore(path: String, detail: String)
    /// A store file (the database, a key) cannot be opened because this process, or the whole
    /// system, may open no more files: the file is fine, the limit is not. `detail` is the
    /// system's reason.
    case outOfDescriptors(path: String, detail: String)
    /// The store is on a filesystem mounted read-only (SQLite must write its log even to read).
    case readOnlyFilesystem(path: String)
    /// The system would not start a thread (memory or thread limits): nothing was done.
    case cannotStartThread
    /// A query names a table that is not a collection's view; `known` lists those there are.
    case unknownCollection(String, known: [String])
    /// The store's directory cannot be made (a file is in the way, no permission, ...).
    case cannotCreateStore(path: String, reason: String)
    /// SQLite cannot open a database whose path is this long (with room for its log's name).
    case pathTooLong(bytes: Int, limit: Int)
    /// A network name that is empty, too long or holds control characters.
    case badNetworkName(String)
    /// A namespace name or petname that reads as a key or a namespace id.
    case nameLooksLikeKey(String)
    /// A node revoking its own key must keep the revocation itself, its feed's seq `next`, before
    /// the cut-off: one past it would not count.
    case cannotRevokeSelf(next: UInt64)
    /// This node's key was revoked in the namespace after seq `after`; `admins` may grant it again.
    case revoked(namespace: String, after: UInt64, admins: [String])

    /// The input line an import error is about, if it is about one.
    public var importLine: Int? {
        switch self {
        case .badImportLine(let line, _), .importUnknownNamespace(let line, _), .importNotAuthorized(let line, _, _),
             .badImportLineAfterCommits(let line, _, _): line
        default: nil
        }
    }

    /// A full disk (or quota) from a file write outside SQLite, or that write's other failure:
    /// `otherwise` makes the error for it, from the system's reason.
    static func fileWrite(path: String, _ error: any Error, otherwise: (String) -> StoreError) -> StoreError {
        let ns = error as NSError
        let code = ns.posixCode
        if code == ENOSPC || code == EDQUOT || ns.code == CocoaError.fileWriteOutOfSpace.rawValue { return .diskFull }
        // Foundation does not always keep the system's reason ("NSCocoaErrorDomain error 512"):
        // the two a user meets are found again, so that the message can be said in their language.
        var st = stat()
        let inferred = code ?? (stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR ? EISDIR
            : access((path as NSString).deletingLastPathComponent, W_OK) != 0 ? errno : nil)
        return otherwise(inferred.map { String(cString: strerror($0)) } ?? ns.localizedDescription)
    }

    /// Maps a SQLite failure to the error a user can act on.
    /// `error` as a store error: itself, or what a failure in SQLite below the store's checks
    /// means (nil for anything else).
    public static func of(_ error: any Error) -> StoreError? {
        if let e = error as? StoreError { return e }
        if let e = error as? SQLiteError { return from(e) }
        return nil
    }

    public static func from(_ error: SQLiteError) -> StoreError {
        if error.isDiskFull { return .diskFull }
        // Another process held the write lock past the busy timeout (a long import or sync).
        if error.isBusy { return .storeBusy }
        if error.isCorrupt { return .corruptStore(path: error.path ?? "store.db", detail: error.message) }
        if error.isCannotOpen || error.isReadOnlyFile, let path = error.path, onReadOnlyFilesystem(path) { return .readOnlyFilesystem(path: path) }
        if error.isReadOnlyFile { return .readOnlyStore(path: error.path ?? "store.db") }
        if error.isCannotOpen {
            // The system's reason, when SQLite kept one, says more than "unable to open database file".
            let detail = error.systemErrno != 0 ? String(cString: strerror(error.systemErrno)) : error.message
            if error.systemErrno == EMFILE || error.systemErrno == ENFILE {
                return .outOfDescriptors(path: error.path ?? "store.db", detail: detail)
            }
            return .cannotOpenStore(path: error.path ?? "store.db", detail: detail)
        }
        return .database(error.description)
    }

    /// Whether `path` is on a filesystem mounted read-only (statvfs's ST_RDONLY flag).
    static func onReadOnlyFilesystem(_ path: String) -> Bool {
        var st = statvfs()
        return statvfs(path, &st) == 0 && (st.f_flag & UInt(ST_RDONLY)) != 0
    }
}

extension FormatError {
    var storeError: StoreError { .invalidChangeset(.format(self)) }
}
