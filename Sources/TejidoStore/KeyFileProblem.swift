/// What is wrong with a key file (a node key, a root key, a root export): the detail of
/// `StoreError.keyFile`. Typed, so that a user interface can say it in its own language;
/// `description` is the English.
public enum KeyFileProblem: Equatable, Sendable, CustomStringConvertible {
    case missingOrUnreadable
    case notHex
    case cannotCreate
    case cannotWrite
    case cannotRename
    case sealingFailed
    /// What the system said (a file's write failed).
    case system(String)

    public var description: String {
        switch self {
        case .missingOrUnreadable: "missing or unreadable"
        case .notHex: "not 64 hex digits"
        case .cannotCreate: "cannot create"
        case .cannotWrite: "cannot write"
        case .cannotRename: "cannot rename"
        case .sealingFailed: "sealing failed"
        case .system(let text): text
        }
    }
}
