import Foundation
import Testing
import TejidoCore
import TejidoCrypto
@testable import TejidoStore
import TejidoTestSupport

/// Import writes many changesets of this node in one transaction: every one of them must be one
/// this node may write, as if it had been written alone.
@Suite struct StoreImportTests {
    /// The root grants this node writer and then revokes it after seq 3; a batch of ten changesets
    /// would go past the cut-off at its fourth. Nothing of it may be committed, since every peer
    /// would quarantine seqs 4 to 10 and the stores would never agree again.
    @Test func aBatchStopsAtTheNodesCutoff() throws {
        try withTemporaryDirectory { dir in
            let root = try Store.create(at: dir.appendingPathComponent("root"))
            let node = try Store.create(at: dir.appendingPathComponent("node"), network: root.networkID)
            _ = try root.createNamespace(name: "grupo")
            _ = try root.grant(namespace: "grupo", key: node.nodeKey.publicKey, role: .writer)
            _ = try root.revoke(namespace: "grupo", key: node.nodeKey.publicKey, after: 3)
            try root.forEachEnvelope { _ = try node.receive($0) }
            let before = try node.stateDigest()
            let applied = try node.changesetCounts().applied

            let file = dir.appendingPathComponent("in.jsonl")
            let lines = (0..<10).map { i in
                #"{"replica":"grupo","txn":\#(i),"op":"set","collection":"c","id":"r\#(i)","field":"v","value":"\#(i)"}"#
            }
            try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            let error = #expect(throws: StoreError.self) { try node.importJSONLines(path: file.path) }
            guard case .revoked(_, let after, _)? = error else { Issue.record("not a revocation: \(String(describing: error))"); return }
            #expect(after == 3)
            #expect(try node.stateDigest() == before)
            #expect(try node.changesetCounts().applied == applied)

            // Three lines fit under the cut-off, and they are imported.
            try lines.prefix(3).joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            #expect(try node.importJSONLines(path: file.path).changesets == 3)
            #expect(try node.verify().ok)
        }
    }

    /// A remove names every add of its element held here, so one line can make a changeset past
    /// the 1 MiB limit, which the reader cannot foresee: the import fails naming that line, and
    /// nothing of it is kept.
    @Test func aTxnWhoseRemovesOutgrowAChangesetIsReportedByItsLine() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "grupo")
            let adds = store.directory.appendingPathComponent("adds.jsonl")
            let lines = (0..<30_000).map { i in
                #"{"replica":"grupo","txn":\#(i / 1000),"op":"add","collection":"c","id":"r","field":"tags","value":"x"}"#
            }
            try lines.joined(separator: "\n").write(to: adds, atomically: true, encoding: .utf8)
            try store.importJSONLines(path: adds.path)
            let before = try store.stateDigest()
            let applied = try store.changesetCounts().applied

            let remove = store.directory.appendingPathComponent("remove.jsonl")
            try [#"{"replica":"grupo","txn":0,"op":"set","collection":"c","id":"r","field":"v","value":1}"#,
                 #"{"replica":"grupo","txn":1,"op":"remove","collection":"c","id":"r","field":"tags","value":"x"}"#]
                .joined(separator: "\n").write(to: remove, atomically: true, encoding: .utf8)
            let error = #expect(throws: StoreError.self) { try store.importJSONLines(path: remove.path) }
            guard case .badImportLine(let line, let detail)? = error else { Issue.record("\(String(describing: error))"); return }
            #expect(line == 2)
            guard case .changesetTooLarge(let txn, _) = detail else { Issue.record("\(detail)"); return }
            #expect(txn == 1 && detail.description.contains("split the txn"))
            #expect(try store.stateDigest() == before)
            #expect(try store.changesetCounts().applied == applied)
        }
    }
}

extension StoreImportTests {
    /// While one import of a file runs, another of the same file (resumed or not) is refused and
    /// changes nothing; the lock goes with the first, and imports of other files never wait for it.
    @Test func oneImportOfAFileAtATime() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "chiapas")
            let file = store.directory.appendingPathComponent("a.jsonl")
            try #"{"replica":"chiapas","txn":0,"op":"inc","collection":"petitions","id":"p1","field":"firmas","value":1}"#
                .write(to: file, atomically: true, encoding: .utf8)
            let other = store.directory.appendingPathComponent("b.jsonl")
            try #"{"replica":"chiapas","txn":0,"op":"inc","collection":"petitions","id":"p1","field":"apoyos","value":1}"#
                .write(to: other, atomically: true, encoding: .utf8)
            let before = try store.stateDigest()
            do {
                let running = try store.importLock(identity: Store.importIdentity(file.path, ImportOptions()))
                #expect(throws: StoreError.importRunning) { try store.importJSONLines(path: file.path) }
                var resume = ImportOptions()
                resume.resume = true
                #expect(throws: StoreError.importRunning) { try store.importJSONLines(path: file.path, options: resume) }
                // Another name of the same file (a symbolic link) is the same input.
                let link = store.directory.appendingPathComponent("enlace.jsonl")
                try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: file.path)
                #expect(throws: StoreError.importRunning) { try store.importJSONLines(path: link.path) }
                #expect(throws: StoreError.importRunning) {
                    _ = try store.importLock(identity: Store.importIdentity(file.path, ImportOptions()))
                }
                #expect(try store.stateDigest() == before)
                #expect(try store.importJSONLines(path: other.path).ops == 1)
                withExtendedLifetime(running) {}
            }
            #expect(try store.importJSONLines(path: file.path).ops == 1)
            let locks = try FileManager.default.contentsOfDirectory(atPath: store.directory.path).filter { $0.hasSuffix(".lock") }
            #expect(locks.isEmpty)
        }
    }

    /// What an import reports commit by commit is in order and ends with its totals, and every
    /// commit syncs the log before it is visible (docs/decisions.md: a batch visible to a `serve`
    /// on the same store before it is on disk could be sent, lost, and signed again).
    @Test func reportsAreInOrderAndEveryCommitSyncs() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "grupo")
            let file = store.directory.appendingPathComponent("in.jsonl")
            let lines = (0..<3_000).map { i in
                #"{"replica":"grupo","txn":\#(i / 10),"op":"set","collection":"c","id":"r\#(i % 50)","field":"v","value":"\#(i)"}"#
            }
            try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            var reported: [ImportSummary] = []
            let summary = try store.importJSONLines(path: file.path, options: ImportOptions(changesetsPerCommit: 5)) { reported.append($0) }
            #expect(summary.changesets == 300)
            #expect(zip(reported, reported.dropFirst()).allSatisfy { $0.changesets < $1.changesets })
            #expect(reported.last == summary)
            #expect(try store.db.scalar("PRAGMA synchronous") == .integer(2))
            #expect(try store.verify().ok)
        }
    }
}
