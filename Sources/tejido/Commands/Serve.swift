import ArgumentParser
import Foundation
import Synchronization
import TejidoCore
import TejidoCrypto
import TejidoStore
import TejidoSync
import TejidoSystem

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: Msg.helpServe.localized)

    @OptionGroup var options: GlobalOptions
    @Flag(name: .long, help: Msg.optStdio.help) var stdio = false
    @Option(name: .long, help: Msg.optListen.help) var listen: String?
    @Option(name: .long, help: Msg.optAllow.help) var allow = "known"
    @Option(name: .long, help: Msg.optServeTimeout.help) var timeout: Double = 30
    @Option(name: .long, help: Msg.optMaxSessions.help) var maxSessions = 16
    @Flag(name: .long, help: Msg.optReadOnly.help) var readOnly = false

    func run() throws {
        let console = options.console
        guard timeout.isFinite, timeout > 0, timeout <= 86_400 else { throw console.fail(.errBadTimeout, code: Console.usage) }
        if stdio {
            try serveStdio(console)
        } else if let listen {
            try serveTCP(listen, console)
        } else {
            throw console.fail(.errServe, console.t(.detailServeMode), code: Console.usage)
        }
    }

    private func serveStdio(_ console: Console) throws {
        try options.withStore { store, console in
            let outcome = StdioServer.serve(store: store, readFD: 0, writeFD: 1,
                                            options: SyncSession.Options(sends: true, receives: !readOnly), timeout: timeout)
            guard case .failure(let e) = outcome.result else { return }
            // A failed session was told to the client in-band, and the client reports it; a second
            // line from this side (which ssh and local syncs show too) would only repeat it. Before
            // the session, nothing could be said in-band: stderr reaches the user through ssh
            // (unless the client hung up: then it reports its own failure).
            if outcome.failedInHandshake && !outcome.clientHungUp { console.report(.errStdioHandshake, [e.shownDetail(console)]) }
            // This store's own failure (a full disk) is not told to the client, who only learns
            // that the peer's store failed: said here, on stderr, which reaches the user.
            if let storeError = e.storeError, !e.fromPeer { console.report(storeError) }
            throw Console.failure
        }
    }

    private func serveTCP(_ listen: String, _ console: Console) throws {
        guard let policy = TrustPolicy(rawValue: allow) else { throw console.fail(.errBadPolicy, allow, code: Console.usage) }
        guard let (host, port) = PeerAddress.hostPort(listen, portRequired: true, allowZero: true), let port else {
            throw console.fail(.errBadListen, listen, code: Console.usage)
        }
        try console.guarding {
            let store = try Store.open(at: options.storeURL)
            let key = store.nodeKey
            let certificate = try TLSCertificate(nodeKey: key)
            let listener: TCPListener
            do { listener = try TCPListener(host: host, port: port) } catch let e as StreamError {
                throw console.fail(.errServe, DetailText.text(e, console))
            } catch {
                throw console.fail(.errServe, "\(error)")
            }
            // Room for a few sessions, checked before anything could trap for want of descriptors.
            guard FileDescriptors.available(2 * SyncServer.descriptorsPerSession) else {
                throw console.fail(.errServe, String(cString: strerror(EMFILE)) + " (ulimit -n)")
            }
            // Sessions run on threads of their own, and Dispatch (the stop signals, timers) waits
            // for ever for a thread the system refuses: checked before anything could hang so.
            guard WorkerThread.canStart(Self.threadsNeeded) else { throw console.fail(.errServe, console.t(.detailThreadLimit)) }
            var config = SyncServer.Config(store: options.storeURL)
            config.policy = policy
            config.timeout = timeout
            config.maxSessions = max(1, maxSessions)
            config.receives = !readOnly
            let server = try SyncServer(config: config, listener: listener, certificate: certificate)
            let keyText = KeyText.key(key.publicKey)
            let fingerprint = KeyText.fingerprint(key.publicKey.bytes)
            if console.json {
                console.out(json: .object([
                    ("event", .string("listening")), ("address", .string(listener.address)), ("key", .string(keyText)),
                    ("fingerprint", .string(fingerprint)), ("policy", .string(policy.rawValue)),
                ]))
            } else {
                console.out(console.t(.serveListening, listener.address, keyText, fingerprint, policy.rawValue))
            }
            StopSignal.watch { server.stop() }
            let json = console.json
            let lang = console.lang
            try server.run { report in Self.log(report, policy: policy, console: Console(lang: lang, json: json)) }
            if console.json {
                console.out(json: .object([("event", .string("stopped"))]))
            } else {
                console.out(console.t(.serveStopped))
            }
        }
    }

    /// Threads that must be available at once for a session to run: its own, libdispatch's
    /// manager and worker (timers, signals), and a signature check beside it.
    static let threadsNeeded = 4

    /// One line per session on stderr.
    static func log(_ r: SyncServer.Report, policy: TrustPolicy, console: Console) {
        let key = r.key.map { KeyText.fingerprint($0) } ?? "-"
        switch r.result {
        case .success(let s):
            if console.json {
                console.err(JSONValue.object([
                    ("event", .string("session")), ("address", .string(r.address)), ("key", .string(r.key.map { KeyText.key(bytes: $0) } ?? "")),
                    ("ok", .bool(true)), ("sent", .int(Int64(s.sent))), ("received", .int(Int64(s.received))),
                ]).serialized())
            } else {
                console.err(console.t(.serveSession, r.address, key, String(s.sent), String(s.received)))
            }
        case .failure(let e):
            if console.json {
                console.err(JSONValue.object([
                    ("event", .string("session")), ("address", .string(r.address)), ("key", .string(r.key.map { KeyText.key(bytes: $0) } ?? "")),
                    ("ok", .bool(false)),
                ] + e.jsonFields(console)).serialized())
            } else if e.code == .peerNotAllowed, let k = r.key {
                // The client's own message (`reasonPeerNotAllowed`) speaks to the client; this is the server's side.
                let refused = policy == .peers
                    ? console.t(.serveClientRefusedPeers, KeyText.key(bytes: k))
                    : console.t(.serveClientRefused, KeyText.key(bytes: k), policy.rawValue)
                console.err(console.t(.serveSessionFailed, r.address, key, refused))
            } else if e.fromPeer, let turned = SyncProblem(peerText: e.detail), turned == .clientPinsNoKey || turned == .clientPinsAnotherKey {
                // The client turned this server away: nothing to run again until its pin is right.
                let why = console.t(turned == .clientPinsNoKey ? .serveClientPinsNoKey : .serveClientPinsOtherKey)
                console.err(console.t(.serveSessionFailed, r.address, key, why))
            } else if e.code == .serverBusy || (e.code == .connectionLost && !e.fromPeer) {
                // The client's own message tells it what to do; this is the server's side.
                let what: Msg = e.code == .serverBusy ? .serveTurnedAway : .serveConnectionCut
                console.err(console.t(.serveSessionFailed, r.address, key, console.t(what, e.shownDetail(console))))
            } else {
                console.err(console.t(.serveSessionFailed, r.address, key, console.t(e.code.reason) + " (" + e.shownDetail(console) + ")"))
            }
        }
    }
}
