import Foundation
import Testing
import TejidoCore
import TejidoStore
import TejidoTestSupport

/// The query views show each field as `get` does.
@Suite struct StoreQueryTests {
    /// A field written both as a register and as a counter: a register written at all wins, even
    /// when its latest value is null; without one, the counter shows.
    @Test func aFieldWrittenAsTwoKindsShowsAsGetShowsIt() throws {
        try withTemporaryStore { store in
            try store.createNamespace(name: "g")
            let both = RecordKey(collection: "c", id: "both")
            let counterOnly = RecordKey(collection: "c", id: "counter")
            try store.increment(namespace: "g", record: both, field: "x", by: 5)
            try store.put(namespace: "g", record: both, fields: [("x", .null)])
            try store.increment(namespace: "g", record: counterOnly, field: "x", by: 7)
            #expect(try store.get(namespace: "g", record: both)?.fields["x"] == .value(.null))
            let rows = try store.query("SELECT id, x FROM c ORDER BY id").rows
            #expect(rows == [[.text("both"), .null], [.text("counter"), .integer(7)]])
        }
    }
}
