import TejidoCore

/// A record's current merged value.
public struct RecordState: Equatable, Sendable {
    public let namespace: String
    public let collection: String
    public let id: String
    /// Field name -> current value: registers as written, counters as `.int` sums, sets as sorted element arrays.
    public let fields: [String: FieldValue]

    public enum FieldValue: Equatable, Sendable {
        case value(Value)
        case counter(Int64)
        case set([Value])
    }
}

/// Who wrote one current value of a record.
public struct BlameEntry: Equatable, Sendable {
    public let field: String
    public let value: RecordState.FieldValue
    public let author: [UInt8]
    public let hlc: HLC
    public let changeset: ChangesetID
    /// Older writes of this register that lost to this one.
    public let superseded: Int
}

/// One line of `tejido log`.
public struct LogEntry: Sendable {
    public let id: ChangesetID
    public let namespace: String
    public let author: [UInt8]
    public let seq: UInt64
    public let hlc: HLC
    public let ops: Int
    public let message: String?
    public let state: String
    public let reason: String?
}
