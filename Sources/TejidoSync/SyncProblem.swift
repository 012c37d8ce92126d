import TejidoCore
import TejidoStore

/// What exactly went wrong in a session, as this side found it. A `SyncError` made here carries
/// one, so that a user interface can say it in the user's language; the English `description`
/// is what goes to the peer and to logs. Errors a peer reports carry only its text.
public enum SyncProblem: Sendable, Equatable, CustomStringConvertible {
    // The link
    case streamEndedInFrame
    case peerClosedEarly
    case link(StreamError)
    case notTLS(StreamError)
    /// Something other than a Tejido server answered at a TCP address: not TLS at all, or a TLS
    /// server whose certificate proves no node key.
    case serverNotTLS
    case serverNotTejido(StreamError)
    case programNotFound(String)
    case handshakeTimedOut(seconds: Double)
    /// The link failed during the TLS handshake; OpenSSL's own reasons already say so.
    case handshake(StreamError)
    /// A changeset the peer sent that this store refuses.
    case refused(ChangesetDefect)
    /// The server turns a client away for want of a resource.
    case tooManyOpenFiles
    case noThread
    // Frames and messages
    case emptyFrame
    case frameTooLarge(bytes: Int, limit: Int)
    case emptyMessage
    case elementCount(type: UInt64, count: Int, expected: Int)
    case malformedEntry(String)
    case seqTooLarge
    case finalNotBoolean
    case emptyBatch
    case countOverBatch(String, UInt64)
    case unknownMessageType(UInt64)
    case format(FormatError)
    // The session
    case helloKeyMismatch
    case clientIsThisNode
    case peerIsThisNode
    case sessionAlreadyStarted
    case messageNotExpected(UInt64)
    case versionMismatch(peer: UInt64, ours: UInt64)
    case anotherNetwork
    case headsNotAsked
    case tooManyHeads(limit: Int)
    case ackWithoutBatch
    case ackCountMismatch(acked: Int, held: Int)
    case changesetsWhilePeerMayNotSend
    case changesetsAgainstDirection
    case changesetOfAnotherNetwork
    case doneWhilePeerMayNotSend
    case keyNotKnown(key: String, policy: String)
    /// A client turns the server away before its hello: it has no key pinned for the server, or
    /// another one than the server's certificate holds.
    case clientPinsNoKey
    case clientPinsAnotherKey

    public var description: String {
        switch self {
        case .streamEndedInFrame: "the stream ended inside a frame"
        case .peerClosedEarly: "the peer closed the connection before the session ended"
        case .link(let e): e.description
        case .notTLS(let e):
            "the program at the far end of the pipe ended, or answered with something other than TLS; its own messages, if any, are above. \(e.description)"
        case .serverNotTLS:
            "what answers at this address does not speak TLS: check that it is a Tejido server (tejido serve --listen) and that the port is right"
        case .serverNotTejido(let e):
            "what answers at this address speaks TLS but is not a Tejido server (\(e)): check the address and the port"
        case .programNotFound(let p): "cannot find the program \(p)"
        case .handshakeTimedOut(let s): "the TLS handshake took longer than \(Self.seconds(s)) s"
        case .handshake(.tls(let d)): d
        case .handshake(.certificate(let p)): "TLS handshake: \(p)"
        case .handshake(let e): "TLS handshake: \(e)"
        case .refused(let d): d.description
        case .tooManyOpenFiles: "too many open files to serve a session (ulimit -n)"
        case .noThread: "no thread could be started for this session"
        case .emptyFrame: "empty frame"
        case .frameTooLarge(let n, let limit): "a frame of \(n) bytes (the limit is \(limit))"
        case .emptyMessage: "empty message"
        case .elementCount(let type, let count, let expected): "message \(type) has \(count) elements, expected \(expected)"
        case .malformedEntry(let what): "\(what) entry"
        case .seqTooLarge: "a seq over 2^63-1"
        case .finalNotBoolean: "final is not a boolean"
        case .emptyBatch: "empty batch"
        case .countOverBatch(let what, let n): "\(what) \(n) is more than a batch holds"
        case .unknownMessageType(let t): "message type \(t)"
        case .format(let e): e.description
        case .helloKeyMismatch: "the hello names a key other than the certificate's"
        case .clientIsThisNode: "the client holds this store's own node key"
        case .peerIsThisNode: "the peer holds this store's own node key"
        case .sessionAlreadyStarted: "session already started"
        case .messageNotExpected(let t): "message type \(t) is not expected here"
        case .versionMismatch(let peer, let ours): "the peer speaks protocol version \(peer); this side speaks \(ours)"
        case .anotherNetwork: "the peer's store belongs to another network"
        case .headsNotAsked: "heads for a namespace whose digests agree, or sent twice"
        case .tooManyHeads(let limit): "more than \(limit) heads in one session"
        case .ackWithoutBatch: "an ack with no batch in flight"
        case .ackCountMismatch(let acked, let held): "an ack for \(acked) changesets; the batch held \(held)"
        case .changesetsWhilePeerMayNotSend: "changesets while the peer may not send"
        case .changesetsAgainstDirection: "changesets in a direction this session does not carry"
        case .changesetOfAnotherNetwork: "a changeset of another network"
        case .doneWhilePeerMayNotSend: "done while the peer may not send"
        case .keyNotKnown(let key, let policy): "this server does not know the key \(key) (policy: \(policy))"
        case .clientPinsNoKey: "the client has no key pinned for this server"
        case .clientPinsAnotherKey: "the client has another key pinned for this server"
        }
    }

    /// The problem a peer's error text describes, when it is one of the English texts above (a
    /// peer running this code sends `description`), so that it can be said in the user's language;
    /// nil for any other text, which is then shown as the peer wrote it.
    public init?(peerText text: String) {
        if let known = Self.fixedTexts[text] {
            self = known
            return
        }
        // "this server does not know the key KEY (policy: POLICY)"
        let prefix = "this server does not know the key ", middle = " (policy: "
        guard text.hasPrefix(prefix), text.hasSuffix(")"), let m = text.range(of: middle) else { return nil }
        let key = text[text.index(text.startIndex, offsetBy: prefix.count)..<m.lowerBound]
        let policy = text[m.upperBound..<text.index(before: text.endIndex)]
        guard !key.isEmpty, !key.contains(" "), ["any", "known", "peers"].contains(String(policy)) else { return nil }
        self = .keyNotKnown(key: String(key), policy: String(policy))
    }

    /// The problems whose text takes no value, by that text.
    private static let fixedTexts: [String: SyncProblem] = Dictionary(
        [
            .streamEndedInFrame, .peerClosedEarly, .tooManyOpenFiles, .noThread, .emptyFrame, .emptyMessage, .seqTooLarge,
            .finalNotBoolean, .emptyBatch, .helloKeyMismatch, .clientIsThisNode, .peerIsThisNode, .sessionAlreadyStarted,
            .anotherNetwork, .headsNotAsked, .ackWithoutBatch, .changesetsWhilePeerMayNotSend, .changesetsAgainstDirection,
            .changesetOfAnotherNetwork, .doneWhilePeerMayNotSend, .clientPinsNoKey, .clientPinsAnotherKey,
        ].map { ($0.description, $0) }, uniquingKeysWith: { first, _ in first })

    /// Seconds as a user wrote them: `30`, not `30.0`.
    public static func seconds(_ s: Double) -> String {
        s == s.rounded() && abs(s) < 1e15 ? String(Int64(s)) : String(s)
    }
}
