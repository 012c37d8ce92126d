import TejidoCore
import TejidoSync

/// The catalog message for why a session ended.
extension SyncError.Code {
    var reason: Msg {
        switch self {
        case .unsupportedVersion: .reasonUnsupportedVersion
        case .wrongNetwork: .reasonWrongNetwork
        case .malformedFrame: .reasonMalformed
        case .unknownMessage: .reasonUnknownMessage
        case .frameTooLarge: .reasonTooLarge
        case .unexpectedMessage: .reasonUnexpected
        case .invalidChangeset: .reasonInvalidChangeset
        case .peerNotAllowed: .reasonPeerNotAllowed
        case .timeout: .reasonTimeout
        case .storeFailure: .reasonStore
        case .shuttingDown: .reasonShuttingDown
        case .connectionLost: .reasonConnectionLost
        case .cannotConnect: .reasonCannotConnect
        case .serverBusy: .reasonServerBusy
        case .wrongPeerKey, .peerKeyNotPinned, .sameNode, .other: .reasonOther
        }
    }
}

extension SyncError {
    /// The detail to show after the catalog's reason, or "-" when it adds nothing. This store's own
    /// failure (a full disk, say) and a peer's report of its own are said in the user's language;
    /// anything else may come from the peer, so its control characters are escaped and it cannot
    /// fake a line of this tool's output.
    func shownDetail(_ console: Console) -> String {
        if fromPeer && detail == SyncError.peerStoreFailed { return console.t(.detailPeerStoreFailed) }
        if let storeError { return console.t(storeError) }
        if let problem { return DetailText.text(problem, console) }
        if detail.isEmpty || detail == code.reason.text.en { return "-" }
        // A peer running this code sends its own English texts: those are said in the user's language.
        if fromPeer, let known = SyncProblem(peerText: detail) { return DetailText.text(known, console) }
        return Rendering.visible(detail)
    }

    /// The JSON fields of a failed session: the wire's code and the detail, in the user's language
    /// when this side found it (a peer's own text stays as the peer wrote it); for this store's
    /// own failure also its catalog code (`disk_full`, ...).
    func jsonFields(_ console: Console) -> [(String, JSONValue)] {
        guard let storeError else {
            // A detail that only repeats the code's reason is the reason, in the user's language.
            let known = problem ?? (fromPeer ? SyncProblem(peerText: detail) : nil)
            let message = known.map { DetailText.text($0, console) }
                ?? (detail.isEmpty || detail == code.reason.text.en ? console.t(code.reason) : detail)
            return [("error", .string(code.name)), ("message", .string(message))]
        }
        return [("error", .string(code.name)), ("message", .string(console.t(storeError))),
                ("store_error", .string(Console.message(for: storeError).0.errorCode))]
    }
}
