import Testing
@testable import TejidoCore

@Suite("ChangesetBody")
struct ChangesetBodyTests {
    @Test("The hand-built fixture is exactly what the encoder writes")
    func fixtureMatchesEncoder() throws {
        for seq: UInt64 in [1, 2] {
            let bytes = BodyEntries.valid(seq: seq).bytes
            #expect(BodyEntries.validBody(seq: seq).encoded() == bytes)
            #expect(try ChangesetBody.decode(bytes) == BodyEntries.validBody(seq: seq))
        }
    }

    @Test("Random bodies round trip to equal values and identical bytes", arguments: [1, 2, 3, 4] as [UInt64])
    func randomRoundTrip(_ seed: UInt64) throws {
        var gen = BodyGenerator(seed: seed)
        var kinds = Set<Op.Code>()
        for i in 0..<250 {
            let body = gen.body()
            for op in body.ops { kinds.insert(op.code) }
            let bytes = body.encoded()
            let decoded = try ChangesetBody.decode(bytes)
            #expect(decoded == body, "seed \(seed) iteration \(i)")
            #expect(decoded.encoded() == bytes, "seed \(seed) iteration \(i)")
        }
        #expect(kinds.count == 7)
    }

    @Test("A body encoded around ops encoded apart is byte for byte the same", arguments: [5, 6] as [UInt64])
    func opsEncodedApart(_ seed: UInt64) {
        var gen = BodyGenerator(seed: seed)
        for i in 0..<250 {
            let body = gen.body()
            #expect(body.encoded(opsEncoding: ChangesetBody.encode(ops: body.ops)) == body.encoded(), "seed \(seed) iteration \(i)")
        }
    }

    @Test("Messages, deps and a body inside a larger buffer")
    func fullBody() throws {
        let a = ChangesetID(bytes: [UInt8](repeating: 0xaa, count: 32))!
        let b = ChangesetID(bytes: [UInt8](repeating: 0x0b, count: 32))!
        let body = ChangesetBody(
            network: BodyEntries.network, namespace: BodyEntries.namespace, author: BodyEntries.author, seq: 7,
            prev: a, deps: [a, b, a], hlc: HLC(milliseconds: 1_700_000_000_123, counter: 3),
            ops: [.name("Team-notes_1")], message: "first ✓")
        #expect(body.deps == [b, a])  // sorted and deduplicated by init
        let bytes = body.encoded()
        let framed = [0xff, 0xff] + bytes + [0xff]
        #expect(try ChangesetBody.decode(framed, range: 2..<(2 + bytes.count)) == body)
    }

    static var rejections: [RejectionCase] {
        let v = BodyEntries.valid()
        let v2 = BodyEntries.valid(seq: 2)
        let id = { (b: UInt8) in cbor { $0.byteString([UInt8](repeating: b, count: 32)) } }
        var cases: [RejectionCase] = [
            RejectionCase("not a map", cbor { $0.arrayHeader(0) }, .wrongType("body")),
            RejectionCase("empty input", [], .truncated),
            RejectionCase("non-shortest map count", [0xb8, 0x08] + Array(v.bytes.dropFirst()), .nonShortestEncoding),
            RejectionCase("indefinite map (0xbf)", [0xbf] + Array(v.bytes.dropFirst()) + [0xff], .indefiniteLength),
            RejectionCase("more than 10 entries", cbor { $0.mapHeader(11) } + [UInt8](repeating: 0, count: 22), .tooLarge("body")),
            RejectionCase("non-shortest seq (1 as 0x18 0x01)", v.replacing(4, with: [0x18, 0x01]).bytes, .nonShortestEncoding),
            RejectionCase("non-shortest hlc (8 bytes for a 4-byte value)",
                v.replacing(7, with: hex("1b00000000ffffffff")).bytes, .nonShortestEncoding),
            RejectionCase("non-shortest key (0 as 0x18 0x00)",
                [v.bytes[0], 0x18, 0x00] + Array(v.bytes.dropFirst(2)), .nonShortestEncoding),
            RejectionCase("non-shortest byte string length (0x59 0x0020)",
                v.replacing(1, with: [0x59, 0x00, 0x20] + BodyEntries.network).bytes, .nonShortestEncoding),
            RejectionCase("indefinite byte string (0x5f)",
                v.replacing(1, with: [0x5f, 0x58, 0x20] + BodyEntries.network + [0xff]).bytes, .indefiniteLength),
            RejectionCase("indefinite array (0x9f) for deps", v.replacing(6, with: [0x9f, 0xff]).bytes, .indefiniteLength),
            RejectionCase("unsorted keys (2 before 1)", BodyEntries(entries: [v.entries[0], v.entries[2], v.entries[1]] + v.entries[3...]).bytes,
                .unsortedOrDuplicateKey),
            RejectionCase("duplicate key 1", BodyEntries(entries: [v.entries[0], v.entries[1], v.entries[1]] + v.entries[2...]).bytes,
                .unsortedOrDuplicateKey),
            RejectionCase("unknown key 10", v.adding(10, cbor { $0.unsigned(0) }).bytes, .unknownKey(10)),
            RejectionCase("text key", cbor { $0.mapHeader(1); $0.text("v"); $0.unsigned(1) }, .wrongType("body key")),
            RejectionCase("negative key", cbor { $0.mapHeader(1); $0.int(-1); $0.unsigned(1) }, .wrongType("body key")),
            RejectionCase("tagged key (major 6)", cbor { $0.mapHeader(1); $0.raw([0xc1, 0x00]); $0.unsigned(1) }, .wrongType("body key")),
            RejectionCase("version 2", v.replacing(0, with: cbor { $0.unsigned(2) }).bytes, .unsupportedVersion(2)),
            RejectionCase("version 0", v.replacing(0, with: cbor { $0.unsigned(0) }).bytes, .unsupportedVersion(0)),
            RejectionCase("version as text", v.replacing(0, with: cbor { $0.text("1") }).bytes, .wrongType("format version")),
            RejectionCase("network as text", v.replacing(1, with: cbor { $0.text("net") }).bytes, .wrongType("network id")),
            RejectionCase("network of 31 bytes", v.replacing(1, with: cbor { $0.byteString([UInt8](repeating: 1, count: 31)) }).bytes,
                .badValue("network id length")),
            RejectionCase("network of 33 bytes", v.replacing(1, with: cbor { $0.byteString([UInt8](repeating: 1, count: 33)) }).bytes,
                .tooLarge("network id")),
            RejectionCase("namespace as array", v.replacing(2, with: cbor { $0.arrayHeader(0) }).bytes, .wrongType("namespace id")),
            RejectionCase("author as int", v.replacing(3, with: cbor { $0.unsigned(3) }).bytes, .wrongType("author key")),
            RejectionCase("seq negative", v.replacing(4, with: cbor { $0.int(-1) }).bytes, .wrongType("seq")),
            RejectionCase("seq 0", v.replacing(4, with: cbor { $0.unsigned(0) }).bytes, .badValue("seq")),
            RejectionCase("prev present at seq 1", v.adding(5, id(0x44)).bytes, .badValue("prev present at seq 1")),
            RejectionCase("prev absent at seq 2", v2.removing(5).bytes, .missingKey(5)),
            RejectionCase("prev of 31 bytes", v2.replacing(5, with: cbor { $0.byteString([UInt8](repeating: 1, count: 31)) }).bytes,
                .badValue("prev length")),
            RejectionCase("deps as map", v.replacing(6, with: cbor { $0.mapHeader(0) }).bytes, .wrongType("deps")),
            RejectionCase("deps unsorted", v.replacing(6, with: cbor { $0.arrayHeader(2) } + id(0x02) + id(0x01)).bytes,
                .badValue("deps order")),
            RejectionCase("deps duplicate", v.replacing(6, with: cbor { $0.arrayHeader(2) } + id(0x01) + id(0x01)).bytes,
                .badValue("deps order")),
            RejectionCase("dep as text", v.replacing(6, with: cbor { $0.arrayHeader(1); $0.text("x") }).bytes, .wrongType("dep")),
            RejectionCase("too many deps", v.replacing(6, with: cbor { $0.arrayHeader(FormatLimits.maxDeps + 1) }).bytes,
                .tooLarge("deps")),
            RejectionCase("hlc as float", v.replacing(7, with: cbor { $0.float(1.5) }).bytes, .wrongType("hlc")),
            RejectionCase("ops as bytes", v.replacing(8, with: cbor { $0.byteString([1]) }).bytes, .wrongType("ops")),
            RejectionCase("empty ops", v.replacing(8, with: cbor { $0.arrayHeader(0) }).bytes, .badValue("ops (empty)")),
            RejectionCase("too many ops", v.replacing(8, with: cbor { $0.arrayHeader(FormatLimits.maxOps + 1) }).bytes,
                .tooLarge("ops")),
            RejectionCase("empty message", v.adding(9, cbor { $0.text("") }).bytes, .badValue("message (empty)")),
            RejectionCase("message as bytes", v.adding(9, cbor { $0.byteString([0x61]) }).bytes, .wrongType("message")),
            RejectionCase("message over 4096 bytes", v.adding(9, cbor { $0.text(String(repeating: "m", count: 4097)) }).bytes,
                .tooLarge("message")),
            RejectionCase("message invalid UTF-8", v.adding(9, [0x62, 0xc3, 0x28]).bytes, .invalidUTF8),
            RejectionCase("trailing byte after body", v.bytes + [0x00], .trailingBytes),
            RejectionCase("map count larger than entries", BodyEntries(entries: v.entries, declaredCount: 10).bytes, .truncated),
        ]
        for key: UInt64 in [0, 1, 2, 3, 4, 6, 7, 8] {
            cases.append(RejectionCase("missing key \(key)", v.removing(key).bytes, .missingKey(key)))
        }
        return cases
    }

    @Test("Each broken rule is rejected with its own error", arguments: rejections)
    func rejects(_ c: RejectionCase) {
        #expect(throws: c.error) { try ChangesetBody.decode(c.bytes) }
    }

    @Test("A message of exactly 4096 bytes is accepted")
    func messageAtLimit() throws {
        let bytes = BodyEntries.valid().adding(9, cbor { $0.text(String(repeating: "m", count: 4096)) }).bytes
        #expect(try ChangesetBody.decode(bytes).message?.utf8.count == 4096)
    }

    @Test("A body key above Int64.max is an error, not a crash")
    func hugeKey() {
        // Key order is checked before the key is looked up: a key past Int64.max must not trap.
        let bytes = cbor { $0.mapHeader(1); $0.unsigned(UInt64.max); $0.unsigned(0) }
        #expect(throws: FormatError.unknownKey(UInt64.max)) { try ChangesetBody.decode(bytes) }
        let after = BodyEntries.valid().adding(1 << 63, cbor { $0.unsigned(0) }).bytes
        #expect(throws: FormatError.unknownKey(1 << 63)) { try ChangesetBody.decode(after) }
    }

    @Test("Every truncation of a body is rejected")
    func truncatedBody() throws {
        var gen = BodyGenerator(seed: 99)
        let bytes = gen.body().encoded()
        for n in 0..<bytes.count {
            #expect(throws: FormatError.self, "prefix \(n)") { try ChangesetBody.decode(Array(bytes.prefix(n))) }
        }
    }
}
