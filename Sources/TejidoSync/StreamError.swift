import Foundation
import TejidoCrypto

/// A failure of the link under a session, or of a file a bundle is read from or written to.
public enum StreamError: Error, Sendable, Equatable, CustomStringConvertible {
    case timedOut(seconds: Double)
    /// A step that failed, and the system's error number (0 when the step says it all).
    case io(Step, errno: Int32)
    case closed
    case tls(String)
    /// The far end answered with something other than TLS (plain text, HTTP).
    case notTLS
    /// The peer's certificate proves no usable key.
    case certificate(TLSConnection.PeerCertificateProblem)

    /// What was being done when a system call or a limit stopped it. Typed, so that a user
    /// interface can say it in its own language; `description` is the English.
    public enum Step: Sendable, Equatable, CustomStringConvertible {
        case open(String)
        case create(String)
        case lookAt(String)
        case symlinkToNothing(String)
        case notARegularFile(String)
        case removeStale(String)
        case move(String, to: String)
        case start(String)
        case resolve(host: String, reason: String)
        case connect(address: String)
        case listenOn(address: String)
        case tooManyNamespaces(limit: Int, count: Int)
        case receiptTooLarge(bytes: Int)
        /// A bare system call (`read`, `write`, `poll`, `accept`, `socket`, `listen`, `pipe`).
        case call(String)

        public var description: String {
            switch self {
            case .open(let p): "cannot open \(p)"
            case .create(let p): "cannot create \(p)"
            case .lookAt(let p): "cannot look at \(p)"
            case .symlinkToNothing(let p): "\(p) is a symbolic link to nothing that can be written"
            case .notARegularFile(let p):
                "\(p) exists and is not a regular file (a device, pipe or directory is never replaced); give another path"
            case .removeStale(let p): "cannot remove the stale \(p)"
            case .move(let from, let to): "cannot move \(from) to \(to)"
            case .start(let p): "cannot start \(p)"
            case .resolve(let host, let reason): "cannot resolve \(host): \(reason)"
            case .connect(let a): "cannot connect to \(a)"
            case .listenOn(let a): "cannot listen on \(a)"
            case .tooManyNamespaces(let limit, let count):
                "a bundle names at most \(limit) namespaces, not \(count): write several (--namespace)"
            case .receiptTooLarge(let n): "a receipt of \(n) bytes is over the frame limit; write one per namespace (--namespace)"
            case .call(let name): name
            }
        }
    }

    public var description: String {
        switch self {
        case .timedOut(let s): "no data from the peer for \(SyncProblem.seconds(s)) s"
        case .io(let step, let e): e == 0 ? step.description : "\(step): \(String(cString: strerror(e)))"
        case .closed: "the stream is closed"
        case .tls(let d): "TLS: \(d)"
        case .notTLS: "the far end answered with something other than TLS"
        case .certificate(let p): "TLS: \(p)"
        }
    }

    /// This failure, met during the TLS handshake.
    public var handshakeError: SyncError { SyncError(syncError.code, .handshake(self)) }

    public var syncError: SyncError {
        switch self {
        case .timedOut: SyncError(.timeout, .link(self))
        default: SyncError(.connectionLost, .link(self))
        }
    }
}
