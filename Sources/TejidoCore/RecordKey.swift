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

    /// 1 to 64 ASCII letters, digits, `_` or `-`, starting with a letter.
    public static func isValidName(_ s: String) -> Bool {
        let u = s.utf8
        guard let first = u.first, u.count <= FormatLimits.maxNameBytes, isLetter(first) else { return false }
        return u.allSatisfy { isLetter($0) || ($0 >= 48 && $0 <= 57) || $0 == 95 || $0 == 45 }
    }

    public static func isValidField(_ s: String) -> Bool { isValidName(s) && !reservedFields.contains(s) }

    /// 1 to 256 bytes of UTF-8 without control characters.
    public static func isValidRecordID(_ s: String) -> Bool {
        let u = s.utf8
        return !u.isEmpty && u.count <= FormatLimits.maxRecordIDBytes && !u.contains { $0 < 32 || $0 == 127 }
    }

    private static func isLetter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }
}
