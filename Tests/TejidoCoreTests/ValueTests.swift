import Testing
@testable import TejidoCore

/// Values are checked inside a body: a `set` op of notes/a field `title` holding the raw value.
@Suite("Value")
struct ValueTests {
    static func body(value: [UInt8]) -> [UInt8] { BodyEntries.valid(ops: [BodyEntries.setOp(value: value)]).bytes }

    @Test("Every value kind decodes", arguments: [
        ("f6", Value.null), ("f4", .bool(false)), ("f5", .bool(true)), ("00", .int(0)), ("3b7fffffffffffffff", .int(.min)),
        ("1b7fffffffffffffff", .int(.max)), ("f93e00", .float(1.5)), ("fb3ff199999999999a", .float(1.1)),
        ("f97c00", .float(.infinity)), ("60", .text("")), ("63e6b0b4", .text("\u{6c34}")), ("40", .bytes([])),
        ("42beef", .bytes([0xbe, 0xef])),
    ])
    func decodes(_ bytes: String, _ value: Value) throws {
        let body = try ChangesetBody.decode(Self.body(value: hex(bytes)))
        #expect(body.ops == [.set(RecordKey(collection: "notes", id: "a"), field: "title", value: value)])
        #expect(value.cborBytes == hex(bytes))
    }

    static let rejections: [RejectionCase] = [
        RejectionCase("non-preferred float: double that fits in half", body(value: hex("fb3ff8000000000000")), .nonShortestEncoding),
        RejectionCase("non-preferred float: single that fits in half", body(value: hex("fa3fc00000")), .nonShortestEncoding),
        RejectionCase("non-preferred float: double that fits in single", body(value: hex("fb40f86a0000000000")), .nonShortestEncoding),
        RejectionCase("NaN (half)", body(value: hex("f97e00")), .nanFloat),
        RejectionCase("NaN (double)", body(value: hex("fb7ff8000000000000")), .nanFloat),
        RejectionCase("reserved simple value 0xf7", body(value: hex("f7")), .reservedSimpleValue),
        RejectionCase("reserved simple value 0xf8 0x20", body(value: hex("f820")), .reservedSimpleValue),
        RejectionCase("invalid UTF-8 text", body(value: hex("62c328")), .invalidUTF8),
        RejectionCase("tag (major 6)", body(value: hex("c11a5f5e1000")), .wrongType("value")),
        RejectionCase("array value", body(value: hex("8100")), .wrongType("value")),
        RejectionCase("map value", body(value: hex("a0")), .wrongType("value")),
        RejectionCase("integer above Int64.max", body(value: hex("1b8000000000000000")), .integerOutOfRange),
        RejectionCase("integer below Int64.min", body(value: hex("3b8000000000000000")), .integerOutOfRange),
        RejectionCase("non-shortest integer value", body(value: hex("1817")), .nonShortestEncoding),
        RejectionCase("non-shortest text length", body(value: hex("780161")), .nonShortestEncoding),
        RejectionCase("indefinite text (0x7f)", body(value: hex("7f6161ff")), .indefiniteLength),
        RejectionCase("indefinite bytes (0x5f)", body(value: hex("5f4101ff")), .indefiniteLength),
    ]

    @Test("Malformed values are rejected with their own error", arguments: rejections)
    func rejects(_ c: RejectionCase) {
        #expect(throws: c.error) { try ChangesetBody.decode(c.bytes) }
    }
}
