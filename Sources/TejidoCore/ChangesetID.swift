import TejidoCrypto

/// A changeset's id: SHA-256 of its body bytes.
public struct ChangesetID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    public init?(hex: String) {
        guard let b = Hex.decode(hex), b.count == 32 else { return nil }
        self.bytes = b
    }

    public static func of(body: ArraySlice<UInt8>) -> ChangesetID { ChangesetID(unchecked: SHA256.hash(body)) }

    public static func < (a: ChangesetID, b: ChangesetID) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    /// The 32 bytes in one call: an array of bytes hashes them one at a time, and ids are hashed
    /// for every changeset a sync, an import or `verify` goes through.
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }
}

/// One op of one changeset: (changeset id, op index). Identifies the add that a set remove observed.
public struct OpRef: Hashable, Comparable, Sendable {
    public let changeset: ChangesetID
    public let index: UInt64

    public init(changeset: ChangesetID, index: UInt64) {
        self.changeset = changeset
        self.index = index
    }

    public static func < (a: OpRef, b: OpRef) -> Bool {
        a.changeset != b.changeset ? a.changeset < b.changeset : a.index < b.index
    }
}
