import Foundation
import TejidoCrypto
import TejidoStore

/// Opens the stream of a sync session to a peer address, over the carrier the address names.
public struct SyncConnector: Sendable {
    /// Seconds of silence from the peer after which the session ends.
    public var timeout: Double = 60
    /// The ssh program (default: `$TEJIDO_SSH`, else `ssh` on PATH).
    public var ssh: String?
    /// The program run on the far side instead of `tejido` (like git's `--upload-pack`).
    public var remoteCommand: String?
    /// This program, run as the child for a store on this machine.
    public var selfExecutable: String

    /// The language the local child writes its messages in (`--lang`), as this process does.
    public var language: String?
    public init(selfExecutable: String) { self.selfExecutable = selfExecutable }

    /// A TLS stream to the peer and the key it proved it holds. Every carrier runs TLS 1.3 with
    /// the node keys' certificates: over TCP, and over the pipes of the child that runs
    /// `tejido serve --stdio` (locally or through ssh). A TCP peer must have a pinned key; a child
    /// is reached by whoever may start it (ssh or file permissions), so its key need not be pinned,
    /// but a pinned one must match.
    public func open(_ address: PeerAddress, nodeKey: Ed25519PrivateKey, pinned: [UInt8]?) throws -> (TLSStream, [UInt8]) {
        let certificate = try TLSCertificate(nodeKey: nodeKey)
        let context = try TLSContext(side: .client, certificate: certificate)
        let tls: TLSStream
        switch address {
        case .local(let path):
            let program = remoteCommand ?? selfExecutable
            let child = try start(try resolve(program), ["serve", "--stdio", "--store", path] + (language.map { ["--lang", $0] } ?? []))
            tls = try overPipes(of: child, context)
        case .ssh(let user, let host, let port, let path):
            let program = ssh ?? ProcessInfo.processInfo.environment["TEJIDO_SSH"] ?? "ssh"
            var args: [String] = []
            if let port { args += ["-p", String(port)] }
            args.append((user.map { $0 + "@" } ?? "") + host)
            let remote = [remoteCommand ?? "tejido", "serve", "--stdio", "--store", path].map(Self.shellQuote).joined(separator: " ")
            args.append(remote)
            let child = try start(try resolve(program), args)
            tls = try overPipes(of: child, context)
        case .tcp(let host, let port):
            let socket: TCPSocket
            do { socket = try TCPSocket.connect(host: host, port: port, timeout: timeout) } catch let e as StreamError {
                throw SyncError(.cannotConnect, .link(e))
            } catch {
                throw SyncError(.cannotConnect, "\(error)")
            }
            // Anything but TLS there (a web server, another service on that port) is
            // `cannot_connect`: running the sync again would not help.
            do { tls = try TLSStream(socket: socket, context: context, timeout: timeout) } catch StreamError.notTLS {
                throw SyncError(.cannotConnect, .serverNotTLS)
            } catch let e as StreamError {
                // A TLS server whose certificate proves no node key (a web server, say).
                if case .certificate = e { throw SyncError(.cannotConnect, .serverNotTejido(e)) }
                throw e
            }
            guard pinned != nil else {
                Self.turnAway(tls, .peerKeyNotPinned, .clientPinsNoKey)
                throw SyncError(.peerKeyNotPinned, KeyText.key(bytes: tls.peerKey))
            }
        }
        let key = tls.peerKey
        if let pinned, pinned != key {
            Self.turnAway(tls, .wrongPeerKey, .clientPinsAnotherKey)
            throw SyncError(.wrongPeerKey, KeyText.key(bytes: key))
        }
        return (tls, key)
    }

    /// Tells a server whose key this side will not accept why the session ends before it begins
    /// (its log would otherwise show a cut link, to be cured by syncing again), then closes.
    private static func turnAway(_ tls: TLSStream, _ code: SyncError.Code, _ problem: SyncProblem) {
        try? tls.write(FrameWriter.frame(SyncMessage.error(code: code.rawValue, text: problem.description).encoded()))
        tls.close()
    }

    /// The TLS handshake over a child's pipes. A child that ends, or writes anything but TLS (ssh
    /// failing to log in, no `tejido` or no store there, a login script that prints a banner), is
    /// `cannot_connect`, not a cut link: running the sync again would not help.
    private func overPipes(of child: ChildProcess, _ context: TLSContext) throws -> TLSStream {
        do {
            return try TLSStream(
                readFD: child.readFD, writeFD: child.writeFD, context: context, timeout: timeout, peerAlive: { !child.hasExited }
            ) { child.close() }
        } catch let e as StreamError {
            if case .timedOut = e { throw e }
            throw SyncError(.cannotConnect, .notTLS(e))
        }
    }

    /// Starts the child. A child that cannot be started (no descriptors or threads left) is
    /// `cannot_connect`, not a cut link: running the sync again as it is would not help.
    private func start(_ executable: String, _ arguments: [String]) throws -> ChildProcess {
        do { return try ChildProcess(executable: executable, arguments: arguments) } catch let e as StreamError {
            throw SyncError(.cannotConnect, .link(e))
        }
    }

    private func resolve(_ program: String) throws -> String {
        guard let path = ChildProcess.which(program) else { throw SyncError(.cannotConnect, .programNotFound(program)) }
        return path
    }

    /// Quotes one word for a POSIX shell (the remote side of ssh runs the command through one).
    public static func shellQuote(_ s: String) -> String {
        if !s.isEmpty && s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:@".contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
