/// What a key may do in a namespace. Ordered: reader < writer < admin.
public enum Role: UInt64, Comparable, Sendable, CaseIterable {
    case reader = 1
    case writer = 2
    case admin = 3

    public static func < (a: Role, b: Role) -> Bool { a.rawValue < b.rawValue }

    public var name: String {
        switch self {
        case .reader: "reader"
        case .writer: "writer"
        case .admin: "admin"
        }
    }

    public init?(name: String) {
        guard let r = Role.allCases.first(where: { $0.name == name }) else { return nil }
        self = r
    }
}
