import TejidoCore

/// Why a changeset is refused, made here or received: the detail of `StoreError.invalidChangeset`.
/// Typed, so that a user interface can say it in its own language; `description` is the English.
public enum ChangesetDefect: Equatable, Sendable, CustomStringConvertible {
    /// The bytes break the format (`protocol/changeset.md`).
    case format(FormatError)
    case badSignature
    /// Envelope `index` (from 1) of a peer's batch, and why it was refused.
    case inBatch(index: Int, Store.InvalidEnvelope)
    case messageLength(max: Int)
    case tooManyOps(max: Int)
    case tooManyOpsOrDeps(maxOps: Int, maxDeps: Int)
    case tooLarge(bytes: Int, limit: Int)
    case signingFailed
    /// This node's own changeset did not apply (a defect of this code, not of the input).
    case notApplied(String)

    public var description: String {
        switch self {
        case .format(let e): e.description
        case .badSignature: "signature does not verify"
        case .inBatch(let i, let reason): "changeset \(i) of the batch: \(reason)"
        case .messageLength(let max): "message must be 1 to \(max) bytes"
        case .tooManyOps(let max): "more than \(max) ops in one changeset"
        case .tooManyOpsOrDeps(let ops, let deps): "more than \(ops) ops or \(deps) deps in one changeset"
        case .tooLarge(let bytes, let limit): "changeset of \(bytes) bytes is over the \(limit)-byte limit"
        case .signingFailed: "signing failed"
        case .notApplied(let outcome): "local changeset not applied: \(outcome)"
        }
    }
}
