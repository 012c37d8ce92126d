import Foundation
import TejidoCore
import TejidoCrypto
import TejidoSQLite
import TejidoSystem

extension Store {
    /// Imports the JSON Lines workload format: each (replica, txn) run of lines becomes one changeset
    /// signed by this node, and `progress` is called after each durable commit of a batch.
    ///
    /// Bad input leaves the store unchanged: a second thread reads, parses and checks every line
    /// while this one applies, and nothing is committed until it has checked the whole input
    /// without a failure. `path == nil` reads standard input.
    @discardableResult
    public func importJSONLines(path: String?, options: ImportOptions = ImportOptions(), progress: (ImportSummary) -> Void = { _ in })
        throws -> ImportSummary
    {
        // What identifies this import for --resume: the file, its size and the options. Standard
        // input, a pipe or a process substitution has no identity and is never resumed.
        let sourceKey: String? = path.flatMap { Self.isRegularFile($0) ? Self.importIdentity($0, options) : nil }
        // One import of a given input at a time, held until this returns: a second would resume
        // from, or repeat, what the first is still committing, and count every line it repeats twice.
        let lock = try sourceKey.map { try importLock(identity: $0) }
        defer { withExtendedLifetime(lock) {} }
        var options = options
        if options.resume {
            // A marker left by a version that did not resolve symbolic links is found too.
            guard let sourceKey, let path,
                  let line = try resumeLine(sourceKey) ?? resumeLine(Self.importIdentity(path, options, resolvingLinks: false))
            else { throw StoreError.nothingToResume(path ?? "-") }
            options.afterLine = line
        }
        // One thread reads the input as it comes: a regular file is read again from an offset for
        // what did not fit in the reader's queue before the verdict; anything else is spooled.
        let ownsFD = path != nil
        let fd = try path.map(openForReading) ?? STDIN_FILENO
        let reader = ImportReader(
            fd: fd, seekable: path.map(Self.isRegularFile) ?? false,
            spoolPath: directory.appendingPathComponent(".import-\(getpid()).tmp").path, options: options)
        let preparer = ImportPreparer(reader: reader, capacity: options.preparerQueueLines)
        // Either thread may be refused by the system; the reader is waited for only if it runs.
        let readerStarted = WorkerThread.start(name: "tejido.read") { reader.run() }
        let preparerStarted = readerStarted && WorkerThread.start(name: "tejido.prepare") { preparer.run() }
        defer {
            preparer.stop()
            if readerStarted { reader.cancel() }
            if ownsFD { close(fd) }
        }
        guard preparerStarted else { throw StoreError.cannotStartThread }

        var namespaces: [String: (root: [UInt8], ns: Int64)] = [:]
        func namespace(named name: String, line: Int) throws -> (root: [UInt8], ns: Int64) {
            if let n = namespaces[name] { return n }
            let resolved: (root: [UInt8], ns: Int64)
            do { resolved = try resolveNamespace(name) } catch StoreError.unknownNamespace(let n) {
                // --namespace names it for every line: no line is at fault.
                if options.namespace != nil { throw StoreError.unknownNamespace(n) }
                throw StoreError.importUnknownNamespace(line: line, name: n)
            }
            let me = nodeKey.publicKey.bytes
            let role = try self.role(of: me, authorID: keyID(me), namespace: resolved.root, nsID: resolved.ns)
            if role == nil || role! < .writer {
                let admins = try adminFingerprints(nsID: resolved.ns, root: resolved.root)
                // --namespace names it for every line: no line is at fault.
                if options.namespace != nil { throw StoreError.notAuthorized(namespace: name, needed: .writer, admins: admins) }
                throw StoreError.importNotAuthorized(line: line, namespace: name, admins: admins)
            }
            namespaces[name] = resolved
            return resolved
        }
        var validated = false
        /// Takes the reader's verdict on the whole input, which decides whether anything may be
        /// committed; false while the reader has not checked it all. The namespaces named before
        /// the end (or before a bad line) are checked first, in line order, so the error is always
        /// the earliest one, however far the applying thread has got.
        func inputIsGood() throws -> Bool {
            guard !validated else { return true }
            guard let verdict = reader.verdict else { return false }
            for (name, line) in verdict.namespaces.sorted(by: { $0.value < $1.value }) { _ = try namespace(named: name, line: line) }
            if let failure = verdict.failure { throw failure }
            validated = true
            return true
        }

        var summary = ImportSummary()
        var inBatch = 0
        var batchOps = 0
        var batchLast: ChangesetID?
        let batch = LocalBatch(store: self, signer: nodeKey)

        func writeChangeset(_ changeset: ImportChangeset) throws {
            guard let first = changeset.lines.first else { return }
            if !batch.isOpen { try batch.begin() }
            let target = try namespace(named: options.namespace ?? first.replica, line: first.number)
            let (ops, encoding) = try changeset.opsAndEncoding(store: self, ns: target.ns)
            do {
                batchLast = try batch.write(
                    namespace: target.root, nsID: target.ns, ops: ops, opsEncoding: encoding, columns: changeset.columns)
            } catch StoreError.invalidChangeset(let detail) {
                // Only removes make a changeset larger than its lines (each names every add of its
                // element held here), so the reader cannot see this coming: it shows only now, and
                // batches committed before this one stay (`--resume` goes on after them).
                throw StoreError.badImportLine(
                    line: first.number, detail: .changesetTooLarge(txn: first.txn, detail: detail))
            }
            inBatch += 1
            batchOps += ops.count
        }
        var lastCommit = Date()
        /// The last input line the committed batches hold.
        var committedThrough = options.afterLine
        // Each input has its own marker (`import_line:IDENTITY`), so imports of two inputs, one of
        // them cut, do not erase each other's place. The pair of keys older stores used is
        // cleared too when it names this input.
        let markerKey = sourceKey.map(Self.resumeMarker) ?? ""
        func clearResumeMarker() throws {
            try run("DELETE FROM meta WHERE key=?", [.text(markerKey)])
            if case .text(let old)? = try db.scalar("SELECT value FROM meta WHERE key='import_source'"), old == sourceKey {
                try run("DELETE FROM meta WHERE key IN ('import_source', 'import_line')")
            }
        }
        var markerCleared = false
        func commitBatch(final: Bool) throws {
            guard batch.isOpen else {
                // The last changeset was committed as a batch that was due before the end of the
                // input was seen: a finished import must still leave no place to resume from.
                if final, sourceKey != nil, !markerCleared { try write { try clearResumeMarker() } }
                return
            }
            // Where this import stands commits with the batch: a cut import resumes exactly after it.
            if sourceKey != nil {
                if final {
                    try clearResumeMarker()
                    markerCleared = true
                } else {
                    try run("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", [.text(markerKey), .integer(Int64(summary.lines))])
                }
            }
            try batch.commit()
            committedThrough = summary.lines
            lastCommit = Date()
            summary.changesets += inBatch
            summary.ops += batchOps
            if let batchLast { summary.lastID = batchLast.hex }
            inBatch = 0
            batchOps = 0
            progress(summary)
        }
        do {
            while true {
                options.applyHook?()
                guard let changeset = try preparer.next() else { break }
                summary.lines = changeset.lines.last?.number ?? summary.lines
                try writeChangeset(changeset)
                let due = inBatch >= options.changesetsPerCommit || Date().timeIntervalSince(lastCommit) >= options.commitInterval
                if due, try inputIsGood() {
                    // A due batch that holds the input's last changeset is the final commit: no
                    // transaction (and sync) of its own just to clear the resume marker.
                    try commitBatch(final: preparer.isAtCleanEnd)
                }
            }
            // next() returned nil: the reader is at the end, so its verdict is in.
            guard try inputIsGood() else { throw StoreError.database("import reader ended without a verdict") }
            try commitBatch(final: true)
        } catch {
            batch.rollback()
            // Report the earliest bad line of the whole input: the reader may have found one before
            // the line this thread stopped at, and a namespace named before the reader's bad line
            // may not exist (which only this thread can tell) even if this thread never got there.
            // An error that is not about the input (a full disk, say) stands unless the input is bad too.
            var reported = error
            var mainIsBadLine = false
            if (error as? StoreError)?.importLine != nil { mainIsBadLine = true }
            if !validated, case let verdict = reader.finishChecking(), mainIsBadLine || verdict.failure != nil {
                var found: [any Error] = [error]
                if let failure = verdict.failure { found.append(failure) }
                for (name, line) in verdict.namespaces.sorted(by: { $0.value < $1.value }) {
                    do { _ = try namespace(named: name, line: line) } catch {
                        found.append(error)
                        break
                    }
                }
                let badLines = found.compactMap { e -> (line: Int, error: any Error)? in
                    (e as? StoreError)?.importLine.map { ($0, e) }
                }
                if let earliest = badLines.min(by: { $0.line < $1.line }) { reported = earliest.error }
            }
            if let e = reported as? SQLiteError { reported = StoreError.from(e) }
            if case StoreError.storeBusy = reported, committedThrough > options.afterLine {
                throw StoreError.storeBusyDuringImport(committedThrough: committedThrough)
            }
            // What the store holds of a file that changed: where to go on from, by hand.
            if case StoreError.inputChanged = reported { throw StoreError.inputChanged(committedThrough: committedThrough) }
            // A bad line found after batches were committed (a txn whose removes outgrow one
            // changeset): what the store holds is said, never "nothing was imported".
            if case StoreError.badImportLine(let line, let defect) = reported, committedThrough > options.afterLine {
                throw StoreError.badImportLineAfterCommits(line: line, detail: defect, committedThrough: committedThrough)
            }
            throw reported
        }
        return summary
    }

    /// The lock an import of the input with this identity holds (`importRunning` if another does);
    /// imports of different inputs do not contend.
    func importLock(identity: String) throws -> LockFile {
        let name = ".import-" + Hex.encode(Array(SHA256.hash(Array(identity.utf8)).prefix(8))) + ".lock"
        do { return try LockFile(path: directory.appendingPathComponent(name).path, wait: false) } catch is LockFile.Busy {
            throw StoreError.importRunning
        } catch let e as LockFile.Failure {
            throw StoreError.database("cannot lock \(e.path): \(e.reason)")
        }
    }

    /// The meta key of an input's resume marker: the last input line its committed batches hold.
    private static func resumeMarker(_ sourceKey: String) -> String { "import_line:" + sourceKey }

    /// The last line a cut import of `sourceKey` committed, from its marker (or from the single
    /// pair of keys stores used before markers were per input).
    private func resumeLine(_ sourceKey: String) throws -> Int? {
        if case .integer(let line)? = try db.scalar("SELECT value FROM meta WHERE key=?", [.text(Self.resumeMarker(sourceKey))]) {
            return Int(line)
        }
        guard case .text(let key)? = try db.scalar("SELECT value FROM meta WHERE key='import_source'"), key == sourceKey,
            case .integer(let line)? = try db.scalar("SELECT value FROM meta WHERE key='import_line'")
        else { return nil }
        return Int(line)
    }

    private func openForReading(_ path: String) throws -> Int32 {
        let fd = Foundation.open(path, O_RDONLY)
        guard fd >= 0 else { throw StoreError.cannotReadInput(path: path, reason: String(cString: strerror(errno))) }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw StoreError.cannotReadInput(path: path, reason: String(cString: strerror(EISDIR)))
        }
        return fd
    }

    static func importIdentity(_ path: String, _ options: ImportOptions, resolvingLinks: Bool = true) -> String {
        // Symbolic links resolved: two names of one file are one input (one lock, one marker).
        var absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if resolvingLinks, let r = realpath(path, nil) {
            absolute = String(cString: r)
            free(r)
        }
        var st = stat()
        let size = stat(path, &st) == 0 ? Int64(st.st_size) : -1
        return "\(absolute)|\(size)|\(options.replica ?? "")|\(options.namespace ?? "")"
    }

    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }
}
