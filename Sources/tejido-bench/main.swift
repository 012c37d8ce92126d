import Dispatch
import Foundation
import TejidoStore

// tejido-bench: the shared workload through the real store, with the machine's limits measured
// in the same run. Release mode: `swift run -c release tejido-bench [--ops N] [--runs R] [--out DIR]`.

var ops = 300_000
var runs = 3
var seed = 42
var outDir = URL(fileURLWithPath: "bench-out")
var workloadPath: String?
var phases: Set<String> = ["import", "sync", "revoke"]
var referencePython: String?
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--ops": ops = Int(args.popFirst() ?? "") ?? ops
    case "--runs": runs = max(1, Int(args.popFirst() ?? "") ?? runs)
    case "--seed": seed = Int(args.popFirst() ?? "") ?? seed
    case "--out": outDir = URL(fileURLWithPath: args.popFirst() ?? "bench-out")
    case "--workload": workloadPath = args.popFirst()
    case "--phase": phases = Set((args.popFirst() ?? "").split(separator: ",").map(String.init))
    case "--reference-python": referencePython = args.popFirst()
    default:
        print("usage: tejido-bench [--ops N] [--runs R] [--seed S] [--workload FILE] [--out DIR] [--phase import,sync,revoke] [--reference-python PYTHON]")
        exit(64)
    }
}
let reference = Reference.find(python: referencePython)
if reference == nil, let referencePython {
    // Asked for by name, it must be there; found by default, it is optional.
    FileHandle.standardError.write(Data("tejido-bench: --reference-python \(referencePython): not an executable, or scripts/bench/pycrdt_reference.py is not under the current directory\n".utf8))
    exit(64)
}
#if DEBUG
FileHandle.standardError.write(Data("warning: a debug build; figures mean nothing. Use swift run -c release tejido-bench\n".utf8))
#endif

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
func say(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
let scratch = outDir.appendingPathComponent("stores")
let workload = try workloadPath.map { URL(fileURLWithPath: $0) } ?? Workload.file(ops: ops, seed: seed, in: outDir)
let groups = ["chiapas", "guerrero", "oaxaca"]
let cores = ProcessInfo.processInfo.activeProcessorCount

// MARK: Limits of this machine
say("limits: raw SQLite upserts ...")
var sqliteRates: [Double] = []
for _ in 0..<runs {
    sqliteRates.append(try Limits.sqliteUpserts(directory: outDir, count: ops / 3, batch: 25_000, records: 9_000))
}
say("limits: Ed25519 verify ...")
// The budget's single-core rate: one signature checked over and over, as `openssl speed` does and
// as every earlier run of this benchmark did.
let verify1 = median((0..<runs).map { _ in (try? Limits.verifyRate(threads: 1, perThread: 3_000, distinct: false)) ?? 0 })
let verifyAll = median((0..<runs).map { _ in (try? Limits.verifyRate(threads: cores, perThread: 3_000, distinct: false)) ?? 0 })
// The same loop over 1,024 distinct signatures, as verify-all meets them, for comparison.
let verify1Distinct = median((0..<runs).map { _ in (try? Limits.verifyRate(threads: 1, perThread: 3_000)) ?? 0 })
let verifyAllDistinct = median((0..<runs).map { _ in (try? Limits.verifyRate(threads: cores, perThread: 3_000)) ?? 0 })
let opensslVerify = Limits.opensslSpeedVerify()
if reference == nil { say("reference: no Python with pycrdt (scripts/bench/setup-reference.sh makes one); pycrdt is not measured") }
// pycrdt in this run, one measurement per import run: the import is compared with its apply, the
// pull with its merge.
var referenceRuns: [Reference.Figures] = []
/// The import rate of each run that has a pycrdt figure, in the same order.
var pairedImportRates: [Double] = []

// MARK: Import: one store per group, each importing its own group's lines
var importRates: [Double] = []
var lines: [String] = []
var json: [String: Any] = ["ops": ops, "seed": seed, "runs": runs, "cores": cores]
if phases.contains("import") {
var concurrentRates: [Double] = []
var verifyRates: [Double] = []
// The single-core verify rate measured again right before each run's verify-all, so that the
// run's ratio compares figures taken under the same load of a shared machine.
var adjacentVerify1: [Double] = []
var lastChangesets = 0
for run in 0..<runs {
    try? FileManager.default.removeItem(at: scratch)
    var importSeconds = 0.0
    var totalOps = 0
    var stores: [URL] = []
    for group in groups {
        let dir = scratch.appendingPathComponent(group)
        let store = try Store.create(at: dir)
        try store.createNamespace(name: group)
        let start = DispatchTime.now()
        let summary = try store.importJSONLines(path: workload.path, options: ImportOptions(replica: group))
        importSeconds += Limits.seconds(since: start)
        totalOps += summary.ops
        stores.append(dir)
    }
    importRates.append(Double(totalOps) / importSeconds)
    if let reference {
        // A failed reference run is said and skipped: Tejido's own figures do not depend on it.
        do {
            referenceRuns.append(try reference.measure(workload: workload))
            pairedImportRates.append(importRates.last!)
        } catch {
            say("reference: \(error); this run has no pycrdt figure")
        }
    }
    // The same three imports at once, each in its own store: the machine's aggregate import rate.
    let concurrentDir = scratch.appendingPathComponent("concurrent")
    let errors = Counter()
    let startAll = DispatchTime.now()
    DispatchQueue.concurrentPerform(iterations: groups.count) { i in
        do {
            let store = try Store.create(at: concurrentDir.appendingPathComponent(groups[i]))
            try store.createNamespace(name: groups[i])
            _ = try store.importJSONLines(path: workload.path, options: ImportOptions(replica: groups[i]))
        } catch {
            errors.bump()
        }
    }
    guard errors.value == 0 else { throw BenchError("a concurrent import failed") }
    concurrentRates.append(Double(totalOps) / Limits.seconds(since: startAll))
    try? FileManager.default.removeItem(at: concurrentDir)
    // MARK: Verify-all: every store re-checked from its envelopes
    adjacentVerify1.append((try? Limits.verifyRate(threads: 1, perThread: 1_500, distinct: false)) ?? 0)
    var verifySeconds = 0.0
    var changesets = 0
    for dir in stores {
        let store = try Store.open(at: dir)
        let start = DispatchTime.now()
        let report = try store.verify()
        verifySeconds += Limits.seconds(since: start)
        guard report.ok else { throw BenchError("verify failed on \(dir.path): \(report.problems.prefix(3))") }
        changesets += report.checked
    }
    lastChangesets = changesets
    verifyRates.append(Double(changesets) / verifySeconds)
    let pycrdtNote = referenceRuns.last.map { ", pycrdt apply \(Int($0.applyOpsPerSecond)) and merge \(Int($0.mergeOpsPerSecond)) ops/s" } ?? ""
    say("run \(run + 1)/\(runs): import \(Int(importRates.last!)) ops/s\(pycrdtNote) (3 at once: \(Int(concurrentRates.last!))), verify \(Int(verifyRates.last!)) changesets/s (single-core verify just before: \(Int(adjacentVerify1.last!))/s)")
}
try? FileManager.default.removeItem(at: scratch)

let importOps = median(importRates)
let concurrentOps = median(concurrentRates)
let verifyRate = median(verifyRates)
let sqliteRate = median(sqliteRates)
let verifyBudget = 0.8 * Double(cores) * verify1
let adjacentRatios = zip(verifyRates, adjacentVerify1).map { $0 / (Double(cores) * $1) }
let adjacentRatio = median(adjacentRatios)
// Each run's import against the pycrdt apply measured right after it, under the same load.
let pycrdtRatios = zip(pairedImportRates, referenceRuns).map { $0 / $1.applyOpsPerSecond }
let pycrdtApply = referenceRuns.isEmpty ? nil : median(referenceRuns.map(\.applyOpsPerSecond))
let pycrdtRow = pycrdtApply.map { apply in
    let ratio = median(pycrdtRatios)
    return "| import against pycrdt applying the same ops in memory in this run (median of the runs' ratios) | \(Int(importOps)) | pycrdt apply \(Int(apply)) ops/s (runs \(referenceRuns.map { String(Int($0.applyOpsPerSecond)) }.joined(separator: ", "))) | \(String(format: "%.2f", ratio)) | >= 1.00 | \(ratio >= 1 ? "yes" : "no") |"
} ?? "| import against pycrdt applying the same ops in memory in this run | \(Int(importOps)) | not measured: no Python with pycrdt (scripts/bench/setup-reference.sh) | | >= 1.00 | |"
lines += [
    "Tejido benchmark: \(ops) ops, seed \(seed), 3 groups, \(runs) runs (medians), \(cores) cores",
    "",
    "| measure | value | limit measured in this run | ratio | budget | holds |",
    "|---|---:|---:|---:|---:|---|",
    "| import, one store at a time (signed, durable), ops/s | \(Int(importOps)) | raw SQLite upserts \(Int(sqliteRate))/s | \(String(format: "%.2f", importOps / sqliteRate)) | >= 175,000 | \(importOps >= 175_000 ? "yes" : "no") |",
    pycrdtRow,
    "| import, the three stores at once, ops/s (aggregate) | \(Int(concurrentOps)) | raw SQLite upserts \(Int(sqliteRate))/s | \(String(format: "%.2f", concurrentOps / sqliteRate)) | >= 175,000 | \(concurrentOps >= 175_000 ? "yes" : "no") |",
    "| verify-all, changesets/s | \(Int(verifyRate)) | \(cores) x single-core verify \(Int(verify1))/s = \(Int(Double(cores) * verify1)) | \(String(format: "%.2f", verifyRate / (Double(cores) * verify1))) | >= 0.80 | \(verifyRate >= verifyBudget ? "yes" : "no") |",
    "| verify-all, each run against the single-core rate measured just before it (median of the runs' ratios) | \(Int(verifyRate)) | \(cores) x \(adjacentVerify1.map { String(Int($0)) }.joined(separator: ", "))/s | \(String(format: "%.2f", adjacentRatio)) | >= 0.80 | \(adjacentRatio >= 0.8 ? "yes" : "no") |",
    "| verify-all, against 1,024 distinct signatures checked in a loop on one core | \(Int(verifyRate)) | \(cores) x \(Int(verify1Distinct))/s = \(Int(Double(cores) * verify1Distinct)) | \(String(format: "%.2f", verifyRate / (Double(cores) * verify1Distinct))) | | |",
    "| verify-all, against the verify loop run on all cores at once (one signature) | \(Int(verifyRate)) | \(Int(verifyAll))/s on \(cores) threads | \(String(format: "%.2f", verifyRate / verifyAll)) | | |",
    "",
    "Limits: Ed25519 strict verify through TejidoCrypto, one signature over and over: \(Int(verify1))/s on one core, \(Int(verifyAll))/s on \(cores) (\(String(format: "%.2f", verifyAll / verify1))x); 1,024 distinct signatures: \(Int(verify1Distinct))/s on one core, \(Int(verifyAllDistinct))/s on \(cores); `openssl speed ed25519` verify \(opensslVerify.map { String(Int($0)) } ?? "n/a")/s on one core.",
    "Changesets verified per run: \(lastChangesets). Runs: import \(importRates.map { String(Int($0)) }.joined(separator: ", ")) ops/s; three at once \(concurrentRates.map { String(Int($0)) }.joined(separator: ", ")) ops/s; verify \(verifyRates.map { String(Int($0)) }.joined(separator: ", ")) changesets/s.",
]
json.merge([
    "import_ops_per_s": importOps, "import_runs": importRates,
    "import_concurrent_ops_per_s": concurrentOps, "import_concurrent_runs": concurrentRates,
    "verify_changesets_per_s": verifyRate, "verify_runs": verifyRates,
    "verify_adjacent_single_core_per_s": adjacentVerify1, "verify_adjacent_ratios": adjacentRatios, "verify_adjacent_ratio": adjacentRatio,
    "sqlite_upserts_per_s": sqliteRate, "ed25519_verify_per_s_one_core": verify1, "ed25519_verify_per_s_all_cores": verifyAll,
    "ed25519_verify_per_s_one_core_distinct": verify1Distinct, "ed25519_verify_per_s_all_cores_distinct": verifyAllDistinct,
    "openssl_speed_verify_per_s": opensslVerify ?? NSNull(),
    "pycrdt_apply_runs": referenceRuns.map(\.applyOpsPerSecond), "pycrdt_merge_runs": referenceRuns.map(\.mergeOpsPerSecond),
    "import_over_pycrdt_apply_ratios": pycrdtRatios,
]) { a, _ in a }
}

// MARK: Sync
if phases.contains("sync") {
    let tejido = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("tejido").path
    guard FileManager.default.isExecutableFile(atPath: tejido) else { throw BenchError("build tejido first: \(tejido) is missing") }
    say("sync: stores already in sync ...")
    let inSync = try SyncBench.inSync(directory: outDir)
    var sizes = [ops]
    if ops >= 300_000 { sizes.insert(ops / 3, at: 0) }
    var coordinator: [Int: [SyncBench.Coordinator]] = [:]
    for size in sizes {
        let file = size == ops ? workload : try Workload.file(ops: size, seed: seed, in: outDir)
        for run in 0..<runs {
            let r = try SyncBench.coordinator(workload: file, directory: scratch, tejido: tejido)
            coordinator[size, default: []].append(r)
            say("sync run \(run + 1)/\(runs), \(size) ops: \(Int(Double(r.ops) / r.seconds)) ops/s, \(r.maxRSSKiB / 1024) MiB peak")
        }
        try? FileManager.default.removeItem(at: scratch)
    }
    let main = coordinator[ops]!
    let rate = median(main.map { Double($0.ops) / $0.seconds })
    let last = main.last!
    let overhead = Double(last.tlsBytes) / Double(max(1, last.envelopeBytes)) - 1
    let protocolOverhead = Double(last.protocolBytes) / Double(max(1, last.envelopeBytes)) - 1
    let rss = sizes.map { size in (size, median(coordinator[size]!.map { Double($0.maxRSSKiB) / 1024 })) }
    // What the pull costs the machine: if every core did nothing else and the work split evenly,
    // the wall time could not fall below the CPU seconds over the cores.
    let coordCPU = median(main.map(\.coordinatorCPU)), serversCPU = median(main.map(\.serversCPU))
    let cpuBound = Double(last.ops) / ((coordCPU + serversCPU) / Double(cores))
    // pycrdt's merge as measured in the import runs of this benchmark, if any; else the reference figures.
    let pycrdtMergeRate = referenceRuns.isEmpty ? nil : median(referenceRuns.map(\.mergeOpsPerSecond))
    let pycrdtMerge = pycrdtMergeRate.map {
        "pycrdt merge in memory in this run \(Int($0)) (412,424 on the reference machine); ratio \(String(format: "%.2f", rate / $0))"
    } ?? "pycrdt merge 412,424; loro 269,497 (in memory, on the reference machine)"
    if lines.isEmpty { lines.append("Tejido benchmark: \(ops) ops, seed \(seed), 3 groups, \(runs) runs (medians), \(cores) cores") }
    lines += [
        "",
        "| sync measure | value | limit or reference | budget | holds |",
        "|---|---:|---:|---:|---|",
        "| stores in sync (3 namespaces, \(inSync.feeds) feeds): round trips | \(inSync.roundTrips) | | <= 2 | \(inSync.roundTrips <= 2 ? "yes" : "no") |",
        "| stores in sync: protocol bytes out / in | \(inSync.protocolBytesOut) / \(inSync.protocolBytesIn) | TLS on the socket, handshake included: \(inSync.tlsBytesOut) / \(inSync.tlsBytesIn) | <= 2048 each way | \(max(inSync.protocolBytesOut, inSync.protocolBytesIn) <= 2048 ? "yes" : "no") (protocol) |",
        "| workload into a coordinator over TLS, ops/s (verification included) | \(Int(rate)) | \(pycrdtMerge) | >= 300,000 | \(rate >= 300_000 ? "yes" : "no") |",
        "| bytes on the wire over envelope bytes | +\(String(format: "%.2f", overhead * 100))% (TLS socket bytes) | protocol frames alone +\(String(format: "%.2f", protocolOverhead * 100))% | <= +5% | \(overhead <= 0.05 ? "yes" : "no") |",
        "| CPU seconds of the pull: coordinator process + the three servers | \(String(format: "%.2f + %.2f", coordCPU, serversCPU)) | at most \(Int(cpuBound)) ops/s with \(cores) cores doing nothing else | | |",
    ] + rss.map { "| coordinator peak RSS at \($0.0) ops, MiB | \(String(format: "%.1f", $0.1)) | | flat | |" }
    lines.append("Coordinator runs at \(ops) ops: \(main.map { "\(Int(Double($0.ops) / $0.seconds)) ops/s in \(String(format: "%.2f", $0.seconds)) s" }.joined(separator: "; ")); \(last.changesets) changesets, \(last.envelopeBytes) envelope bytes, \(last.tlsBytes) TLS bytes.")
    json.merge([
        "sync_in_sync_round_trips": inSync.roundTrips, "sync_in_sync_protocol_bytes": [inSync.protocolBytesOut, inSync.protocolBytesIn],
        "sync_in_sync_tls_bytes": [inSync.tlsBytesOut, inSync.tlsBytesIn],
        "sync_coordinator_ops_per_s": rate, "sync_coordinator_runs": main.map { Double($0.ops) / $0.seconds },
        "sync_coordinator_cpu_s": coordCPU, "sync_servers_cpu_s": serversCPU, "sync_cpu_bound_ops_per_s": cpuBound,
        "sync_wire_overhead": overhead, "sync_protocol_overhead": protocolOverhead,
        "sync_coordinator_peak_rss_mib": Dictionary(uniqueKeysWithValues: rss.map { (String($0.0), $0.1) }),
    ]) { a, _ in a }
}
// MARK: Revocation that takes back half of a group's history
if phases.contains("revoke") {
    var results: [RevokeBench.Result] = []
    for run in 0..<runs {
        let r = try RevokeBench.run(workload: workload, group: groups[0], directory: scratch.appendingPathComponent("revoke"))
        results.append(r)
        say("revoke run \(run + 1)/\(runs): \(r.cut) of \(r.changesets) changesets cut in \(String(format: "%.2f", r.seconds)) s")
    }
    try? FileManager.default.removeItem(at: scratch)
    let seconds = median(results.map(\.seconds))
    let r = results.last!
    let kept = r.changesets - r.cut
    if lines.isEmpty { lines.append("Tejido benchmark: \(ops) ops, seed \(seed), \(runs) runs (medians), \(cores) cores") }
    lines += [
        "",
        "Revocation of a key half-way through its feed, in a namespace of \(r.changesets) changesets (\(r.ops) ops): \(r.cut) cut, the namespace rebuilt from the \(kept) that still count in \(String(format: "%.2f", seconds)) s (median; runs \(results.map { String(format: "%.2f", $0.seconds) }.joined(separator: ", ")) s), \(Int(Double(kept) / seconds)) changesets/s re-applied.",
    ]
    json.merge([
        "revoke_seconds": seconds, "revoke_runs": results.map(\.seconds), "revoke_changesets": r.changesets, "revoke_cut": r.cut,
    ]) { a, _ in a }
}
print(lines.joined(separator: "\n"))
try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]).write(to: outDir.appendingPathComponent("results.json"))
