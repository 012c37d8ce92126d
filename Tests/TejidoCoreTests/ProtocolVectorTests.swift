import Foundation
import Testing
import TejidoCore
import TejidoCrypto

/// `protocol/vectors.json`: changesets from fixed keys, clocks and ops, covering every op and value
/// kind. Ed25519 signing is deterministic, so the file is reproducible; this test fails if the code
/// and the committed file disagree. `TEJIDO_WRITE_VECTORS=1 swift test --filter ProtocolVectorTests`
/// rewrites it.
@Suite struct ProtocolVectorTests {
    static var file: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("protocol/vectors.json")
    }

    @Test func committedVectorsMatchTheImplementation() throws {
        let text = try Self.generate()
        if ProcessInfo.processInfo.environment["TEJIDO_WRITE_VECTORS"] != nil {
            try text.write(to: Self.file, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: Self.file, encoding: .utf8)
        #expect(committed == text, "protocol/vectors.json is stale: rerun with TEJIDO_WRITE_VECTORS=1")
    }

    @Test func everyVectorParsesAndVerifies() throws {
        let json = try JSONValue.parse(String(contentsOf: Self.file, encoding: .utf8))
        guard case .array(let vectors)? = json["vectors"] else { Issue.record("no vectors"); return }
        #expect(vectors.count >= 10)
        for v in vectors {
            guard case .string(let hex)? = v["envelope"], case .string(let id)? = v["id"], let bytes = Hex.decode(hex) else {
                Issue.record("malformed vector"); continue
            }
            let env = try ChangesetEnvelope(bytes: bytes)
            #expect(env.id.hex == id)
            #expect(env.hasValidSignature)
            #expect(env.body.encoded() == Array(env.bodyBytes))
        }
    }

    static func generate() throws -> String {
        let network = SHA256.hash(Array("tejido protocol vectors".utf8))
        let root = try Ed25519PrivateKey(seed: [UInt8](repeating: 1, count: 32))
        let a = try Ed25519PrivateKey(seed: [UInt8](repeating: 2, count: 32))
        let b = try Ed25519PrivateKey(seed: [UInt8](repeating: 3, count: 32))
        let ms: UInt64 = 1_764_150_000_000
        var heads: [[UInt8]: ChangesetEnvelope] = [:]
        var vectors: [JSONValue] = []
        let rec = RecordKey(collection: "events", id: "eve-chi000459")

        func make(_ name: String, _ description: String, by key: Ed25519PrivateKey, at offset: UInt64, deps: [ChangesetEnvelope], ops: [Op],
                  message: String? = nil) throws -> ChangesetEnvelope {
            let last = heads[key.publicKey.bytes]
            let body = ChangesetBody(
                network: network, namespace: root.publicKey.bytes, author: key.publicKey.bytes, seq: (last?.body.seq ?? 0) + 1,
                prev: last?.id, deps: deps.map(\.id), hlc: HLC(milliseconds: ms + offset, counter: 0), ops: ops, message: message)
            let env = try ChangesetEnvelope.sign(body, with: key)
            heads[key.publicKey.bytes] = env
            vectors.append(.object([
                ("name", .string(name)), ("description", .string(description)), ("envelope", .string(Hex.encode(env.bytes))),
                ("id", .string(env.id.hex)), ("decoded", decoded(env.body)),
            ]))
            return env
        }

        let genesis = try make("genesis", "The root's first changeset: names the namespace and makes A an admin.", by: root, at: 0, deps: [],
                               ops: [.name("chiapas"), .grant(key: a.publicKey.bytes, role: .admin)])
        let a1 = try make("set-text", "A sets a text field; seq 1 has no prev; deps name the root's head.", by: a, at: 10, deps: [genesis],
                          ops: [.set(rec, field: "title", value: .text("Asamblea regional"))], message: "primer registro")
        let a2 = try make("value-kinds", "Every value kind: int, negative int, bool, null, bytes, and floats in half, single and double width.",
                          by: a, at: 20, deps: [], ops: [
                            .set(rec, field: "capacity", value: .int(120)), .set(rec, field: "balance", value: .int(-35)),
                            .set(rec, field: "confirmed", value: .bool(true)), .set(rec, field: "notes", value: .null),
                            .set(rec, field: "photo", value: .bytes([0xde, 0xad, 0xbe, 0xef])), .set(rec, field: "ratio", value: .float(1.5)),
                            .set(rec, field: "area", value: .float(100000.0)), .set(rec, field: "lat", value: .float(16.737)),
                          ])
        let root2 = try make("grant-writer", "The root grants B the writer role; its seq 2 names seq 1 as prev.", by: root, at: 30, deps: [a2],
                             ops: [.grant(key: b.publicKey.bytes, role: .writer)])
        let pet = RecordKey(collection: "petitions", id: "pet-s000012")
        let b1 = try make("counter", "B adds to a counter twice in one changeset, one negative delta.", by: b, at: 40, deps: [root2, a2],
                          ops: [.counterAdd(pet, field: "signatures", delta: 5), .counterAdd(pet, field: "signatures", delta: -2)])
        let a3 = try make("set-add", "A adds two elements to a set field.", by: a, at: 50, deps: [b1],
                          ops: [.setAdd(rec, field: "tags", element: .text("agua")), .setAdd(rec, field: "tags", element: .text("milpa"))])
        let b2 = try make("set-remove", "B removes an element, naming the add it observed (changeset id, op index).", by: b, at: 60, deps: [a3],
                          ops: [.setRemove(rec, field: "tags", element: .text("agua"), observed: [OpRef(changeset: a3.id, index: 0)])])
        let a4 = try make("delete", "A deletes the record; older writes are hidden.", by: a, at: 70, deps: [b2], ops: [.delete(rec)])
        let a5 = try make("revive", "A writes after the delete: the record shows again with only this write.", by: a, at: 80, deps: [],
                          ops: [.set(rec, field: "status", value: .text("open"))])
        let b3 = try make("unicode", "Text and record ids in UTF-8, and a changeset with two deps.", by: b, at: 90, deps: [a5, root2],
                          ops: [.set(RecordKey(collection: "members", id: "mem-oax-ñ01"), field: "community", value: .text("San Cristóbal de las Casas"))],
                          message: "actualización de la comunidad")
        _ = try make("extremes", "Int64 extremes and a remove that observed nothing (it covers only earlier adds of this changeset).",
                     by: a, at: 100, deps: [b3], ops: [
                        .set(pet, field: "max", value: .int(Int64.max)), .set(pet, field: "min", value: .int(Int64.min)),
                        .setAdd(pet, field: "tags", element: .text("urgente")),
                        .setRemove(pet, field: "tags", element: .text("urgente"), observed: []),
                     ])
        _ = try make("rename", "The root renames the namespace; the name with the highest stamp wins.", by: root, at: 110, deps: [b3],
                     ops: [.name("chiapas-norte")])
        _ = a1
        _ = a4
        var out = "{\"format\":1,\"vectors\":[\n"
        out += vectors.map(\.serialized).joined(separator: ",\n")
        out += "\n]}\n"
        return out
    }

    static func decoded(_ body: ChangesetBody) -> JSONValue {
        .object([
            ("version", .int(1)), ("network", .string(Hex.encode(body.network))), ("namespace", .string(Hex.encode(body.namespace))),
            ("author", .string(Hex.encode(body.author))), ("seq", .int(Int64(body.seq))), ("prev", body.prev.map { .string($0.hex) } ?? .null),
            ("deps", .array(body.deps.map { .string($0.hex) })), ("hlc", .int(Int64(body.hlc.rawValue))),
            ("message", body.message.map(JSONValue.string) ?? .null), ("ops", .array(body.ops.map(op))),
        ])
    }

    static func value(_ v: Value) -> JSONValue { v.json }

    static func op(_ op: Op) -> JSONValue {
        let code = JSONValue.int(Int64(op.code.rawValue))
        switch op {
        case .set(let r, let f, let v): return .array([code, .string(r.collection), .string(r.id), .string(f), value(v)])
        case .delete(let r): return .array([code, .string(r.collection), .string(r.id)])
        case .counterAdd(let r, let f, let d): return .array([code, .string(r.collection), .string(r.id), .string(f), .int(d)])
        case .setAdd(let r, let f, let v): return .array([code, .string(r.collection), .string(r.id), .string(f), value(v)])
        case .setRemove(let r, let f, let v, let observed):
            return .array([code, .string(r.collection), .string(r.id), .string(f), value(v),
                           .array(observed.sorted().map { .array([.object([("hex", .string($0.changeset.hex))]), .int(Int64($0.index))]) })])
        case .grant(let k, let role): return .array([code, .object([("hex", .string(Hex.encode(k)))]), .int(Int64(role.rawValue))])
        case .name(let n): return .array([code, .string(n)])
        case .revoke(let k, let after): return .array([code, .object([("hex", .string(Hex.encode(k)))]), .int(Int64(after))])
        case .visibility(let p): return .array([code, .int(p ? 1 : 0)])
        }
    }
}

extension JSONValue {
    var serialized: String { serialized() }
}
