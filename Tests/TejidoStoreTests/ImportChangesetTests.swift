import Foundation
import Testing
import TejidoCore
import TejidoTestSupport
@testable import TejidoStore

/// A changeset's ops made ahead (all but removes) and its ops array encoded from pieces: the same
/// ops, in line order, and exactly the bytes the body encoder writes for them.
@Suite struct ImportChangesetTests {
    func line(_ json: String, _ number: Int) throws -> ImportLine {
        var bytes = Array(json.utf8)
        return try bytes.withUnsafeMutableBufferPointer { try ImportLine.parse(UnsafeBufferPointer($0), number: number, onlyReplica: nil)! }
    }

    @Test func opsAndEncodingMatchTheBodyEncoder() throws {
        try withTemporaryStore { store in
            _ = try store.createNamespace(name: "chiapas")
            let rec = RecordKey(collection: "events", id: "e1")
            // An add already in the store, so the remove below observes it.
            _ = try store.tagAdd(namespace: "chiapas", record: rec, field: "tags", element: .text("luz"))
            let (_, ns) = try store.resolveNamespace("chiapas")
            let lines = try [
                #"{"replica":"chiapas","txn":1,"op":"set","collection":"events","id":"e1","field":"title","value":"Asamblea"}"#,
                #"{"replica":"chiapas","txn":1,"op":"remove","collection":"events","id":"e1","field":"tags","value":"luz"}"#,
                #"{"replica":"chiapas","txn":1,"op":"inc","collection":"events","id":"e1","field":"n","value":-3}"#,
                #"{"replica":"chiapas","txn":1,"op":"add","collection":"events","id":"e2","field":"tags","value":1.5}"#,
                #"{"replica":"chiapas","txn":1,"op":"remove","collection":"events","id":"e2","field":"tags","value":"nada"}"#,
                #"{"replica":"chiapas","txn":1,"op":"delete","collection":"events","id":"e3"}"#,
            ].enumerated().map { try line($1, $0 + 1) }
            let (ops, encoding) = try ImportChangeset(lines: lines).opsAndEncoding(store: store, ns: ns)
            #expect(ops.map(\.code) == [.set, .setRemove, .counterAdd, .setAdd, .setRemove, .delete])
            if case .setRemove(_, _, _, let observed) = ops[1] { #expect(observed.count == 1) } else { Issue.record("not a remove") }
            #expect(encoding == ChangesetBody.encode(ops: ops))
            // With no remove, the same holds.
            let plain = Array(lines.filter { $0.kind != .remove })
            let (ops2, encoding2) = try ImportChangeset(lines: plain).opsAndEncoding(store: store, ns: ns)
            #expect(ops2.count == 4)
            #expect(encoding2 == ChangesetBody.encode(ops: ops2))
            // The columns listed ahead are those the merge would list from the ops themselves.
            for (group, groupOps) in [(lines, ops), (plain, ops2)] {
                var fromOps = Store.ColumnList()
                for op in groupOps {
                    switch op {
                    case .set(let r, let f, _): fromOps.insert(r.collection, f, .register)
                    case .counterAdd(let r, let f, _): fromOps.insert(r.collection, f, .counter)
                    case .setAdd(let r, let f, _), .setRemove(let r, let f, _, _): fromOps.insert(r.collection, f, .set)
                    default: continue
                    }
                }
                let listed = ImportChangeset(lines: group).columns
                #expect(Set(listed) == Set(fromOps.keys))
                #expect(listed.count == Set(listed).count)
            }
            #expect(Set(ImportChangeset(lines: lines).columns.map(\.crdt)) == [.register, .counter, .set])
        }
    }

    /// Set adds wait in memory until the commit; a remove later in the same import must still
    /// observe an add made earlier in it (one transaction), or the add would survive.
    @Test func aRemoveSeesAnAddOfTheSameImportNotYetWritten() throws {
        try withTemporaryStore { store in
            _ = try store.createNamespace(name: "chiapas")
            let file = store.directory.appendingPathComponent("w.jsonl")
            let lines = [
                #"{"replica":"chiapas","txn":1,"op":"add","collection":"events","id":"e1","field":"tags","value":"luz"}"#,
                #"{"replica":"chiapas","txn":1,"op":"add","collection":"events","id":"e1","field":"tags","value":"agua"}"#,
                #"{"replica":"chiapas","txn":2,"op":"remove","collection":"events","id":"e1","field":"tags","value":"luz"}"#,
            ]
            try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            let summary = try store.importJSONLines(path: file.path)
            #expect(summary.changesets == 2)
            let record = try store.get(namespace: "chiapas", record: RecordKey(collection: "events", id: "e1"))
            #expect(record?.fields["tags"] == .set([.text("agua")]))
        }
    }
}
