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

    public init(selfExecutable: String) { self.selfExecutable = selfExecutable }

    /// A connected stream and the key the peer proved it holds (TCP only: TLS proves it).
    public func open(_ address: PeerAddress, nodeKey: Ed25519PrivateKey, pinned: [UInt8]?) throws -> (any ByteStream, [UInt8]?) {
        switch address {
        case .local(let path):
            let program = remoteCommand ?? selfExecutable
            return (try ChildProcessStream(executable: try resolve(program), arguments: ["serve", "--stdio", "--store", path],
                                           timeout: timeout), nil)
        case .ssh(let user, let host, let port, let path):
            let program = ssh ?? ProcessInfo.processInfo.environment["TEJIDO_SSH"] ?? "ssh"
            var args: [String] = []
            if let port { args += ["-p", String(port)] }
            args.append((user.map { $0 + "@" } ?? "") + host)
            let remote = [remoteCommand ?? "tejido", "serve", "--stdio", "--store", path].map(Self.shellQuote).joined(separator: " ")
            args.append(remote)
            return (try ChildProcessStream(executable: try resolve(program), arguments: args, timeout: timeout), nil)
        case .tcp(let host, let port):
            let socket: TCPSocket
            do { socket = try TCPSocket.connect(host: host, port: port, timeout: timeout) } catch {
                throw SyncError(.cannotConnect, "\(error)")
            }
            let certificate = try TLSCertificate(key: nodeKey, commonName: "tejido " + KeyText.fingerprint(nodeKey.publicKey.bytes))
            let context = try TLSContext(side: .client, certificate: certificate)
            let tls = try TLSStream(socket: socket, context: context, timeout: timeout)
            let key = tls.peerKey
            guard let pinned else {
                tls.close()
                throw SyncError(.peerKeyNotPinned, KeyText.key(bytes: key))
            }
            guard pinned == key else {
                tls.close()
                throw SyncError(.wrongPeerKey, KeyText.key(bytes: key))
            }
            return (tls, key)
        }
    }

    private func resolve(_ program: String) throws -> String {
        guard let path = ChildProcessStream.which(program) else { throw SyncError(.cannotConnect, "cannot find the program \(program)") }
        return path
    }

    /// Quotes one word for a POSIX shell (the remote side of ssh runs the command through one).
    static func shellQuote(_ s: String) -> String {
        if !s.isEmpty && s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:@".contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
