import TejidoCore

/// What is wrong with one line of an import (or with the txn it closes): each case a message of
/// its own in the command line's catalog; `description` is the English text.
public enum ImportDefect: Equatable, Sendable, CustomStringConvertible {
    /// The JSON parser's own account of the syntax error.
    case notJSON(JSONValue.ParseError)
    case notAnObject
    case duplicateKey(String)
    case invalidUTF8
    case missingReplica
    case missingTxn
    case badOp
    case badCollection
    case badID
    case badField
    case badValue
    case incNeedsInteger
    case tooManyOps(txn: Int64, max: Int)
    case txnTooLarge(txn: Int64)
    case lineTooLong(max: Int)
    /// The txn made a changeset the format refuses (only removes grow past their lines).
    case changesetTooLarge(txn: Int64, detail: ChangesetDefect)

    public var description: String {
        switch self {
        case .notJSON(let d): "not JSON: \(d)"
        case .notAnObject: "not a JSON object"
        case .duplicateKey(let k): "key \"\(k)\" appears twice"
        case .invalidUTF8: "invalid UTF-8"
        case .missingReplica: "\"replica\" is missing or is not text"
        case .missingTxn: "\"txn\" is missing or is not a whole number that fits in 64 bits"
        case .badOp: "\"op\" must be set, inc, add, remove or delete"
        case .badCollection: "\"collection\" must be a name (letters, digits, _ or -, starting with a letter)"
        case .badID: "\"id\" must be 1 to 256 bytes of text, with no control characters"
        case .badField: "\"field\" must be a name other than id and namespace"
        case .badValue: "missing or non-scalar \"value\""
        case .incNeedsInteger: "inc needs a whole-number value that fits in 64 bits"
        case .tooManyOps(let txn, let max): "txn \(txn) has more than \(max) ops (one changeset's limit)"
        case .txnTooLarge(let txn): "txn \(txn) is too large for one changeset (1 MiB)"
        case .lineTooLong(let max): "line longer than \(max) bytes"
        case .changesetTooLarge(let txn, let d): "txn \(txn): \(d) (its removes name every add they observed); split the txn"
        }
    }
}
