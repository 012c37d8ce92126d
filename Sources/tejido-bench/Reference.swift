import Foundation

/// pycrdt on the same workload, run in the same benchmark run as Tejido's import: the import
/// budget is stated against it ("at least as fast as pycrdt applies the same workload in
/// memory"), and this machine's speed moves too much from hour to hour for a figure from
/// elsewhere to be the only yardstick. See scripts/bench/pycrdt_reference.py for the model.
struct Reference {
    let python: String
    let script: String

    struct Figures {
        let applyOpsPerSecond: Double
        let mergeOpsPerSecond: Double
        let updateBytes: Int
    }

    /// The Python given (`--reference-python`, else `TEJIDO_BENCH_PYTHON`, else `.bench-venv/bin/python`
    /// here), if it exists and the script is found; nil otherwise (the benchmark then says how to set it up).
    static func find(python given: String?) -> Reference? {
        let python = given ?? ProcessInfo.processInfo.environment["TEJIDO_BENCH_PYTHON"] ?? ".bench-venv/bin/python"
        let script = "scripts/bench/pycrdt_reference.py"
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: script) else { return nil }
        return Reference(python: python, script: script)
    }

    /// One measurement: each group's apply and the coordinator's merge.
    func measure(workload: URL) throws -> Figures {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script, workload.path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let apply = object["apply_ops_per_s"] as? Double, let merge = object["merge_ops_per_s"] as? Double,
              let bytes = object["update_bytes"] as? Int
        else { throw BenchError("\(script) failed (exit \(p.terminationStatus))") }
        return Figures(applyOpsPerSecond: apply, mergeOpsPerSecond: merge, updateBytes: bytes)
    }
}
