import Foundation
import Testing
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync
import TejidoTestSupport

/// A TLS session between two stores, cut after N bytes for N swept across the whole session, over
/// TCP and over the pipes of a stdio link. After every cut: both stores verify, nothing committed
/// is lost, the next sync completes and sends exactly what is still missing, and what was put on
/// the wire twice is at most one batch.
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
                _ = try expectRecovered(p, server: s, client: client, cutAt: n, clientWritten: session.stats.written,
                                    serverWritten: serverReport.stats.written, expected: (expectToServer, expectToClient), reference: reference) {
                    harness.sync(client, options: options).0
                }
            }
            // The sweep really cut sessions (all but possibly the last point).
            #expect(failedSessions >= cuts.count - 1)
        }
    }

    /// The checks after one cut: nothing committed lost, both stores sound, at most one batch on
    /// the wire twice each way, and `resync` completes with exactly what was still missing.
    func expectRecovered(_ p: Pristine, server s: URL, client: Store, cutAt n: Int, clientWritten: Int, serverWritten: Int,
                         expected: (toServer: Int, toClient: Int), reference: [UInt8],
                         resync: () -> Result<SyncStats, SyncError>) throws -> (atServer: Int, atClient: Int) {
        let server = try Store.open(at: s)
        let serverHas = try server.changesetCounts().applied
        let clientHas = try client.changesetCounts().applied
        #expect(serverHas >= p.serverCount && clientHas >= p.clientCount)
        #expect(try server.verify().ok, "server verify after a cut at \(n)")
        #expect(try client.verify().ok, "client verify after a cut at \(n)")
        let committedAtServer = serverHas - p.serverCount
        let committedAtClient = clientHas - p.clientCount
        // On the wire twice: written in the cut session but not committed on the other side.
        #expect(clientWritten - committedAtServer <= Self.batch, "client re-sends more than a batch after a cut at \(n)")
        #expect(serverWritten - committedAtClient <= Self.batch, "server re-sends more than a batch after a cut at \(n)")

        // The next sync completes and sends exactly what is still missing.
        let again = resync()
        let stats = try #require(again.stats, "the sync after a cut at \(n) failed: \(String(describing: again.error))")
        #expect(stats.sent == expected.toServer - committedAtServer, "cut at \(n)")
        #expect(stats.received == expected.toClient - committedAtClient, "cut at \(n)")
        #expect(stats.outcome.duplicates == 0)
        #expect(try client.stateDigest() == reference)
        #expect(try server.stateDigest() == reference)
        #expect(try client.verify().ok && server.verify().ok)
        return (committedAtServer, committedAtClient)
    }

    /// One stdio session (`StdioServer` and a client, each on its own end of a relay that cuts
    /// after `budget` bytes). Returns the client's result and counters, the server's counters,
    /// and the bytes the relay forwarded.
    func stdioSession(server: URL, client: Store, budget: Int, options: SyncSession.Options) throws
        -> (Result<SyncStats, SyncError>, SyncStats, SyncStats, Int)
    {
        let relay = try CuttingPipeRelay(budget: budget)
        let box = StdioOutcomeBox()
        let done = DispatchSemaphore(value: 0)
        let (r, w) = (relay.serverRead, relay.serverWrite)
        Thread {
            defer { done.signal(); close(r); close(w) }
            guard let store = try? Store.open(at: server) else { return }
            box.outcome = StdioServer.serve(store: store, readFD: r, writeFD: w, options: options, timeout: 5)
        }.start()
        let context = try TLSContext(side: .client, certificate: try TLSCertificate(key: client.nodeKey, commonName: "client"))
        let (cr, cw) = (relay.clientRead, relay.clientWrite)
        var clientStats = SyncStats()
        let result: Result<SyncStats, SyncError>
        do {
            let stream = try TLSStream(readFD: cr, writeFD: cw, context: context, timeout: 5) { close(cr); close(cw) }
            let session = SyncSession(role: .client, replica: StoreReplica(store: client), options: options)
            result = Result { () throws(SyncError) in try SyncRunner.run(session, over: stream) }
            clientStats = session.stats
            stream.close()
        } catch {
            // The handshake itself was cut; TLSStream has closed the client's ends.
            result = .failure(SyncError(.connectionLost, "\(error)"))
        }
        done.wait()
        let forwarded = relay.wait()
        return (result, clientStats, box.outcome?.stats ?? SyncStats(), forwarded)
    }

    @Test func everyCutOfAStdioLinkLosesNothingAndResendsAtMostOneBatch() throws {
        try withTemporaryDirectory { dir in
            let p = try makePristine(dir)
            var options = SyncSession.Options()
            options.batchCount = Self.batch
            let (total, reference, expectToServer, expectToClient) = try {
                let s = dir.appendingPathComponent("ref-s"), c = dir.appendingPathComponent("ref-c")
                try Self.copyStore(p.server, to: s)
                try Self.copyStore(p.client, to: c)
                let client = try Store.open(at: c)
                let (result, _, _, bytes) = try stdioSession(server: s, client: client, budget: Int.max, options: options)
                let stats = try result.get()
                let digest = try client.stateDigest()
                #expect(try Store.open(at: s).stateDigest() == digest)
                return (bytes, digest, stats.sent, stats.received)
            }()
            #expect(expectToServer > 2 * Self.batch && expectToClient > 2 * Self.batch)

            var cuts = [0, 100, 1_000, 3_000]
            cuts += stride(from: 5_000, to: total, by: max(1, total / 16)).map { $0 }
            var failedSessions = 0
            var midTransfer = 0
            for (i, n) in cuts.enumerated() {
                let s = dir.appendingPathComponent("ps\(i + 1)"), c = dir.appendingPathComponent("pc\(i + 1)")
                try Self.copyStore(p.server, to: s)
                try Self.copyStore(p.client, to: c)
                let client = try Store.open(at: c)
                let (cut, clientStats, serverStats, _) = try stdioSession(server: s, client: client, budget: n, options: options)
                if cut.error != nil { failedSessions += 1 }
                let committed = try expectRecovered(p, server: s, client: client, cutAt: n, clientWritten: clientStats.written,
                                    serverWritten: serverStats.written, expected: (expectToServer, expectToClient), reference: reference) {
                    (try? stdioSession(server: s, client: client, budget: Int.max, options: options).0)
                        ?? .failure(SyncError(.other, "the resync could not start"))
                }
                let partly = { (done: Int, all: Int) in done > 0 && done < all }
                if partly(committed.atServer, expectToServer) || partly(committed.atClient, expectToClient) { midTransfer += 1 }
            }
            #expect(failedSessions >= cuts.count - 1)
            // The sweep cut transfers in the middle, not only handshakes and openings.
            #expect(midTransfer >= 5, "only \(midTransfer) of \(cuts.count) cuts (of \(total) bytes) landed mid-transfer")
        }
    }
}
