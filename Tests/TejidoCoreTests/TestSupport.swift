import Testing
import TejidoTestSupport
@testable import TejidoCore

/// Bytes from a hex literal written in a test (spaces allowed); a typo traps loudly.
func hex(_ text: String) -> [UInt8] {
    let chars = Array(text.utf8.filter { $0 != UInt8(ascii: " ") })
    precondition(chars.count % 2 == 0, "odd-length hex literal")
    return stride(from: 0, to: chars.count, by: 2).map {
        UInt8(String(decoding: chars[$0..<($0 + 2)], as: UTF8.self), radix: 16)!
    }
}

func hexString(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }

/// CBOR bytes written by hand with the writer.
func cbor(_ build: (inout CBORWriter) -> Void) -> [UInt8] {
    var w = CBORWriter()
    build(&w)
    return w.bytes
}

/// A small seeded generator so random round trips are reproducible.
typealias SeededGenerator = SeededRandom

/// A body as an ordered list of (key, encoded value) entries, so tests can break one rule at a time.
struct BodyEntries {
    var entries: [(key: UInt64, value: [UInt8])]
    /// The map header's count; nil means the number of entries.
    var declaredCount: Int?

    static let network = [UInt8](repeating: 0x11, count: 32)
    static let namespace = [UInt8](repeating: 0x22, count: 32)
    static let author = [UInt8](repeating: 0x33, count: 32)
    static let prevID = [UInt8](repeating: 0x44, count: 32)
    static let hlcValue: UInt64 = 0x0001_2345_6789_0001

    /// `[1, "notes", "a"]`: a delete of notes/a.
    static let deleteOp = cbor { w in w.arrayHeader(3); w.unsigned(1); w.text("notes"); w.text("a") }

    /// A `set` op of notes/a field `title` with the given raw value bytes.
    static func setOp(value: [UInt8], collection: String = "notes", id: String = "a", field: String = "title") -> [UInt8] {
        cbor { w in w.arrayHeader(5); w.unsigned(0); w.text(collection); w.text(id); w.text(field); w.raw(value) }
    }

    static func ops(_ ops: [[UInt8]]) -> [UInt8] {
        cbor { w in w.arrayHeader(ops.count); for op in ops { w.raw(op) } }
    }

    /// A valid body: seq 1 without prev, no deps, one delete op, no message.
    static func valid(seq: UInt64 = 1, ops: [[UInt8]] = [deleteOp]) -> BodyEntries {
        var e: [(key: UInt64, value: [UInt8])] = [
            (0, cbor { $0.unsigned(1) }),
            (1, cbor { $0.byteString(network) }),
            (2, cbor { $0.byteString(namespace) }),
            (3, cbor { $0.byteString(author) }),
            (4, cbor { $0.unsigned(seq) }),
        ]
        if seq > 1 { e.append((5, cbor { $0.byteString(prevID) })) }
        e += [
            (6, cbor { $0.arrayHeader(0) }),
            (7, cbor { $0.unsigned(hlcValue) }),
            (8, Self.ops(ops)),
        ]
        return BodyEntries(entries: e)
    }

    /// The same body as a value, for comparing with decoded results.
    static func validBody(seq: UInt64 = 1) -> ChangesetBody {
        ChangesetBody(
            network: network, namespace: namespace, author: author, seq: seq,
            prev: seq > 1 ? ChangesetID(bytes: prevID)! : nil, deps: [], hlc: HLC(rawValue: hlcValue),
            ops: [.delete(RecordKey(collection: "notes", id: "a"))])
    }

    func replacing(_ key: UInt64, with value: [UInt8]) -> BodyEntries {
        var copy = self
        copy.entries = entries.map { $0.key == key ? (key, value) : $0 }
        return copy
    }

    func removing(_ key: UInt64) -> BodyEntries {
        var copy = self
        copy.entries.removeAll { $0.key == key }
        return copy
    }

    func adding(_ key: UInt64, _ value: [UInt8]) -> BodyEntries {
        var copy = self
        copy.entries.append((key, value))
        copy.entries.sort { $0.key < $1.key }
        return copy
    }

    var bytes: [UInt8] {
        cbor { w in
            w.mapHeader(declaredCount ?? entries.count)
            for e in entries { w.unsigned(e.key); w.raw(e.value) }
        }
    }
}

/// One malformed input and the exact error it must be rejected with.
struct RejectionCase: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let error: FormatError
    var testDescription: String { name }
    init(_ name: String, _ bytes: [UInt8], _ error: FormatError) {
        self.name = name
        self.bytes = bytes
        self.error = error
    }
}

/// Random valid bodies covering every op kind and value kind.
struct BodyGenerator {
    var rng: SeededGenerator

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func bool() -> Bool { Bool.random(using: &rng) }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) } }

    static let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    static let nameChars = letters + Array("0123456789_-")
    static let idChars = Array("abcXYZ019 _-/.:é日本🙂\u{7ff}\u{10ffff}")

    mutating func name() -> String {
        var s = String(Self.letters[int(0...(Self.letters.count - 1))])
        for _ in 0..<int(0...15) { s.append(Self.nameChars[int(0...(Self.nameChars.count - 1))]) }
        return s
    }

    mutating func field() -> String {
        while true {
            let f = name()
            if !Names.reservedFields.contains(f) { return f }
        }
    }

    mutating func recordID() -> String {
        String((0..<int(1...20)).map { _ in Self.idChars[int(0...(Self.idChars.count - 1))] })
    }

    mutating func record() -> RecordKey { RecordKey(collection: name(), id: recordID()) }

    static let specialFloats: [Double] = [
        0.0, -0.0, 1.0, 1.5, -4.0, 100000.0, 1.1, -4.1, 65504.0, 65505.0, .infinity, -.infinity,
        5.960464477539063e-8, 0.00006103515625, 1.0e300, 3.4028234663852886e38,
        Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude, Double(Float.leastNonzeroMagnitude),
        Double(Float.greatestFiniteMagnitude),
    ]

    static let specialInts: [Int64] = [
        0, 1, 23, 24, 255, 256, 65535, 65536, 4_294_967_295, 4_294_967_296, .max, .min, -1, -24, -25, -256, -257,
    ]

    mutating func double() -> Double {
        switch int(0...3) {
        case 0: return Self.specialFloats[int(0...(Self.specialFloats.count - 1))]
        case 1: return Double(Float16(bitPattern: UInt16.random(in: 0...0x7bff, using: &rng))) * (bool() ? 1 : -1)
        case 2:
            let f = Float(bitPattern: UInt32.random(in: 0...0x7f7f_ffff, using: &rng))
            return Double(f) * (bool() ? 1 : -1)
        default:
            while true {
                let d = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng))
                if !d.isNaN { return d }
            }
        }
    }

    mutating func int64() -> Int64 {
        bool() ? Self.specialInts[int(0...(Self.specialInts.count - 1))] : Int64.random(in: .min ... .max, using: &rng)
    }

    mutating func value() -> Value {
        switch int(0...5) {
        case 0: return .null
        case 1: return .bool(bool())
        case 2: return .int(int64())
        case 3: return .float(double())
        case 4: return .text(bool() ? "" : recordID())
        default: return .bytes(bytes(int(0...40)))
        }
    }

    mutating func changesetID() -> ChangesetID { ChangesetID(bytes: bytes(32))! }

    mutating func op() -> Op {
        switch int(0...6) {
        case 0: return .set(record(), field: field(), value: value())
        case 1: return .delete(record())
        case 2: return .counterAdd(record(), field: field(), delta: int64())
        case 3: return .setAdd(record(), field: field(), element: value())
        case 4:
            var refs = Set<OpRef>()
            for _ in 0..<int(0...4) { refs.insert(OpRef(changeset: changesetID(), index: UInt64(int(0...1000)))) }
            return .setRemove(record(), field: field(), element: value(), observed: refs.sorted())
        case 5: return .grant(key: bytes(32), role: Role.allCases[int(0...2)])
        default: return .name(name())
        }
    }

    mutating func body() -> ChangesetBody {
        let seq: UInt64 = bool() ? 1 : UInt64.random(in: 2...UInt64(Int64.max), using: &rng)
        return ChangesetBody(
            network: bytes(32), namespace: bytes(32), author: bytes(32), seq: seq,
            prev: seq > 1 ? changesetID() : nil, deps: (0..<int(0...4)).map { _ in changesetID() },
            hlc: HLC(rawValue: UInt64.random(in: 0...UInt64.max, using: &rng)), ops: (0..<int(1...8)).map { _ in op() },
            message: bool() ? nil : recordID())
    }
}
