import Foundation
import Testing
@testable import TejidoStore
import TejidoTestSupport

/// The queue between the import's reader and its applying thread: every changeset comes out once
/// and in order, whether the consumer is slow (the preparing thread then sleeps until the queue
/// is half empty) or fast (the consumer sleeps until a changeset is ready), and with a changeset
/// larger than the whole queue.
@Suite struct ImportPreparerTests {
    /// txn sizes: many small ones, one of 5,000 lines (more than the queue's 4,096), then small again.
    static let sizes = Array(repeating: 7, count: 900) + [5_000] + Array(repeating: 3, count: 900)

    static func write(to file: URL) throws {
        var lines: [String] = []
        for (txn, n) in sizes.enumerated() {
            for i in 0..<n {
                lines.append(#"{"replica":"chiapas","txn":\#(txn),"op":"inc","collection":"petitions","id":"p\#(i % 5)","field":"firmas","value":1}"#)
            }
        }
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
    }

    @Test(arguments: [false, true])
    func everyChangesetOnceInOrder(slowConsumer: Bool) throws {
        try withTemporaryDirectory { dir in
            let file = dir.appendingPathComponent("in.jsonl")
            try Self.write(to: file)
            let fd = open(file.path, O_RDONLY)
            #expect(fd >= 0)
            defer { close(fd) }
            let reader = ImportReader(fd: fd, seekable: true, spoolPath: dir.appendingPathComponent("spool").path, options: ImportOptions())
            Thread { reader.run() }.start()
            let preparer = ImportPreparer(reader: reader)
            Thread { preparer.run() }.start()
            defer {
                preparer.stop()
                reader.cancel()
            }
            var sizes: [Int] = []
            var lastLine = 0
            while let c = try preparer.next() {
                sizes.append(c.lines.count)
                #expect(c.lines.first!.number == lastLine + 1, "changesets out of order or lost")
                lastLine = c.lines.last!.number
                // Slow: the queue fills and the preparing thread has to wait for room.
                if slowConsumer && sizes.count % 50 == 0 { usleep(2_000) }
            }
            #expect(sizes == Self.sizes)
            #expect(preparer.isAtCleanEnd)
        }
    }
}
