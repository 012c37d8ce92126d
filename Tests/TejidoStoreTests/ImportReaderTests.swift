import Foundation
import Testing
import TejidoCore
import TejidoSQLite
@testable import TejidoStore
import TejidoTestSupport

/// The import's single reader: it checks every line, and the applying thread commits nothing
/// until the reader's verdict on the whole input is good. The inputs here are larger than the
/// reader's queue (made small for the tests), so the lines that did not fit before the verdict
/// are read again (a file) or spooled (a pipe) and handed over after it.
@Suite struct ImportReaderTests {
    /// Lines in txns of 10; the queue holds 20 lines.
    static let lineCount = 3_010

    static func options(_ perCommit: Int, interval: Double = 1.0, queue: Int = 20) -> ImportOptions {
        var o = ImportOptions(changesetsPerCommit: perCommit, commitInterval: interval)
        o.readerQueueLines = queue
        return o
    }

    static func lines(_ n: Int) -> [String] {
        (0..<n).map { i in
            #"{"replica":"chiapas","txn":\#(i / 10),"op":"inc","collection":"petitions","id":"p\#(i % 13)","field":"firmas","value":1}"#
        }
    }

    @Test func aBadLastLineBeyondTheQueueLeavesTheStoreUnchanged() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "chiapas")
            let before = try store.stateDigest()
            let file = store.directory.appendingPathComponent("big.jsonl")
            try (Self.lines(Self.lineCount) + ["{not json"]).joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            var reported = 0
            let error = #expect(throws: StoreError.self) {
                // A queue of 200 changesets' lines and a commit due every 10: commits would fall due
                // long before the reader reaches the bad line, were it not for the verdict.
                try store.importJSONLines(path: file.path, options: Self.options(10, queue: 2_000)) { _ in reported += 1 }
            }
            guard case .badImportLine(let line, let detail)? = error else { Issue.record("not a bad line: \(String(describing: error))"); return }
            guard case .notJSON = detail else { Issue.record("not a JSON defect: \(detail)"); return }
            #expect(line == Self.lineCount + 1 && detail.description.hasPrefix("not JSON"))
            #expect(reported == 0, "nothing may be reported committed")
            #expect(try store.stateDigest() == before)
            #expect(try store.changesetCounts().applied == 1)
        }
    }

    @Test func aGoodInputBeyondTheQueueIsImportedWholeInSeveralCommits() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "chiapas")
            let file = store.directory.appendingPathComponent("big.jsonl")
            try Self.lines(Self.lineCount).joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            var reported: [ImportSummary] = []
            let summary = try store.importJSONLines(path: file.path, options: Self.options(100, interval: 1000)) {
                reported.append($0)
            }
            #expect(summary.changesets == (Self.lineCount + 9) / 10 && summary.ops == Self.lineCount)
            // The first commit waits for the reader's verdict; after it, one commit per 100 changesets.
            #expect(reported.count >= 2)
            #expect(reported.last == summary)
            #expect(try store.query("SELECT sum(firmas) FROM petitions").rows == [[.integer(Int64(Self.lineCount))]])
            #expect(try store.verify().ok)
        }
    }

    /// The usual input in a file, and options (a commit per changeset) whose hook runs `change`
    /// on the file when the second reading reaches `line` (0: before it starts).
    /// True on the first call only (the hook runs on the reader's thread alone).
    final class Once: @unchecked Sendable {
        private var done = false
        func first() -> Bool {
            defer { done = true }
            return !done
        }
    }

    func changingInput(in store: Store, atLine line: Int, _ change: @escaping @Sendable (FileHandle) -> Void) throws -> (String, ImportOptions) {
        let file = store.directory.appendingPathComponent("big.jsonl")
        try Self.lines(Self.lineCount).joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        var options = Self.options(1, interval: 1000)
        let path = file.path
        // The applying thread waits before its first changeset until the second reading starts,
        // and the preparing thread holds few lines: the reader's queue fills early, so the second
        // reading happens, and starts early in the file, however busy the machine.
        let secondReading = DispatchSemaphore(value: 0)
        options.preparerQueueLines = 20
        let held = Once()
        options.applyHook = {
            if held.first() { _ = secondReading.wait(timeout: .now() + 60) }
        }
        // At `line`, or at the first line read again if the second reading starts after it.
        let fired = Once()
        options.secondPassHook = { n in
            if n >= line, fired.first(), let h = FileHandle(forWritingAtPath: path) {
                change(h)
                try? h.close()
            }
            if n == 0 { secondReading.signal() }
        }
        return (path, options)
    }

    /// A file that changes between the check and the second reading is not read again: its new
    /// lines were never checked. What the store holds is only lines that were checked and queued
    /// before the change (the applying thread may commit those once the first reading's verdict is
    /// in, before or after the change is seen), and the error says up to which line that is.
    @Test func aFileChangedBeforeItIsReadAgainHoldsOnlyWhatWasChecked() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "chiapas")
            let (path, options) = try changingInput(in: store, atLine: 0) { h in
                h.seekToEndOfFile()
                h.write(Data("\n{not json".utf8))
            }
            let error = #expect(throws: StoreError.self) { try store.importJSONLines(path: path, options: options) }
            guard case .inputChanged(let through)? = error else { Issue.record("\(String(describing: error))"); return }
            // The first reading queued at most its 20 lines and the preparer's 20 before the second began.
            #expect(through < 100, "\(through)")
            // Each line adds 1: the store holds exactly lines 1 to `through` (none: no collection yet).
            if through > 0 {
                #expect(try store.query("SELECT sum(firmas) FROM petitions").rows == [[.integer(Int64(through))]])
            }
            #expect(try store.verify().ok)
        }
    }

    /// A file cut short while it is read the second time: the batches committed from it stay,
    /// and the error says up to which line the store holds it, to go on with --after-line.
    @Test func aFileCutShortDuringTheSecondReadingSaysWhereTheStoreStands() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "chiapas")
            let (path, options) = try changingInput(in: store, atLine: 1_000) { $0.truncateFile(atOffset: 0) }
            let error = #expect(throws: StoreError.self) { try store.importJSONLines(path: path, options: options) }
            guard case .inputChanged(let through)? = error else { Issue.record("\(String(describing: error))"); return }
            #expect(through > 0 && through < Self.lineCount)
            // Each line adds 1: the store holds exactly lines 1 to `through`.
            #expect(try store.query("SELECT sum(firmas) FROM petitions").rows == [[.integer(Int64(through))]])
            #expect(try store.verify().ok)
        }
    }

    /// A file rewritten in place while it is read the second time (same size, new content): no
    /// line of the new content is committed, a line that no longer parses is the file's change and
    /// not a bad line, and the error says up to which line the store holds the file.
    @Test(arguments: [#""value":7"#, #""valu#:1"#])
    func aFileRewrittenInPlaceDuringTheSecondReadingCommitsNoneOfItsNewContent(replacement: String) throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "chiapas")
            let lines = Self.lines(Self.lineCount)
            // Where line 2,001's `"value":1` starts: the same number of bytes is written over it.
            let offset = lines.prefix(2_000).reduce(0) { $0 + $1.utf8.count + 1 } + lines[2_000].utf8.count - #""value":1}"#.utf8.count
            let (path, options) = try changingInput(in: store, atLine: 1_000) { h in
                h.seek(toFileOffset: UInt64(offset))
                h.write(Data(replacement.utf8))
            }
            let error = #expect(throws: StoreError.self) { try store.importJSONLines(path: path, options: options) }
            guard case .inputChanged(let through)? = error else { Issue.record("\(String(describing: error))"); return }
            #expect(through < 2_001)
            // Each original line adds 1: the store holds exactly lines 1 to `through`, no 7.
            #expect(try store.query("SELECT sum(firmas) FROM petitions").rows == [[.integer(Int64(through))]])
            #expect(try store.verify().ok)
        }
    }

    /// Another process takes the store's write lock partway through an import and keeps it: the
    /// import stops after the busy timeout, and says up to which line the store holds the input.
    @Test func aStoreThatTurnsBusyMidImportSaysWhereItStands() throws {
        final class Holder: @unchecked Sendable { var db: SQLiteConnection? }
        try withTemporaryStore { store in
            try store.createNamespace(name: "chiapas")
            let holder = Holder()
            let dbPath = store.directory.appendingPathComponent("store.db").path
            let (path, options) = try changingInput(in: store, atLine: 1_000) { _ in
                guard let db = try? SQLiteConnection(path: dbPath, mode: .readWrite) else { return }
                try? db.execute("BEGIN IMMEDIATE")
                holder.db = db
            }
            let error = #expect(throws: StoreError.self) { try store.importJSONLines(path: path, options: options) }
            try? holder.db?.execute("ROLLBACK")
            holder.db = nil
            guard case .storeBusyDuringImport(let through)? = error else { Issue.record("\(String(describing: error))"); return }
            #expect(through > 0 && through < Self.lineCount)
            #expect(try store.query("SELECT sum(firmas) FROM petitions").rows == [[.integer(Int64(through))]])
        }
    }

    /// A pipe cannot be read twice: what does not fit in the reader's queue before the verdict is
    /// spooled to a file in the store directory, read back after it, and removed.
    @Test func aPipeLargerThanTheQueueIsSpooledAndImportedWhole() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "chiapas")
            let fifo = store.directory.appendingPathComponent("input.fifo").path
            #expect(mkfifo(fifo, 0o600) == 0)
            let text = Self.lines(Self.lineCount).joined(separator: "\n") + "\n"
            let writer = Thread {
                let fd = open(fifo, O_WRONLY)
                guard fd >= 0 else { return }
                text.utf8CString.withUnsafeBufferPointer { buf in
                    var done = 0
                    let count = buf.count - 1
                    buf.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: count) { p in
                        while done < count {
                            let n = write(fd, p + done, count - done)
                            if n <= 0 { break }
                            done += n
                        }
                    }
                }
                close(fd)
            }
            writer.start()
            let summary = try store.importJSONLines(path: fifo, options: Self.options(100))
            #expect(summary.ops == Self.lineCount && summary.lines == Self.lineCount)
            #expect(try store.query("SELECT sum(firmas) FROM petitions").rows == [[.integer(Int64(Self.lineCount))]])
            #expect(try store.verify().ok)
            let left = try FileManager.default.contentsOfDirectory(atPath: store.directory.path).filter { $0.hasPrefix(".import-") }
            #expect(left.isEmpty, "spool left behind: \(left)")
        }
    }

    /// The earliest error of the whole input is reported, even when it is one only the applying
    /// thread can see (an unknown namespace) and the reader found a bad line after it first.
    @Test func anUnknownNamespaceBeforeABadLineIsTheErrorReported() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "chiapas")
            let before = try store.stateDigest()
            let unknown = #"{"replica":"nadie","txn":1,"op":"set","collection":"events","id":"x","field":"t","value":1}"#
            let file = store.directory.appendingPathComponent("mixed.jsonl")
            let lines = Self.lines(Self.lineCount) + [unknown] + Self.lines(10) + ["{not json"]
            try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            let error = #expect(throws: StoreError.self) {
                try store.importJSONLines(path: file.path, options: Self.options(100))
            }
            guard case .importUnknownNamespace(let line, let name)? = error else { Issue.record("not the unknown namespace: \(String(describing: error))"); return }
            #expect(line == Self.lineCount + 1, "\(line): \(name)")
            #expect(name == "nadie")
            #expect(try store.stateDigest() == before)
        }
    }
}
