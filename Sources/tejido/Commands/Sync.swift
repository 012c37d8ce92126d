import ArgumentParser
import Foundation
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync

struct Sync: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sync", abstract: Msg.helpSync.localized)

    @OptionGroup var options: GlobalOptions
    @Argument(help: Msg.argSyncTargets.help)
    var targets: [String]
    @Option(name: .long, help: Msg.optSyncKey.help) var key: String?
    @Flag(name: .long, help: Msg.optPullOnly.help) var pullOnly = false
    @Flag(name: .long, help: Msg.optPushOnly.help) var pushOnly = false
    @Option(name: .long, help: Msg.optRemoteCommand.help) var remoteCommand: String?
    @Option(name: .long, help: Msg.optSSH.help) var ssh: String?
    @Option(name: .long, help: Msg.optSyncTimeout.help) var timeout: Double = 60

    func run() throws {
        try options.withStore { store, console in
            if pullOnly && pushOnly { throw console.fail(.errBothOnly, code: Console.usage) }
            guard timeout.isFinite, timeout > 0, timeout <= 86_400 else { throw console.fail(.errBadTimeout, code: Console.usage) }
            var pinnedOverride: [UInt8]?
            if let key {
                guard let k = KeyText.parseKey(key) else { throw StoreError.invalidKey(key) }
                pinnedOverride = k.bytes
            }
            // Ctrl-C or SIGTERM: what is committed stays (the batch in progress rolls back when
            // the store is next opened); first say so, and how to go on.
            StopSignal.watch { [console] in
                console.endProgress()
                console.report(.errSyncStopped, [])
                _exit(130)
            }
            var results: [JSONValue] = []
            var failed = false
            func printResults() {
                // With the process's peak memory (Linux), for the benchmark and for operators sizing a machine.
                console.out(json: .object([("results", .array(results)), ("peak_rss_kib", Self.peakRSS().map { .int(Int64($0)) } ?? .null)]))
            }
            for target in targets {
                do {
                    let (json, ok) = try syncOne(target, pinnedOverride: pinnedOverride, store: store, console: console)
                    results.append(json)
                    failed = failed || !ok
                } catch {
                    // A target that stops the command (no store there, an unknown peer name): the
                    // targets synced before it are still reported.
                    if console.json && !results.isEmpty { printResults() }
                    throw error
                }
            }
            if console.json { printResults() }
            if failed { throw Console.failure }
        }
    }

    /// "Sync with TARGET failed: REASON (DETAIL)", without the parentheses when the detail adds nothing.
    /// The peer presented another key than the pinned one: pinned for a named peer (whose pin the
    /// message shows how to replace), or given with --key for this sync.
    static func reportWrongKey(address: PeerAddress, presented: String, peerName: String?, console: Console) {
        let shown = KeyText.parseKey(presented).map { KeyText.fingerprint($0.bytes) } ?? "?"
        if let peerName {
            console.report(.errWrongPeerKey, [address.description, presented, shown, peerName])
        } else {
            console.report(.errWrongPeerKeyGiven, [address.description, presented, shown])
        }
    }

    static func reportFailure(_ e: SyncError, target: String, console: Console) {
        let detail = e.shownDetail(console)
        if detail == "-" {
            console.report(.errSyncFailedPlain, [target, console.t(e.code.reason)])
        } else {
            console.report(.errSyncFailed, [target, console.t(e.code.reason), detail])
        }
    }

    /// The peak resident memory of this process in KiB, from /proc (nil where there is none).
    static func peakRSS() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "")
        }
        return nil
    }

    /// One peer: connect, run the session, record what the peer holds, report.
    func syncOne(_ target: String, pinnedOverride: [UInt8]?, store: Store, console: Console) throws -> (JSONValue, Bool) {
        var url = target
        var pinned = pinnedOverride
        var peerName: String?
        if let peer = try store.peer(named: target) {
            guard !peer.url.isEmpty else { throw console.fail(.errPeerHasNoURL, target) }
            url = peer.url
            pinned = pinnedOverride ?? peer.key
            peerName = peer.name
        }
        guard let address = PeerAddress(url) else { throw console.fail(Msg.badURL(url), target, code: Console.usage) }
        if case .local(let path) = address {
            // Say what is wrong here rather than after a child fails: a typo in a peer name, or no store there.
            let dir = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
            if !FileManager.default.fileExists(atPath: dir.appendingPathComponent("store.db").path) {
                if peerName == nil && !path.contains("/") { throw StoreError.unknownPeer(target) }
                // The path inside the command is quoted for the shell, so that it can be pasted as it is.
                throw console.fail(.errSyncNotAStore, path, store.networkIDText, SyncConnector.shellQuote(path))
            }
            if dir.resolvingSymlinksInPath() == store.directory.standardizedFileURL.resolvingSymlinksInPath() {
                throw console.fail(.errSyncSelf, target)
            }
        }
        var connector = SyncConnector(selfExecutable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path)
        connector.timeout = timeout
        connector.ssh = ssh
        connector.remoteCommand = remoteCommand
        // Only for a local child, which is this same program: a remote one may predate --lang.
        if remoteCommand == nil { connector.language = console.lang.rawValue }
        let started = Date()
        var base: [(String, JSONValue)] = [("peer", .string(target)), ("url", .string(address.description))]

        let stream: TLSStream
        let proven: [UInt8]
        do {
            (stream, proven) = try connector.open(address, nodeKey: store.nodeKey, pinned: pinned)
        } catch let e as SyncError where e.code == .peerKeyNotPinned || e.code == .wrongPeerKey {
            let shown = KeyText.parseKey(e.detail).map { KeyText.fingerprint($0.bytes) } ?? "?"
            if e.code == .peerKeyNotPinned {
                console.report(.errPeerKeyNotPinned, [address.description, e.detail, shown])
            } else {
                Self.reportWrongKey(address: address, presented: e.detail, peerName: pinnedOverride == nil ? peerName : nil, console: console)
            }
            return (.object(base + [("ok", .bool(false)), ("error", .string(e.code.name)), ("message", .string(e.detail))]), false)
        } catch {
            let e = (error as? StreamError)?.syncError ?? (error as? SyncError) ?? SyncError(.connectionLost, "\(error)")
            Self.reportFailure(e, target: target, console: console)
            return (.object(base + [("ok", .bool(false))] + e.jsonFields(console)), false)
        }
        defer { stream.close() }

        let replica = StoreReplica(store: store)
        if let peerName {
            let shared = try store.sharedNamespaces(forPeer: peerName)
            replica.offered = { _ in shared }
        }
        // The TLS handshake proved the server's key: the digests are made for it (private namespaces,
        // share lists), and only that key's holder can read them.
        let session = SyncSession(role: .client, replica: replica, options: SyncSession.Options(sends: !pullOnly, receives: !pushOnly, expectedPeer: proven))
        let me = store.nodeKey.publicKey.bytes
        session.checkPeer = { hello in
            if hello.nodeKey == me { return SyncError(.sameNode, .peerIsThisNode) }
            // The certificate's key is the pinned one, if any: the connector checked it.
            if hello.nodeKey != proven { return SyncError(.wrongPeerKey, .helloKeyMismatch) }
            return nil
        }
        let progress = SyncProgress(console: console, label: peerName ?? address.description)
        let result = Result { () throws(SyncError) in try SyncRunner.run(session, over: stream) { progress.update($0) } }
        if case .success(let s) = result { progress.update(s, force: console.json) }
        // A failed session's far side (a local child, or ssh) may still be writing why on stderr:
        // it has ended before this side says anything, so its message comes first.
        progress.finish()
        if case .failure = result { stream.close() }
        replica.close()
        if let hello = session.peerHello {
            // A store that just failed is not written to again (it would fail, or wait as long).
            if !result.ownStoreFailed {
                try store.recordPeer(key: hello.nodeKey, url: address.description, heads: session.peerHolds, exact: session.exactNamespaces, sent: session.stats.sent,
                                     received: session.stats.received, completed: session.isFinished, peerName: peerName)
            }
            base.append(("key", .string(KeyText.key(bytes: hello.nodeKey))))
        }
        let seconds = Date().timeIntervalSince(started)
        switch result {
        case .success(let s):
            // As the received changesets stand now: one that waited for another sent later in the
            // session (its prev, a dep, the grant that lets its author write) was applied then.
            let o = (try? store.settled(s.outcome)) ?? s.outcome
            let peerTakes = session.peerHello?.receives ?? true
            if !pullOnly && !peerTakes && !console.json { console.err(console.t(.warnPeerReadOnly, peerName ?? address.description)) }
            if !console.json {
                console.out(console.t(.syncDone, peerName ?? address.description, String(s.sent), String(s.received), String(o.applied),
                                      String(o.duplicates), String(o.pending), String(o.quarantined), String(format: "%.2f", seconds),
                                      String(s.wireBytesOut), String(s.wireBytesIn)))
            }
            return (.object(base + [
                ("ok", .bool(true)), ("peer_takes_changesets", .bool(peerTakes)), ("sent", .int(Int64(s.sent))), ("received", .int(Int64(s.received))),
                ("applied", .int(Int64(o.applied))), ("duplicates", .int(Int64(o.duplicates))), ("pending", .int(Int64(o.pending))),
                ("quarantined", .int(Int64(o.quarantined))), ("bytes_out", .int(Int64(s.wireBytesOut))),
                ("bytes_in", .int(Int64(s.wireBytesIn))), ("round_trips", .int(Int64(s.roundTrips))),
                ("envelope_bytes_out", .int(Int64(s.sentBytes))), ("envelope_bytes_in", .int(Int64(s.receivedBytes))),
                ("tls_bytes_out", .int(Int64(stream.connection.socketBytesWritten))),
                ("tls_bytes_in", .int(Int64(stream.connection.socketBytesRead))),
                ("seconds", .double(seconds)),
            ]), true)
        case .failure(let e):
            if e.code == .sameNode {
                console.report(.errSyncSelf, [target])
            } else if e.code == .wrongPeerKey, !e.fromPeer, KeyText.parseKey(e.detail) != nil {
                // Only a key this side was shown; a hello that disagrees with its certificate, or
                // the peer's own report, is a failure like any other.
                Self.reportWrongKey(address: address, presented: e.detail, peerName: pinnedOverride == nil ? peerName : nil, console: console)
            } else {
                Self.reportFailure(e, target: peerName ?? address.description, console: console)
            }
            let s = session.stats
            return (.object(base + [("ok", .bool(false))] + e.jsonFields(console) + [
                ("sent", .int(Int64(s.sent))), ("received", .int(Int64(s.received))),
            ]), false)
        }
    }
}
