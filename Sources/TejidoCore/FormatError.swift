/// Why bytes are not a valid Tejido changeset. Each case names one rule of `protocol/changeset.md`.
public enum FormatError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated
    case trailingBytes
    case nonShortestEncoding
    case indefiniteLength
    case unsortedOrDuplicateKey
    case unknownKey(UInt64)
    case missingKey(UInt64)
    case wrongType(String)
    case tooLarge(String)
    case invalidUTF8
    case nanFloat
    case integerOutOfRange
    case badValue(String)
    case unsupportedVersion(UInt64)
    case reservedSimpleValue
    /// An item head with additional information 28, 29 or 30, which CBOR reserves.
    case reservedAdditionalInfo(UInt8)

    public var description: String {
        switch self {
        case .truncated: "input ends inside an item"
        case .trailingBytes: "bytes after the end of the item"
        case .nonShortestEncoding: "an integer, length or float not in its shortest form"
        case .indefiniteLength: "indefinite-length item"
        case .unsortedOrDuplicateKey: "map keys out of order or repeated"
        case .unknownKey(let k): "unknown body key \(k)"
        case .missingKey(let k): "missing body key \(k)"
        case .wrongType(let what): "wrong type for \(what)"
        case .tooLarge(let what): "\(what) over its size limit"
        case .invalidUTF8: "text that is not valid UTF-8"
        case .nanFloat: "NaN float"
        case .integerOutOfRange: "integer outside the 64-bit signed range"
        case .badValue(let what): "invalid \(what)"
        case .unsupportedVersion(let v): "format version \(v) is not supported"
        case .reservedSimpleValue: "simple value other than false, true or null"
        case .reservedAdditionalInfo(let info): "an item head with the reserved additional information \(info)"
        }
    }
}

/// Hard limits of format version 1.
public enum FormatLimits {
    /// Largest envelope accepted, in bytes.
    public static let maxEnvelopeBytes = 1 << 20
    public static let maxOps = 10_000
    public static let maxDeps = 1_024
    public static let maxObserved = 1_024
    public static let maxMessageBytes = 4_096
    public static let maxNameBytes = 64
    public static let maxRecordIDBytes = 256
}
