import Testing
@testable import TejidoCore

@Suite("Op")
struct OpTests {
    static let rec = RecordKey(collection: "notes", id: "a")

    @Test("Each op kind round trips inside a body", arguments: [
        Op.set(rec, field: "title", value: .text("hi")),
        .delete(rec),
        .counterAdd(rec, field: "likes", delta: -5),
        .setAdd(rec, field: "tags", element: .text("red")),
        .setRemove(rec, field: "tags", element: .text("red"), observed: [
            OpRef(changeset: ChangesetID(bytes: [UInt8](repeating: 1, count: 32))!, index: 0),
            OpRef(changeset: ChangesetID(bytes: [UInt8](repeating: 1, count: 32))!, index: 2),
            OpRef(changeset: ChangesetID(bytes: [UInt8](repeating: 2, count: 32))!, index: 0),
        ]),
        .grant(key: [UInt8](repeating: 9, count: 32), role: .writer),
        .name("Team"),
    ])
    func roundTrip(_ op: Op) throws {
        var body = BodyEntries.validBody()
        body.ops = [op]
        #expect(try ChangesetBody.decode(body.encoded()).ops == [op])
    }

    @Test("Known op encodings")
    func knownEncodings() {
        var w = CBORWriter()
        Op.delete(Self.rec).encode(into: &w)
        #expect(hexString(w.bytes) == "8301656e6f7465736161")
        w = CBORWriter()
        Op.name("T").encode(into: &w)
        #expect(hexString(w.bytes) == "820661" + "54")
        w = CBORWriter()
        Op.grant(key: [UInt8](repeating: 0, count: 32), role: .admin).encode(into: &w)
        #expect(hexString(w.bytes) == "83055820" + String(repeating: "00", count: 32) + "03")
    }

    static func body(op: [UInt8]) -> [UInt8] { BodyEntries.valid(ops: [op]).bytes }
    static let id32 = [UInt8](repeating: 7, count: 32)

    static let rejections: [RejectionCase] = [
        RejectionCase("op code 9", body(op: cbor { $0.arrayHeader(2); $0.unsigned(9); $0.text("x") }), .badValue("op code")),
        RejectionCase("visibility 2", body(op: cbor { $0.arrayHeader(2); $0.unsigned(8); $0.unsigned(2) }), .badValue("visibility")),
        RejectionCase("op code as text", body(op: cbor { $0.arrayHeader(2); $0.text("set"); $0.text("x") }), .wrongType("op code")),
        RejectionCase("op not an array", body(op: cbor { $0.unsigned(1) }), .wrongType("op")),
        RejectionCase("op of one element", body(op: cbor { $0.arrayHeader(1); $0.unsigned(1) }), .badValue("op length")),
        RejectionCase("op of seven elements", body(op: cbor { $0.arrayHeader(7) } + [UInt8](repeating: 0, count: 7)), .tooLarge("op")),
        RejectionCase("delete with a field", body(op: cbor { w in
            w.arrayHeader(4); w.unsigned(1); w.text("notes"); w.text("a"); w.text("title") }), .badValue("op length")),
        RejectionCase("collection starting with a digit", body(op: cbor { w in
            w.arrayHeader(3); w.unsigned(1); w.text("1notes"); w.text("a") }), .badValue("collection name")),
        RejectionCase("empty collection", body(op: cbor { w in
            w.arrayHeader(3); w.unsigned(1); w.text(""); w.text("a") }), .badValue("collection name")),
        RejectionCase("collection with a space", body(op: cbor { w in
            w.arrayHeader(3); w.unsigned(1); w.text("my notes"); w.text("a") }), .badValue("collection name")),
        RejectionCase("collection over 64 bytes", body(op: cbor { w in
            w.arrayHeader(3); w.unsigned(1); w.text(String(repeating: "n", count: 65)); w.text("a") }), .tooLarge("collection")),
        RejectionCase("empty record id", body(op: cbor { w in
            w.arrayHeader(3); w.unsigned(1); w.text("notes"); w.text("") }), .badValue("record id")),
        RejectionCase("record id with a control character", body(op: cbor { w in
            w.arrayHeader(3); w.unsigned(1); w.text("notes"); w.text("a\nb") }), .badValue("record id")),
        RejectionCase("record id with DEL", body(op: cbor { w in
            w.arrayHeader(3); w.unsigned(1); w.text("notes"); w.text("a\u{7f}") }), .badValue("record id")),
        RejectionCase("reserved field id", body(op: BodyEntries.setOp(value: [0xf6], field: "id")), .badValue("field name")),
        RejectionCase("reserved field namespace", body(op: BodyEntries.setOp(value: [0xf6], field: "namespace")),
            .badValue("field name")),
        RejectionCase("field with a dot", body(op: BodyEntries.setOp(value: [0xf6], field: "a.b")), .badValue("field name")),
        RejectionCase("counter delta as float", body(op: cbor { w in
            w.arrayHeader(5); w.unsigned(2); w.text("notes"); w.text("a"); w.text("n"); w.float(1.5) }), .wrongType("counter delta")),
        RejectionCase("counter delta out of range", body(op: cbor { w in
            w.arrayHeader(5); w.unsigned(2); w.text("notes"); w.text("a"); w.text("n"); w.unsigned(1 << 63) }), .integerOutOfRange),
        RejectionCase("observed adds unsorted", body(op: cbor { w in
            w.arrayHeader(6); w.unsigned(4); w.text("notes"); w.text("a"); w.text("t"); w.null()
            w.arrayHeader(2)
            w.arrayHeader(2); w.byteString(id32); w.unsigned(2)
            w.arrayHeader(2); w.byteString(id32); w.unsigned(1) }), .badValue("observed adds order")),
        RejectionCase("observed adds duplicate", body(op: cbor { w in
            w.arrayHeader(6); w.unsigned(4); w.text("notes"); w.text("a"); w.text("t"); w.null()
            w.arrayHeader(2)
            w.arrayHeader(2); w.byteString(id32); w.unsigned(1)
            w.arrayHeader(2); w.byteString(id32); w.unsigned(1) }), .badValue("observed adds order")),
        RejectionCase("observed add of one element", body(op: cbor { w in
            w.arrayHeader(6); w.unsigned(4); w.text("notes"); w.text("a"); w.text("t"); w.null()
            w.arrayHeader(1); w.arrayHeader(1); w.byteString(id32) }), .badValue("observed add")),
        RejectionCase("grant key of 31 bytes", body(op: cbor { w in
            w.arrayHeader(3); w.unsigned(5); w.byteString([UInt8](repeating: 1, count: 31)); w.unsigned(1) }),
            .badValue("grant key length")),
        RejectionCase("grant role 0", body(op: cbor { w in
            w.arrayHeader(3); w.unsigned(5); w.byteString(id32); w.unsigned(0) }), .badValue("role")),
        RejectionCase("grant role 4", body(op: cbor { w in
            w.arrayHeader(3); w.unsigned(5); w.byteString(id32); w.unsigned(4) }), .badValue("role")),
        RejectionCase("bad namespace name", body(op: cbor { w in
            w.arrayHeader(2); w.unsigned(6); w.text("_team") }), .badValue("namespace name")),
    ]

    @Test("Malformed ops are rejected with their own error", arguments: rejections)
    func rejects(_ c: RejectionCase) {
        #expect(throws: c.error) { try ChangesetBody.decode(c.bytes) }
    }
}

@Suite("Names")
struct NamesTests {
    @Test("Valid and invalid names")
    func names() {
        #expect(Names.isValidName("a"))
        #expect(Names.isValidName("Notes_2-x"))
        #expect(Names.isValidName(String(repeating: "a", count: 64)))
        #expect(!Names.isValidName(String(repeating: "a", count: 65)))
        #expect(!Names.isValidName(""))
        #expect(!Names.isValidName("_a"))
        #expect(!Names.isValidName("é"))
        #expect(Names.isValidField("title"))
        #expect(!Names.isValidField("id"))
        #expect(!Names.isValidField("namespace"))
        #expect(Names.isValidRecordID("日本 /x"))
        #expect(!Names.isValidRecordID(String(repeating: "a", count: 257)))
        #expect(Names.isValidRecordID(String(repeating: "a", count: 256)))
    }
}
