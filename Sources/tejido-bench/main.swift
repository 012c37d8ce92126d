import Foundation
import TejidoSQLite

let dir = URL(fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "/tmp/bench-raw")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
for (batch, recs) in [(12_500, 9_000), (100_000, 9_000), (12_500, 100), (1_000, 9_000), (12_500, 30_000)] {
    let r = try Limits.sqliteUpserts(directory: dir, count: 100_000, batch: batch, records: recs)
    print("raw sqlite upserts/s batch \(batch) records \(recs):", Int(r))
}
