import Dispatch
import Foundation
import TejidoCrypto
import TejidoSQLite

/// The machine's own limits, measured in the same run as the workload.
enum Limits {
    /// Upserts per second into a (record, field) -> value table through the same SQLite wrapper and
    /// settings as the store (WAL, synchronous=FULL), in transactions of `batch` rows, keys in random order.
    static func sqliteUpserts(directory: URL, count: Int, batch: Int, records: Int) throws -> Double {
        let path = directory.appendingPathComponent("raw.db").path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let db = try SQLiteConnection(path: path, mode: .create)
        try db.execute(
            """
            PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;
            CREATE TABLE kv(rec INTEGER NOT NULL, field TEXT NOT NULL, value, PRIMARY KEY(rec, field)) WITHOUT ROWID;
            """)
        let st = try db.prepare("INSERT INTO kv(rec, field, value) VALUES(?,?,?) ON CONFLICT(rec, field) DO UPDATE SET value=excluded.value")
        let fields = ["title", "date", "place", "status", "description", "organizer"]
        var rng = SplitMix(seed: 7)
        let value = String(repeating: "x", count: 40)
        let start = DispatchTime.now()
        var done = 0
        while done < count {
            try db.transaction {
                for _ in 0..<min(batch, count - done) {
                    st.bind(1, Int64(rng.next() % UInt64(records)))
                    st.bind(2, fields[Int(rng.next() % 6)])
                    st.bind(3, value)
                    try st.step()
                    st.reset()
                }
            }
            done += batch
        }
        return Double(count) / seconds(since: start)
    }

    /// Strict Ed25519 verifications per second through TejidoCrypto's reusable verifier (the one
    /// `verify` uses), on `threads` threads at once. With `distinct`, each thread goes through 1,024
    /// different signatures of messages shaped like a changeset's (the signing prefix and an id),
    /// as verify-all does; without, it checks one signature over and over (as `openssl speed` does),
    /// which the CPU's caches and branch predictors may favour.
    static func verifyRate(threads: Int, perThread: Int, distinct: Bool = true) throws -> Double {
        let key = try Ed25519PrivateKey()
        let pub = key.publicKey
        var rng = SplitMix(seed: 11)
        let prefix = Array("tejido/changeset/v1".utf8)
        let messages = (0..<(distinct ? 1_024 : 1)).map { _ in prefix + (0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
        let signatures = try messages.map { try key.signature(for: $0) }
        let start = DispatchTime.now()
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let verifier = Ed25519Verifier()
            for i in 0..<perThread {
                let k = (i + t * 97) % messages.count
                if !verifier.isValidSignature(signatures[k], for: messages[k], by: pub) { failures.bump() }
            }
        }
        let elapsed = seconds(since: start)
        precondition(failures.value == 0, "a valid signature failed to verify")
        return Double(threads * perThread) / elapsed
    }

    /// `openssl speed ed25519` verify/s on one core, if the openssl command is there.
    static func opensslSpeedVerify() -> Double? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["openssl", "speed", "-seconds", "2", "ed25519"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        // The summary line: " 253 bits EdDSA (Ed25519)   0.0001s   0.0002s  17000.0   6500.0"
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.contains("Ed25519)") {
            let numbers = line.split(separator: " ").compactMap { Double($0) }
            if numbers.count >= 2 { return numbers[numbers.count - 1] }
        }
        return nil
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}

/// A tiny deterministic generator (SplitMix64).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A thread-safe failure count.
///
/// `@unchecked Sendable`: the only state is guarded by the lock.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func bump() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
