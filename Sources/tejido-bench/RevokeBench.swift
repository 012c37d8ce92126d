import Dispatch
import Foundation
import TejidoCore
import TejidoStore

/// What a revocation costs when it takes back much that was applied: a group's laptop imports its
/// share of the workload; a second admin's store takes all of it in; then the laptop is reported
/// stolen and the second admin revokes its key half-way through its feed. The store rebuilds the
/// namespace: every changeset of it goes through the apply path again under the new roles.
enum RevokeBench {
    struct Result {
        var changesets = 0
        var cut = 0
        var ops = 0
        var seconds = 0.0
    }

    static func run(workload: URL, group: String, directory: URL) throws -> Result {
        try? FileManager.default.removeItem(at: directory)
        let laptop = try Store.create(at: directory.appendingPathComponent("laptop"))
        try laptop.createNamespace(name: group)
        let office = try Store.create(at: directory.appendingPathComponent("office"), network: laptop.networkID)
        try laptop.grant(namespace: group, key: office.nodeKey.publicKey, role: .admin)
        let summary = try laptop.importJSONLines(path: workload.path, options: ImportOptions(replica: group))
        var envelopes: [[UInt8]] = []
        try laptop.forEachEnvelope { envelopes.append($0) }
        for start in stride(from: 0, to: envelopes.count, by: 1_000) {
            _ = try office.receive(envelopes: Array(envelopes[start..<min(start + 1_000, envelopes.count)]))
        }
        let feed = try laptop.feedHeads(namespace: try laptop.resolveNamespace(group).root)
            .first { $0.author == laptop.nodeKey.publicKey.bytes }?.seq ?? 0
        let keep = feed / 2
        let start = DispatchTime.now()
        _ = try office.revoke(namespace: group, key: laptop.nodeKey.publicKey, after: keep)
        let seconds = Limits.seconds(since: start)
        let held = try office.quarantined(limit: Int.max)
        guard held.count == Int(feed - keep) else { throw BenchError("the revocation quarantined \(held.count), expected \(feed - keep)") }
        let report = try office.verify()
        guard report.ok else { throw BenchError("verify failed after the revocation: \(report.problems.prefix(3))") }
        return Result(changesets: envelopes.count, cut: held.count, ops: summary.ops, seconds: seconds)
    }
}
