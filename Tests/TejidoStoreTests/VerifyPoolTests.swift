import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoSQLite
@testable import TejidoStore
import TejidoTestSupport

/// `verify` checks chunks of changesets on a pool of threads and on its own thread, and takes
/// the results back in order: a damaged changeset deep in a long history, past many chunks in
/// flight, is reported by its own id, and its successor (whose prev it was) as a broken chain;
/// nothing else is.
@Suite struct VerifyPoolTests {
    @Test func oneBadSignatureAmongManyChunksIsReportedByItsId() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "chiapas")
            let file = store.directory.appendingPathComponent("in.jsonl")
            let lines = (0..<700).map { i in
                #"{"replica":"chiapas","txn":\#(i),"op":"inc","collection":"petitions","id":"p\#(i % 7)","field":"firmas","value":1}"#
            }
            try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            try store.importJSONLines(path: file.path)
            #expect(try store.verify().checked == 701)

            // The last byte of an envelope is the last byte of its signature.
            guard case .blob(let id)? = try store.db.scalar("SELECT id FROM changesets WHERE applied IS NOT NULL ORDER BY applied LIMIT 1 OFFSET 600"),
                case .blob(var envelope)? = try store.db.scalar("SELECT envelope FROM changesets WHERE id=?", [.blob(id)])
            else { Issue.record("no changeset 600"); return }
            envelope[envelope.count - 1] ^= 0x01
            let update = try store.db.prepare("UPDATE changesets SET envelope=? WHERE id=?")
            try update.run([.blob(envelope), .blob(id)])

            let report = try store.verify()
            #expect(report.checked == 701)
            #expect(report.problems.map(\.kind) == ["signature", "chain"], "\(report.problems)")
            #expect(report.problems.first?.id == Hex.encode(id))
            #expect(report.problems.last?.detail == "seq 601 does not follow the feed's head")
        }
    }
}
