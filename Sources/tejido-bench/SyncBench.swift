import Dispatch
import Foundation
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync

/// The sync budgets: stores already in sync, and the reference workload pulled into a coordinator
/// over TLS by a separate `tejido` process (so its peak memory is its own).
enum SyncBench {
    struct InSync {
        var roundTrips = 0
        var protocolBytesOut = 0
        var protocolBytesIn = 0
        var tlsBytesOut = 0
        var tlsBytesIn = 0
        var feeds = 0
    }

    /// Two stores holding the same 3 namespaces of 100 feeds each; one more session between them.
    static func inSync(directory: URL) throws -> InSync {
        let aDir = directory.appendingPathComponent("insync-a"), bDir = directory.appendingPathComponent("insync-b")
        for d in [aDir, bDir] { try? FileManager.default.removeItem(at: d) }
        let a = try Store.create(at: aDir)
        var feeds = 0
        for name in ["uno", "dos", "tres"] {
            let info = try a.createNamespace(name: name)
            // Root and this node are two feeds; 98 writers make 100.
            for i in 0..<98 {
                let writer = try Ed25519PrivateKey()
                _ = try a.grant(namespace: name, key: writer.publicKey, role: .writer)
                let body = ChangesetBody(
                    network: a.networkID, namespace: info.id, author: writer.publicKey.bytes, seq: 1, prev: nil, deps: [],
                    hlc: HLC(milliseconds: a.now(), counter: 0),
                    ops: [.set(RecordKey(collection: "c", id: "r\(i)"), field: "v", value: .int(Int64(i)))])
                guard case .applied = try a.receive(ChangesetEnvelope.sign(body, with: writer).bytes) else { throw BenchError("not applied") }
            }
            feeds += try a.feedHeads(namespace: info.id).count
        }
        let b = try Store.create(at: bDir, network: a.networkID)
        try a.addPeer(name: "b", url: "tcp://127.0.0.1:1", key: b.nodeKey.publicKey.bytes, share: nil)
        let server = try Server(store: aDir)
        defer { server.stop() }
        _ = try server.pull(into: b)  // the first sync fills b
        guard try b.stateDigest() == a.stateDigest() else { throw BenchError("in-sync setup did not converge") }
        let (stats, tls) = try server.pull(into: b)
        guard stats.sent == 0 && stats.received == 0 else { throw BenchError("stores were not in sync") }
        return InSync(roundTrips: stats.roundTrips, protocolBytesOut: stats.wireBytesOut, protocolBytesIn: stats.wireBytesIn,
                      tlsBytesOut: tls.out, tlsBytesIn: tls.in, feeds: feeds)
    }

    struct Coordinator {
        var ops = 0
        var changesets = 0
        var seconds = 0.0
        var envelopeBytes = 0
        var protocolBytes = 0
        var tlsBytes = 0
        var maxRSSKiB = 0
        /// CPU seconds (user and system) of the coordinator process, and of this process (the three
        /// servers) while it ran: how much of the machine the pull needs, whatever its wall time.
        var coordinatorCPU = 0.0
        var serversCPU = 0.0
    }

    /// Three group stores (one network) import their part of `workload`; a coordinator process pulls
    /// all three over TLS. Returns the coordinator's wall time, bytes and peak memory.
    static func coordinator(workload: URL, directory: URL, tejido: String) throws -> Coordinator {
        try? FileManager.default.removeItem(at: directory)
        let coordDir = directory.appendingPathComponent("coordinator")
        let coord = try Store.create(at: coordDir)
        var servers: [Server] = []
        defer { for s in servers { s.stop() } }
        var result = Coordinator()
        for group in ["chiapas", "guerrero", "oaxaca"] {
            let dir = directory.appendingPathComponent(group)
            let store = try Store.create(at: dir, network: coord.networkID)
            _ = try store.createNamespace(name: group)
            let summary = try store.importJSONLines(path: workload.path, options: ImportOptions(replica: group))
            result.ops += summary.ops
            try store.addPeer(name: "coordinator", url: "tcp://127.0.0.1:1", key: coord.nodeKey.publicKey.bytes, share: nil)
            let server = try Server(store: dir)
            servers.append(server)
            try coord.addPeer(name: group, url: "tcp://127.0.0.1:\(server.port)", key: store.nodeKey.publicKey.bytes, share: nil)
        }
        let out = directory.deletingLastPathComponent().appendingPathComponent("coordinator-sync.json")
        let start = DispatchTime.now()
        let selfBefore = cpuSeconds(RUSAGE_SELF)
        let (status, _, childCPU) = try run(tejido, ["sync", "chiapas", "guerrero", "oaxaca", "--pull-only", "--store", coordDir.path, "--json"], stdout: out.path)
        result.seconds = Limits.seconds(since: start)
        result.serversCPU = cpuSeconds(RUSAGE_SELF) - selfBefore
        result.coordinatorCPU = childCPU
        guard status == 0 else { throw BenchError("coordinator sync failed (exit \(status)); see \(out.path)") }
        // The process reports its own peak (VmHWM): wait4's figure would include this process's
        // memory, which the child shares between posix_spawn and exec.
        let output = try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any] ?? [:]
        result.maxRSSKiB = output["peak_rss_kib"] as? Int ?? 0
        let reports = output["results"] as? [[String: Any]] ?? []
        for r in reports {
            result.changesets += r["received"] as? Int ?? 0
            result.envelopeBytes += r["envelope_bytes_in"] as? Int ?? 0
            result.protocolBytes += (r["bytes_in"] as? Int ?? 0) + (r["bytes_out"] as? Int ?? 0)
            result.tlsBytes += (r["tls_bytes_in"] as? Int ?? 0) + (r["tls_bytes_out"] as? Int ?? 0)
        }
        let check = try Store.open(at: coordDir)
        guard try check.verify().ok else { throw BenchError("the coordinator does not verify") }
        for (i, group) in ["chiapas", "guerrero", "oaxaca"].enumerated() {
            guard try check.namespaceInfo(try check.resolveNamespace(group).root).changesets
                == Store.open(at: directory.appendingPathComponent(group)).namespaces()[0].changesets
            else { throw BenchError("coordinator lacks part of \(group) (\(i))") }
        }
        return result
    }

    /// User and system CPU seconds of this process so far (`RUSAGE_SELF`: every thread).
    static func cpuSeconds(_ who: __rusage_who) -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(who.rawValue), &usage)
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }

    /// Runs a program to its end; returns its exit status, wait4's peak resident memory in KiB and
    /// its CPU seconds (user and system).
    static func run(_ program: String, _ args: [String], stdout path: String) throws -> (Int32, Int, Double) {
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([program] + args).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, program, &actions, nil, argv, environ)
        guard rc == 0 else { throw BenchError("cannot run \(program): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        var usage = rusage()
        _ = wait4(pid, &status, 0, &usage)
        return ((status >> 8) & 0xff, Int(usage.ru_maxrss), seconds(usage.ru_utime) + seconds(usage.ru_stime))
    }

    /// A TLS sync server on a free loopback port, run on its own thread.
    final class Server: @unchecked Sendable {
        // `@unchecked Sendable`: immutable after init; the server object is itself thread-safe.
        let server: SyncServer
        let port: Int
        let key: [UInt8]
        private let done = DispatchSemaphore(value: 0)

        init(store dir: URL) throws {
            let store = try Store.open(at: dir)
            key = store.nodeKey.publicKey.bytes
            let listener = try TCPListener(host: "127.0.0.1", port: 0)
            port = Int(listener.address.split(separator: ":").last!)!
            var config = SyncServer.Config(store: dir)
            config.policy = .peers
            server = try SyncServer(config: config, listener: listener,
                                    certificate: TLSCertificate(key: store.nodeKey, commonName: "bench"))
            Thread { [self] in
                try? server.run { _ in }
                done.signal()
            }.start()
        }

        func stop() {
            server.stop()
            done.wait()
        }

        /// One client session from `client`, in this process.
        func pull(into client: Store) throws -> (SyncStats, (out: Int, in: Int)) {
            var connector = SyncConnector(selfExecutable: "/bin/false")
            connector.timeout = 30
            let (stream, _) = try connector.open(.tcp(host: "127.0.0.1", port: port), nodeKey: client.nodeKey, pinned: key)
            defer { stream.close() }
            let session = SyncSession(role: .client, replica: StoreReplica(store: client))
            let stats = try SyncRunner.run(session, over: stream)
            let tls = stream.connection
            return (stats, (Int(tls.socketBytesWritten), Int(tls.socketBytesRead)))
        }
    }
}
