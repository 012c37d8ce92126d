import Foundation
import Testing
import TejidoSQLite
import TejidoTestSupport

@Suite struct WALCheckpointerTests {
    /// A WAL database with a table, and the size of its file before any row is written.
    func withWALDatabase(_ body: (SQLiteConnection, String) throws -> Void) throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("t.db").path
            let db = try SQLiteConnection(path: path, mode: .create)
            try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB)")
            try body(db, path)
        }
    }

    func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? -1
    }

    /// Writes `count` transactions of one 4 KiB row each.
    func write(_ db: SQLiteConnection, from start: Int, count: Int) throws {
        let insert = try db.prepare("INSERT INTO t(k, v) VALUES(?, ?)")
        for k in start..<(start + count) {
            try db.transaction { try insert.run([.integer(Int64(k)), .blob([UInt8](repeating: UInt8(k & 0xff), count: 4096))]) }
        }
    }

    /// Without a checkpoint, the rows stay in the log and the database file keeps its size; the
    /// thread's passes copy them into the file while the writer keeps its connection open.
    @Test func aPassCopiesTheLogIntoTheDatabaseWhileTheWriterGoesOn() throws {
        try withWALDatabase { db, path in
            let checkpointer = WALCheckpointer(path: path, startFrames: 8, limitFrames: 100_000)
            checkpointer.attach(to: db)
            let before = fileSize(path)
            try write(db, from: 0, count: 64)
            checkpointer.waitUntilIdle()
            #expect(checkpointer.passes >= 1)
            #expect(checkpointer.lastError == nil)
            #expect(fileSize(path) > before + 32 * 4096)
            // Everything written is still there, through the writer's connection.
            #expect(try db.scalar("SELECT count(*) FROM t") == .integer(64))
            checkpointer.stop()
        }
    }

    /// With the thread stopped (or starved), the writer checkpoints itself once the log reaches
    /// the limit, so the log stays bounded.
    @Test func theWriterCheckpointsItselfAtTheLimit() throws {
        try withWALDatabase { db, path in
            let checkpointer = WALCheckpointer(path: path, startFrames: 4, limitFrames: 16)
            checkpointer.attach(to: db)
            checkpointer.stop()
            let before = fileSize(path)
            try write(db, from: 0, count: 2)
            // Below the limit: nothing copied.
            #expect(fileSize(path) == before)
            try write(db, from: 2, count: 24)
            #expect(fileSize(path) > before + 8 * 4096)
            #expect(checkpointer.passes == 0)
            #expect(checkpointer.inlinePasses >= 1)
            #expect(checkpointer.lastError == nil)
        }
    }

    /// A thread made ahead of time idles until the log is long enough, then copies it.
    @Test func aThreadMadeAheadWaitsForTheLog() throws {
        try withWALDatabase { db, path in
            let checkpointer = WALCheckpointer(path: path, startFrames: 40, limitFrames: 100_000)
            checkpointer.attach(to: db)
            checkpointer.start()
            checkpointer.start()
            let before = fileSize(path)
            try write(db, from: 0, count: 2)
            checkpointer.waitUntilIdle()
            #expect(checkpointer.passes == 0)
            #expect(fileSize(path) == before)
            try write(db, from: 2, count: 40)
            checkpointer.waitUntilIdle()
            #expect(checkpointer.passes >= 1)
            #expect(fileSize(path) > before + 16 * 4096)
            checkpointer.stop()
        }
    }

    /// Below the start, no thread is made; stop returns at once and may be called twice.
    @Test func aQuietWriterNeverStartsTheThread() throws {
        try withWALDatabase { db, path in
            let checkpointer = WALCheckpointer(path: path, startFrames: 1_000, limitFrames: 2_000)
            checkpointer.attach(to: db)
            let before = fileSize(path)
            try write(db, from: 0, count: 4)
            checkpointer.stop()
            checkpointer.stop()
            #expect(checkpointer.passes == 0)
            #expect(fileSize(path) == before)
            // After stop, a long log is still bounded by the writer's own checkpoint.
            try write(db, from: 4, count: 2_100)
            #expect(fileSize(path) > before)
        }
    }
}
