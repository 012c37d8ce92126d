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
    static var options: SyncSession.Options {
        var options = SyncSession.Options()
        options.batchCount = batch
        return options
    }

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

    /// One session between copies of the stores over a carrier that cuts after `budget` bytes: the
    /// client's result and counters, the server's counters, and the bytes that went through.
    typealias Session = (_ server: URL, _ client: Store, _ budget: Int) throws
        -> (result: Result<SyncStats, SyncError>, client: SyncStats, server: SyncStats, forwarded: Int)

    /// What a sweep saw: how many cut points, how many sessions failed, and how many cuts landed in
    /// the middle of the transfer (something, but not everything, committed on one side).
    struct Sweep {
        var cuts = 0
        var failed = 0
        var midTransfer = 0
    }

    /// The uncut session first (its bytes, and the state both stores end in), then one cut session
    /// per point of `cuts(total)`, each from fresh copies, each followed by `expectRecovered`.
    func sweep(_ dir: URL, cuts: (Int) -> [Int], session: Session) throws -> Sweep {
        let p = try makePristine(dir)
        let (total, reference, expectToServer, expectToClient) = try {
            let s = dir.appendingPathComponent("ref-s"), c = dir.appendingPathComponent("ref-c")
            try Self.copyStore(p.server, to: s)
            try Self.copyStore(p.client, to: c)
            let client = try Store.open(at: c)
            let uncut = try session(s, client, Int.max)
            let stats = try uncut.result.get()
            let digest = try client.stateDigest()
            #expect(try Store.open(at: s).stateDigest() == digest)
            return (uncut.forwarded, digest, stats.sent, stats.received)
        }()
        #expect(expectToServer > 2 * Self.batch && expectToClient > 2 * Self.batch)

        var seen = Sweep()
        for (i, n) in cuts(total).enumerated() {
            let s = dir.appendingPathComponent("s\(i + 1)"), c = dir.appendingPathComponent("c\(i + 1)")
            try Self.copyStore(p.server, to: s)
            try Self.copyStore(p.client, to: c)
            let client = try Store.open(at: c)
            let cut = try session(s, client, n)
            seen.cuts += 1
            if cut.result.error != nil { seen.failed += 1 }
            let committed = try expectRecovered(p, server: s, client: client, cutAt: n, clientWritten: cut.client.written,
                                                serverWritten: cut.server.written, expected: (expectToServer, expectToClient),
                                                reference: reference) {
                (try? session(s, client, Int.max).result) ?? .failure(SyncError(.other, "the sync after the cut could not start"))
            }
            let partly = { (done: Int, all: Int) in done > 0 && done < all }
            if partly(committed.atServer, expectToServer) || partly(committed.atClient, expectToClient) { seen.midTransfer += 1 }
        }
        return seen
    }

    /// A TLS session over TCP through a `CuttingProxy`; the server is a `SyncServer`.
    func tcpSession(server: URL, client: Store, budget: Int) throws
        -> (result: Result<SyncStats, SyncError>, client: SyncStats, server: SyncStats, forwarded: Int)
    {
        let options = Self.options
        let harness = try ServerHarness(store: server) { $0.batchCount = Self.batch; $0.timeout = 5 }
        defer { harness.stop() }
        let proxy = try CuttingProxy(upstreamPort: harness.port, budget: budget)
        let (result, session) = harness.sync(client, options: options, port: proxy.port)
        let forwarded = proxy.wait()
        let report = try #require(harness.report(1), "no report from the server for the cut at \(budget)")
        return (result, session.stats, report.stats, forwarded)
    }

    @Test func everyCutLosesNothingAndResendsAtMostOneBatch() throws {
        try withTemporaryDirectory { dir in
            let seen = try sweep(dir, cuts: { total in
                [0, 50, 200, 600, 1_200, 2_000] + stride(from: 3_000, to: total, by: max(1, total / 40)).map { $0 }
            }, session: tcpSession)
            // The sweep really cut sessions (all but possibly the last point).
            #expect(seen.failed >= seen.cuts - 1)
        }
    }

    @Test func everyCutOfAStdioLinkLosesNothingAndResendsAtMostOneBatch() throws {
        try withTemporaryDirectory { dir in
            let seen = try sweep(dir, cuts: { total in
                [0, 100, 1_000, 3_000] + stride(from: 5_000, to: total, by: max(1, total / 16)).map { $0 }
            }, session: stdioSession)
            #expect(seen.failed >= seen.cuts - 1)
            // The sweep cut transfers in the middle, not only handshakes and openings.
            #expect(seen.midTransfer >= 5, "only \(seen.midTransfer) of \(seen.cuts) cuts landed mid-transfer")
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

    /// A TLS session over pipes through a `CuttingPipeRelay`; the server is a `StdioServer`.
    func stdioSession(server: URL, client: Store, budget: Int) throws
        -> (result: Result<SyncStats, SyncError>, client: SyncStats, server: SyncStats, forwarded: Int)
    {
        let options = Self.options
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
}
