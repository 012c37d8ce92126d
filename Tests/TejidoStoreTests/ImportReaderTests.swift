import Foundation
import Testing
import TejidoCore
import TejidoStore
import TejidoTestSupport

/// The import's single reader: it parses and checks every line once, and the applying thread
/// commits nothing until the reader has reached the end of the input without a failure, even
/// when the input is larger than the reader's queue and the reader has to wait for room.
@Suite struct ImportReaderTests {
    /// More lines than the reader's queue holds (65,536), in txns of 10 lines.
    static let lineCount = 70_010

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
                try store.importJSONLines(path: file.path, options: ImportOptions(changesetsPerCommit: 100)) { _ in reported += 1 }
            }
            guard case .badImportLine(let line, let detail)? = error else { Issue.record("not a bad line: \(String(describing: error))"); return }
            #expect(line == Self.lineCount + 1 && detail.hasPrefix("not JSON"))
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
            let summary = try store.importJSONLines(path: file.path, options: ImportOptions(changesetsPerCommit: 100, commitInterval: 1000)) {
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
}
