import Foundation
import Testing
import TejidoCore
import TejidoSQLite
@testable import TejidoStore
import TejidoTestSupport

/// The import's commits skip SQLite's own sync of the log and wait for `WALSyncer` instead,
/// before they are reported: the connection must be back to a full sync afterwards, whether the
/// import succeeded or not, so that every other write stays durable at its COMMIT.
@Suite struct StoreImportTests {
    static func lines(_ n: Int) -> [String] {
        (0..<n).map { i in
            #"{"replica":"chiapas","txn":\#(i / 5),"op":"set","collection":"events","id":"e\#(i % 17)","field":"title","value":"t\#(i)"}"#
        }
    }

    func synchronousLevel(_ store: Store) throws -> SyncLevel {
        SyncLevel(try store.db.scalar("PRAGMA synchronous"))
    }

    @Test func everyReportedCommitIsThereAndTheConnectionSyncsFullyAfter() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "chiapas")
            let file = store.directory.appendingPathComponent("in.jsonl")
            try Self.lines(2_000).joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            var reported: [ImportSummary] = []
            let summary = try store.importJSONLines(path: file.path, options: ImportOptions(changesetsPerCommit: 40, commitInterval: 1000)) {
                reported.append($0)
                // What is reported is committed: the changesets are there when the report comes.
                #expect((try? store.changesetCounts().applied) == $0.changesets + 1)
            }
            #expect(summary.changesets == 400 && summary.ops == 2_000)
            #expect(reported.last == summary)
            #expect(zip(reported, reported.dropFirst()).allSatisfy { $0.changesets < $1.changesets })
            #expect(try synchronousLevel(store) == .full)
            #expect(try store.verify().ok)
        }
    }

    @Test func aFailedImportLeavesTheConnectionSyncingFully() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "chiapas")
            let file = store.directory.appendingPathComponent("bad.jsonl")
            try (Self.lines(500) + ["{not json"]).joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            #expect(throws: StoreError.self) {
                try store.importJSONLines(path: file.path, options: ImportOptions(changesetsPerCommit: 10, commitInterval: 1000))
            }
            #expect(try synchronousLevel(store) == .full)
            #expect(try store.changesetCounts().applied == 1)
        }
    }

    /// `PRAGMA synchronous` as a name: 2 is FULL, 1 NORMAL.
    enum SyncLevel: Equatable {
        case full, normal, other

        init(_ value: SQLiteValue?) {
            switch value {
            case .integer(2)?: self = .full
            case .integer(1)?: self = .normal
            default: self = .other
            }
        }
    }
}
