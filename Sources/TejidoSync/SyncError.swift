import TejidoStore

/// Why a sync session ended early. `code` is what goes on the wire in an error message.
public struct SyncError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: UInt64, Sendable {
        case unsupportedVersion = 1
        case wrongNetwork = 2
        case malformedFrame = 3
        case unknownMessage = 4
        case frameTooLarge = 5
        case unexpectedMessage = 6
        case invalidChangeset = 7
        case peerNotAllowed = 8
        case timeout = 9
        case storeFailure = 10
        case shuttingDown = 11
        case connectionLost = 12
        case wrongPeerKey = 13
        case peerKeyNotPinned = 14
        case sameNode = 15
        case cannotConnect = 16
        case serverBusy = 17
        case other = 99

        /// Stable name, used in `--json` output and the catalog.
        public var name: String {
            switch self {
            case .unsupportedVersion: "unsupported_version"
            case .wrongNetwork: "wrong_network"
            case .malformedFrame: "malformed_frame"
            case .unknownMessage: "unknown_message"
            case .frameTooLarge: "frame_too_large"
            case .unexpectedMessage: "unexpected_message"
            case .invalidChangeset: "invalid_changeset"
            case .peerNotAllowed: "peer_not_allowed"
            case .timeout: "timeout"
            case .storeFailure: "store_failure"
            case .shuttingDown: "shutting_down"
            case .connectionLost: "connection_lost"
            case .wrongPeerKey: "wrong_peer_key"
            case .peerKeyNotPinned: "peer_key_not_pinned"
            case .sameNode: "same_node"
            case .cannotConnect: "cannot_connect"
            case .serverBusy: "server_busy"
            case .other: "other"
            }
        }
    }

    public let code: Code
    public let detail: String
    /// True when the peer reported the error (it arrived in an error message).
    public let fromPeer: Bool
    /// This store's own failure behind a `storeFailure`, for a message the user can act on (a full
    /// disk, say). It stays here: the peer is told only `peerDetail`.
    public let storeError: StoreError?

    /// What this side found wrong, typed (nil for a peer's report, whose text is all there is).
    public let problem: SyncProblem?

    public init(_ code: Code, _ detail: String, fromPeer: Bool = false, storeError: StoreError? = nil) {
        self.code = code
        self.detail = detail
        self.fromPeer = fromPeer
        self.storeError = storeError
        self.problem = nil
    }

    /// An error this side found; its detail is the problem's English.
    public init(_ code: Code, _ problem: SyncProblem) {
        self.code = code
        self.detail = problem.description
        self.fromPeer = false
        self.storeError = nil
        self.problem = problem
    }

    /// True when this side's own store failed (not the peer's): writing to it again after the
    /// session (what the peer holds) would fail or wait as long, so it is not tried.
    public var isOwnStoreFailure: Bool { code == .storeFailure && !fromPeer }

    /// A failure of this store (`storeFailure`), its detail made from the error.
    public static func store(_ error: any Error) -> SyncError {
        SyncError(.storeFailure, "\(error)", storeError: StoreError.of(error))
    }

    /// The text sent to the peer in an error message. A failure of this store's own stays here:
    /// its detail names local files and states that are nothing to the peer.
    public var peerDetail: String { code == .storeFailure && !fromPeer ? Self.peerStoreFailed : detail }

    /// What a peer is told of this store's own failure.
    public static let peerStoreFailed = "the peer's store failed; it logs why"

    public var description: String { (fromPeer ? "peer: " : "") + "\(code.name): \(detail)" }
}

extension Result where Failure == SyncError {
    /// The session ended because this side's own store failed (see `SyncError.isOwnStoreFailure`).
    public var ownStoreFailed: Bool {
        if case .failure(let e) = self { return e.isOwnStoreFailure }
        return false
    }
}
