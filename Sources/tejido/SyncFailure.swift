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
        case .wrongPeerKey, .peerKeyNotPinned, .sameNode, .other: .reasonOther
        }
    }
}

extension SyncError {
    /// The detail to show after the catalog's reason, or "-" when it only repeats it.
    /// The detail as the text output shows it: it may come from the peer (its error message), so
    /// control characters are escaped and it cannot fake a line of this tool's output.
    var shownDetail: String { detail.isEmpty || detail == code.reason.text.en ? "-" : Rendering.visible(detail) }

    /// The detail in the user's language where this store's own failure is behind it (a full
    /// disk, say), else `shownDetail`.
    func shownDetail(_ console: Console) -> String {
        if fromPeer && detail == SyncError.peerStoreFailed { return console.t(.detailPeerStoreFailed) }
        guard let storeError else { return shownDetail }
        let (m, args) = Console.message(for: storeError)
        return console.t(m, args)
    }

    /// The JSON fields of a failed session: the wire's code, the detail, and for this store's own
    /// failure its catalog code (`disk_full`, ...) and message.
    func jsonFields(_ console: Console) -> [(String, JSONValue)] {
        var fields: [(String, JSONValue)] = [("error", .string(code.name)), ("message", .string(detail))]
        if let storeError {
            let (m, args) = Console.message(for: storeError)
            fields = [("error", .string(code.name)), ("message", .string(console.t(m, args))), ("store_error", .string(m.errorCode))]
        }
        return fields
    }
}
