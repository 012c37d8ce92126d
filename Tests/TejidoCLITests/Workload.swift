import Foundation
import TejidoTestSupport

/// Import input in the shared benchmark's JSON Lines format (`shared/bench/gen_workload.py`).
enum Workload {
    /// The shared generator: `shared/bench/gen_workload.py` in this file's folder or an ancestor of it
    /// (the repository's sibling `shared/` in CI).
    static func generatorScript(from file: String = #filePath) -> URL? {
        var dir = URL(fileURLWithPath: file).deletingLastPathComponent()
        while true {
            let candidate = dir.appendingPathComponent("shared/bench/gen_workload.py")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }

    /// Writes a workload to `url`: with the shared generator when it is there and python3 runs it,
    /// else with `lines(ops:replicas:seed:)`.
    static func write(ops: Int, replicas: Int, seed: UInt64, to url: URL) throws {
        if let script = generatorScript() {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["python3", script.path, "--ops", String(ops), "--replicas", String(replicas), "--seed", String(seed), "-o", url.path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            if (try? p.run()) != nil {
                p.waitUntilExit()
                if p.terminationStatus == 0 { return }
            }
        }
        try Data(lines(ops: ops, replicas: replicas, seed: seed).utf8).write(to: url)
    }

    static let replicaNames = ["chiapas", "guerrero", "oaxaca", "michoacan", "chihuahua"]

    /// Lines like the shared generator's: 50 ops per (replica, txn), transactions interleaved
    /// round-robin, mostly `set` with some `inc`, `add`, `remove` and `delete`.
    static func lines(ops: Int, replicas: Int, seed: UInt64, opsPerTxn: Int = 50) -> String {
        var rng = SplitMix(seed: seed)
        let names = Array(replicaNames.prefix(replicas))
        let perReplica = ops / max(replicas, 1)
        let fields = ["events": ["title", "date", "place", "status"], "petitions": ["title", "body", "status"], "members": ["name", "role", "phone"]]
        let tags = ["agua", "tierra", "salud", "escuela", "milpa", "radio", "maiz"]
        var streams: [[String]] = []
        for r in names {
            var added: [String: [String]] = [:]
            var out: [String] = []
            for i in 0..<perReplica {
                let txn = i / opsPerTxn
                let roll = Int(rng.next() % 1000)
                let coll = roll >= 800 && roll < 890 ? "petitions" : ["events", "petitions", "members"][Int(rng.next() % 3)]
                let rid = "\(coll.prefix(3))-\(r.prefix(3))\(rng.next() % 40)"
                let key = coll + "/" + rid
                func line(_ op: String, _ field: String, _ value: String) -> String {
                    "{\"replica\":\"\(r)\",\"txn\":\(txn),\"op\":\"\(op)\",\"collection\":\"\(coll)\",\"id\":\"\(rid)\",\"field\":\"\(field)\",\"value\":\(value)}"
                }
                switch roll {
                case 0..<800:
                    let f = fields[coll]![Int(rng.next() % UInt64(fields[coll]!.count))]
                    out.append(line("set", f, "\"v\(rng.next() % 100_000)\""))
                case 800..<890: out.append(line("inc", "signatures", String(1 + rng.next() % 5)))
                case 890..<990:
                    if let t = added[key]?.popLast() {
                        out.append(line("remove", "tags", "\"\(t)\""))
                    } else {
                        let t = tags[Int(rng.next() % UInt64(tags.count))]
                        added[key, default: []].append(t)
                        out.append(line("add", "tags", "\"\(t)\""))
                    }
                default:
                    added[key] = nil
                    out.append(line("delete", "_deleted", "1"))
                }
            }
            streams.append(out)
        }
        var text = ""
        let txns = (perReplica + opsPerTxn - 1) / opsPerTxn
        for t in 0..<txns {
            for s in streams {
                for l in s[min(t * opsPerTxn, s.count)..<min((t + 1) * opsPerTxn, s.count)] { text += l + "\n" }
            }
        }
        return text
    }

    /// A seeded generator, so a seed gives the same lines every time.
    typealias SplitMix = SeededRandom
}
