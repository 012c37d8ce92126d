import ArgumentParser
import Foundation
import TejidoCore
import TejidoSQLite
import TejidoStore

/// Where output goes: results on stdout (text or JSON), messages and progress on stderr.
struct Console {
    let lang: Language
    let json: Bool

    /// Exit codes (docs/cli.md): 1 failure, 2 not found, 3 verify found problems, 64 usage.
    static let failure = ExitCode(1)
    static let notFound = ExitCode(2)
    static let verifyFailed = ExitCode(3)
    static let usage = ExitCode(64)

    func out(_ line: String) {
        Self.write(1, Self.terminalSafe(line) + "\n")
    }

    /// C0 controls (tab and newline among them), DEL and C1 controls: what a terminal may act on.
    private static func isControl(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x20 || (u.value >= 0x7F && u.value <= 0x9F)
    }

    private static func escaped(_ u: Unicode.Scalar) -> String {
        let hex = String(u.value, radix: 16)
        return "\\x" + (hex.count < 2 ? "0" + hex : hex)
    }

    /// A line of output with every control character but tab and newline escaped: whatever a
    /// value carried (an escape sequence from a peer's data, say) cannot act on the terminal.
    static func terminalSafe(_ line: String) -> String { escapingControls(line, keepingLineBreaks: true) }

    /// `s` with its control characters escaped: as `\xNN`, or, unless `keepingLineBreaks` keeps
    /// tab and newline as they are, tab, newline and carriage return as `\t`, `\n`, `\r`.
    static func escapingControls(_ s: String, keepingLineBreaks: Bool) -> String {
        func escapes(_ u: Unicode.Scalar) -> Bool { isControl(u) && !(keepingLineBreaks && (u == "\n" || u == "\t")) }
        guard s.unicodeScalars.contains(where: escapes) else { return s }
        var out = ""
        for u in s.unicodeScalars {
            guard escapes(u) else {
                out.unicodeScalars.append(u)
                continue
            }
            switch u {
            case "\n" where !keepingLineBreaks: out += "\\n"
            case "\t" where !keepingLineBreaks: out += "\\t"
            case "\r" where !keepingLineBreaks: out += "\\r"
            default: out += escaped(u)
            }
        }
        return out
    }

    /// Writes to a descriptor, ignoring failure: a reader that went away (a closed pipe, with
    /// SIGPIPE ignored by the sync code) must not trap the process, as FileHandle.write would.
    static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Foundation.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n > 0 { done += n } else if n < 0 && errno == EINTR { continue } else { return }
        }
    }

    /// JSON escapes every control character itself (`JSONValue.quote`), so it goes out as it is.
    func out(json value: JSONValue) { Self.write(1, value.serialized() + "\n") }

    func err(_ line: String) {
        Self.write(2, Self.terminalSafe(line) + "\n")
    }

    func t(_ m: Msg, _ args: String...) -> String { t(m, args) }

    /// True when progress may be redrawn on stderr (a terminal, and not JSON mode).
    var showsProgress: Bool { !json && isatty(2) == 1 }

    func progress(_ line: String) {
        guard showsProgress else { return }
        Self.write(2, "\r\u{1b}[K" + line)
    }

    func endProgress() {
        if showsProgress { Self.write(2, "\r\u{1b}[K") }
    }

    /// Fails with a message and an exit code.
    func fail(_ m: Msg, _ args: String..., code: ExitCode = Console.failure) -> ExitCode {
        report(m, args)
        return code
    }

    /// An error on stderr: a line of text, or with `--json` one object
    /// `{"error": "<stable code>", "message": "<text in the user's language>"}`.
    func report(_ m: Msg, _ args: [String]) {
        // An argument is often what the user gave (a field name, a value, SQL): a huge one is
        // shown by its start and its length, not repeated whole, and a tab or line break in it
        // is shown escaped, like every other control character (the message stays one line).
        let message = t(m, args.map { arg in
            let shown = arg.count > 1_000 ? t(.longArgument, [String(arg.prefix(200)), String(arg.count)]) : arg
            return Self.escapingControls(shown, keepingLineBreaks: false)
        })
        if json {
            Self.write(2, JSONValue.object([("error", .string(m.errorCode)), ("message", .string(message))]).serialized() + "\n")
        } else {
            err("tejido: " + message)
        }
    }

    /// A store error on stderr, as its catalog message.
    func report(_ e: StoreError) {
        let (m, args) = Self.message(for: e, in: lang)
        report(m, args)
    }

    /// What went wrong in a file operation, as the system says it ("No space left on device"):
    /// Foundation's own text ends in a period and is English only in longer words.
    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let code = ns.posixCode { return String(cString: strerror(code)) }
        var text = ns.localizedDescription
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A store error's catalog message, in this console's language.
    func t(_ e: StoreError) -> String {
        let (m, args) = Self.message(for: e, in: lang)
        return t(m, args)
    }

    /// Runs `body`; a StoreError becomes its catalog message and exit 1 (2 for not found).
    func guarding(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let e as ExitCode {
            throw e
        } catch let e as SQLiteError {
            // A failure below the store's own checks: a damaged file, a full disk, a busy store.
            report(StoreError.from(e))
            throw Console.failure
        } catch let e as StoreError {
            report(e)
            if case .recordNotFound = e { throw Console.notFound }
            if case .badNetworkName = e { throw Console.usage }
            throw Console.failure
        } catch {
            report(.errInternal, ["\(error)"])
            throw Console.failure
        }
    }

    func t(_ m: Msg, _ args: [String]) -> String {
        guard lang == .es else { return Self.fill(m.text.en, args) }
        // An error's details may hold what the system or SQLite said, which is English.
        return Self.fill(m.text.es, m.isFailure ? args.map(SystemText.spanish) : args)
    }

    /// Puts `args` in place of `{0}`, `{1}`... in one pass over the template: an argument is
    /// user text (a file name, a value) and may itself contain `{1}`, which must stay as it is.
    static func fill(_ template: String, _ args: [String]) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}"), let i = Int(after[..<close]), args.indices.contains(i) {
                out += args[i]
                rest = after[after.index(after: close)...]
            } else {
                out += "{"
                rest = after
            }
        }
        return out + rest
    }

    /// A store error as a catalog message and its arguments (a detail the catalog holds is
    /// already in `lang`).
    static func message(for e: StoreError, in lang: Language = .en) -> (Msg, [String]) {
        switch e {
        case .notAStore(let p): (.errNotAStore, [p])
        case .foreignDatabase(let p): (.errForeignDatabase, [p])
        case .alreadyAStore(let p): (.errAlreadyAStore, [p])
        case .nodeKeyWithoutStore(let p): (.errNodeKeyWithoutStore, [p])
        case .pathTooLong(let bytes, let limit): (.errPathTooLong, [String(bytes), String(limit)])
        case .corruptStore(let p, let d): (.errCorruptStore, [p, d])
        case .newerSchema(let f, let s): (.errNewerSchema, [String(f), String(s)])
        case .keyFile(let p, let problem): (.errKeyFile, [p, DetailText.text(problem, Console(lang: lang, json: false))])
        case .notARootExport(let p): (.errNotARootExport, [p])
        case .ownStoreFile(let p): (.errOwnStoreFile, [p])
        case .storeBusy: (.errStoreBusy, [])
        case .storeBusyDuringImport(let n): (.errStoreBusyImport, [String(n)])
        case .unknownNamespace(let n): (.errUnknownNamespace, [n])
        case .ambiguousNamespace(let n): (.errAmbiguousNamespace, [n])
        case .namespaceExists(let n): (.errNamespaceExists, [n])
        case .invalidName(let n): (.errInvalidName, [n])
        case .nameLooksLikeKey(let n): (.errNameLooksLikeKey, [n])
        case .cannotCreateStore(let p, let r): (.errCannotCreateStore, [p, r])
        case .cannotStartThread: (.errCannotStartThread, [])
        case .readOnlyFilesystem(let p): (.errReadOnlyFilesystem, [p])
        case .unknownCollection(let c, let known): (.errUnknownCollection, [c, known.isEmpty ? "-" : known.joined(separator: ", ")])
        case .badNetworkName(let n): (.errBadNetworkName, [n])
        case .importRunning: (.errImportRunning, [])
        case .cannotReadInput(let p, let r): (.errCannotReadInput, [p, r])
        case .queryTimedOut(let s): (.errQueryTimedOut, [s == s.rounded() ? String(Int(s)) : String(format: "%.1f", s)])
        case .readOnlyStore(let p): (.errReadOnlyStore, [p])
        case .cannotOpenStore(let p, let d): (.errCannotOpenStore, [p, d])
        case .outOfDescriptors(let p, let d): (.errOutOfDescriptors, [p, d])
        case .invalidRecordID(let n): (.errInvalidRecordID, [n])
        case .invalidField(let n): (.errInvalidField, [n])
        case .notAuthorized(let ns, let role, let admins): (.errNotAuthorized, [ns, role.name, admins.isEmpty ? "-" : admins.joined(separator: ", ")])
        case .recordNotFound(let r): (.errRecordNotFound, [r])
        case .invalidChangeset(let d): (.errInvalidChangeset, [DetailText.text(d, Console(lang: lang, json: false))])
        case .wrongNetwork: (.errWrongNetwork, [])
        case .heldPastOwnHead(let held, let head): (.errInvalidChain, [String(held), String(head)])
        case .badImportLine(let l, let d): (.errBadImportLine, [String(l), Console(lang: lang, json: false).t(d)])
        case .badImportLineAfterCommits(let l, let d, let n): (.errBadImportLineAfterCommits, [String(l), Console(lang: lang, json: false).t(d), String(n)])
        case .importUnknownNamespace(let l, let n): (.errImportUnknownNamespace, [String(l), n])
        case .importNotAuthorized(let l, let n, let admins): (.errImportNotAuthorized, [String(l), n, admins.isEmpty ? "-" : admins.joined(separator: ", ")])
        case .nothingToResume(let f): (.errNothingToResume, [f])
        case .inputChanged(0): (.errInputChangedNothing, [])
        case .inputChanged(let n): (.errInputChanged, [String(n)])
        case .readOnlyQuery(let q): (.errReadOnlyQuery, [q])
        case .pragmaInQuery: (.errPragmaInQuery, [])
        case .queryResultTooLarge(let m): (.errQueryResultTooLarge, [String(m)])
        case .queryFailed(let d): (.errQueryFailed, [d])
        case .diskFull: (.errDiskFull, [])
        case .database(let d): (.errDatabase, [d])
        case .invalidNetworkID(let n): (.errInvalidNetworkID, [n])
        case .invalidKey(let k): (.errInvalidKey, [k])
        case .peerExists(let n): (.errPeerExists, [n])
        case .noRootKey(let n): (.errNoRootKey, [n])
        case .wrongPassphrase(let p): (.errWrongPassphrase, [p])
        case .unknownPeer(let n): (.errUnknownPeer, [n])
        case .cannotRevokeRoot: (.errCannotRevokeRoot, [])
        case .cannotRevokeSelf(let next): (.errCannotRevokeSelf, [String(next)])
        case .revoked(let ns, let after, let admins): (.errRevoked, [ns, String(after), admins.joined(separator: ", ")])
        }
    }
}

extension Console {
    /// What is wrong with an import line, in this console's language.
    func t(_ d: ImportDefect) -> String {
        switch d {
        case .notJSON(let error): t(.detailImportNotJSON, DetailText.text(error, self))
        case .notAnObject: t(.detailImportNotAnObject)
        case .duplicateKey(let k): t(.detailImportDuplicateKey, k)
        case .invalidUTF8: t(.detailImportInvalidUTF8)
        case .missingReplica: t(.detailImportMissingReplica)
        case .missingTxn: t(.detailImportMissingTxn)
        case .badOp: t(.detailImportBadOp)
        case .badCollection: t(.detailImportBadCollection)
        case .badID: t(.detailImportBadID)
        case .badField: t(.detailImportBadField)
        case .badValue: t(.detailImportBadValue)
        case .incNeedsInteger: t(.detailImportIncNeedsInteger)
        case .tooManyOps(let txn, let max): t(.detailImportTooManyOps, String(txn), String(max))
        case .txnTooLarge(let txn): t(.detailImportTxnTooLarge, String(txn))
        case .lineTooLong(let max): t(.detailImportLineTooLong, String(max))
        case .changesetTooLarge(let txn, let detail): t(.detailImportChangesetTooLarge, String(txn), DetailText.text(detail, self))
        }
    }
}
