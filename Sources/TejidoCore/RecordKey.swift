/// A record within a namespace: collection and id.
public struct RecordKey: Hashable, Sendable {
    public let collection: String
    public let id: String

    public init(collection: String, id: String) {
        self.collection = collection
        self.id = id
    }
}

/// Name rules shared by collections and fields.
public enum Names {
    /// Field names that would clash with the columns every query view has.
    public static let reservedFields: Set<String> = ["id", "namespace"]

    /// 1 to 64 ASCII letters, digits, `_` or `-`, starting with a letter, not starting with `sqlite_`.
    public static func isValidName(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { isValidName(bytes: $0) }
    }

    public static func isValidName(bytes u: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = u.first, u.count <= FormatLimits.maxNameBytes, isLetter(first) else { return false }
        for c in u where !(isLetter(c) || (c >= 48 && c <= 57) || c == 95 || c == 45) { return false }
        // SQLite reserves names starting with "sqlite_" (any case); a collection is a query view name.
        // (Runs once per op on every decode: compared in place, no array made.)
        if u.count >= 7 {
            for i in 0..<7 where u[i] | 0x20 != sqlitePrefix[i] && u[i] != sqlitePrefix[i] { return true }
            return false
        }
        return true
    }

    private static let sqlitePrefix: [UInt8] = Array("sqlite_".utf8)

    public static func isValidField(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { isValidField(bytes: $0) }
    }

    public static func isValidField(bytes u: UnsafeBufferPointer<UInt8>) -> Bool {
        guard isValidName(bytes: u) else { return false }
        // The reserved names ("id", "namespace"), compared without hashing: this runs once per op.
        if u.count == 2 && u[0] == UInt8(ascii: "i") && u[1] == UInt8(ascii: "d") { return false }
        if u.count == 9 && u.elementsEqual("namespace".utf8) { return false }
        return true
    }

    /// 1 to 256 bytes of UTF-8 without control characters.
    public static func isValidRecordID(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { isValidRecordID(bytes: $0) }
    }

    public static func isValidRecordID(bytes u: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !u.isEmpty, u.count <= FormatLimits.maxRecordIDBytes else { return false }
        for c in u where c < 32 || c == 127 { return false }
        return true
    }

    private static func isLetter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }
}
