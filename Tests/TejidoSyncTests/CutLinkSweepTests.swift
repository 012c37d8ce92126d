import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync
import TejidoTestSupport

/// A TLS session between two stores, cut after N bytes for N swept across the whole session.
/// After every cut: both stores verify, nothing committed is lost, the next sync completes and
/// sends exactly what is still missing, and what was put on the wire twice is at most one batch.
@Suite(.serialized) struct CutLinkSweepTests {
    static let batch = 20

    struct Pristine {
        let server: URL
        let client: URL
        let serverCount: Int
        let clientCount: Int
    }

    /// Server: two namespaces with counters and fields; client: its own namespace and writes in
    /// the server's shared one (it was granted writer and synced once before).
    func makePristine(_ dir: URL) throws -> Pristine {
        let sDir = dir.appendingPathComponent("s0")
        let cDir = dir.appendingPathComponent("c0")
        let server = try Store.create(at: sDir)
        let client = try Store.create(at: cDir, network: server.networkID)
        _ = try server.createNamespace(name: "shared")
        _ = try server.grant(namespace: "shared", key: client.nodeKey.publicKey, role: .writer)
        _ = try server.createNamespace(name: "guerrero")
        let harness = try ServerHarness(store: sDir)
        #expect(harness.sync(client).0.error == nil)
        harness.stop()
        _ = try client.createNamespace(name: "oaxaca")
        for i in 0..<120 {
            let rec = RecordKey(collection: "events", id: "e\(i % 15)")
            _ = try server.increment(namespace: "shared", record: rec, field: "n", by: 1)
            _ = try server.put(namespace: "guerrero", record: RecordKey(collection: "g", id: "g\(i)"), fields: [("v", .int(Int64(i)))])
            if i % 2 == 0 {
                _ = try client.increment(namespace: "shared", record: rec, field: "n", by: 10)
                _ = try client.put(namespace: "oaxaca", record: RecordKey(collection: "o", id: "o\(i)"), fields: [("t", .text("x\(i)"))])
            }
        }
        return Pristine(server: sDir, client: cDir, serverCount: try server.changesetCounts().applied,
                        clientCount: try client.changesetCounts().applied)
    }

    static func copyStore(_ from: URL, to: URL) throws {
        try FileManager.default.createDirectory(at: to, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: from.path) {
            try FileManager.default.copyItem(at: from.appendingPathComponent(name), to: to.appendingPathComponent(name))
        }
    }

    @Test func everyCutLosesNothingAndResendsAtMostOneBatch() throws {
        try withTemporaryDirectory { dir in
            let p = try makePristine(dir)
            var options = SyncSession.Options()
            options.batchCount = Self.batch

            // The uncut session: how many bytes it takes, and the state both stores end in.
            let (total, reference, expectToServer, expectToClient) = try {
                let s = dir.appendingPathComponent("ref-s"), c = dir.appendingPathComponent("ref-c")
                try Self.copyStore(p.server, to: s)
                try Self.copyStore(p.client, to: c)
                let harness = try ServerHarness(store: s) { $0.batchCount = Self.batch }
                defer { harness.stop() }
                let proxy = try CuttingProxy(upstreamPort: harness.port, budget: Int.max)
                let client = try Store.open(at: c)
                let (result, _) = harness.sync(client, options: options, port: proxy.port)
                let stats = try result.get()
                let bytes = proxy.wait()
                let digest = try client.stateDigest()
                #expect(try Store.open(at: s).stateDigest() == digest)
                return (bytes, digest, stats.sent, stats.received)
            }()
            #expect(expectToServer > 2 * Self.batch && expectToClient > 2 * Self.batch)

            var cuts = [0, 50, 200, 600, 1_200, 2_000]
            cuts += stride(from: 3_000, to: total, by: max(1, total / 40)).map { $0 }
            var failedSessions = 0
            for (i, n) in cuts.enumerated() {
                let s = dir.appendingPathComponent("s\(i + 1)"), c = dir.appendingPathComponent("c\(i + 1)")
                try Self.copyStore(p.server, to: s)
                try Self.copyStore(p.client, to: c)
                let harness = try ServerHarness(store: s) { $0.batchCount = Self.batch; $0.timeout = 5 }
                defer { harness.stop() }
                let client = try Store.open(at: c)

                let proxy = try CuttingProxy(upstreamPort: harness.port, budget: n)
                let (cut, session) = harness.sync(client, options: options, port: proxy.port)
                _ = proxy.wait()
                if cut.error != nil { failedSessions += 1 }
                let serverReport = try #require(harness.report(1), "no report from the server for the cut at \(n)")

                // Nothing committed is lost, and both stores are sound.
                let server = try Store.open(at: s)
                let serverHas = try server.changesetCounts().applied
                let clientHas = try client.changesetCounts().applied
                #expect(serverHas >= p.serverCount && clientHas >= p.clientCount)
                #expect(try server.verify().ok, "server verify after a cut at \(n)")
                #expect(try client.verify().ok, "client verify after a cut at \(n)")
                let committedAtServer = serverHas - p.serverCount
                let committedAtClient = clientHas - p.clientCount
                // On the wire twice: written in the cut session but not committed on the other side.
                #expect(session.stats.written - committedAtServer <= Self.batch, "client re-sends more than a batch after a cut at \(n)")
                #expect(serverReport.stats.written - committedAtClient <= Self.batch, "server re-sends more than a batch after a cut at \(n)")

                // The next sync completes and sends exactly what is still missing.
                let (again, _) = harness.sync(client, options: options)
                let stats = try #require(again.stats, "the sync after a cut at \(n) failed: \(String(describing: again.error))")
                #expect(stats.sent == expectToServer - committedAtServer, "cut at \(n)")
                #expect(stats.received == expectToClient - committedAtClient, "cut at \(n)")
                #expect(stats.outcome.duplicates == 0)
                #expect(try client.stateDigest() == reference)
                #expect(try server.stateDigest() == reference)
                #expect(try client.verify().ok && server.verify().ok)
            }
            // The sweep really cut sessions (all but possibly the last point).
            #expect(failedSessions >= cuts.count - 1)
        }
    }
}
