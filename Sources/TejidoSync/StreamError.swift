import Foundation

/// A failure of the link under a session.
public enum StreamError: Error, Sendable, CustomStringConvertible {
    case timedOut(seconds: Double)
    case io(String, errno: Int32)
    case closed
    case tls(String)

    public var description: String {
        switch self {
        case .timedOut(let s): "no data from the peer for \(s) s"
        case .io(let what, let e): e == 0 ? what : "\(what): \(String(cString: strerror(e)))"
        case .closed: "the stream is closed"
        case .tls(let d): "TLS: \(d)"
        }
    }

    public var syncError: SyncError {
        switch self {
        case .timedOut: SyncError(.timeout, description)
        default: SyncError(.connectionLost, description)
        }
    }
}
