import Foundation
import Testing
import TejidoSQLite
import TejidoTestSupport

@Suite struct WALSyncerTests {
    /// Commits made without a sync are there, and each ticket is reported synced after `wait`,
    /// in order: a later ticket covers the earlier ones.
    @Test func ticketsAreSyncedInOrder() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("t.db").path
            let db = try SQLiteConnection(path: path, mode: .create)
            try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t(k INTEGER PRIMARY KEY)")
            let syncer = WALSyncer(databasePath: path)
            var tickets: [UInt64] = []
            for k in 0..<20 {
                try db.execute("PRAGMA synchronous=NORMAL")
                try db.transaction { try db.execute("INSERT INTO t(k) VALUES(\(k))") }
                try db.execute("PRAGMA synchronous=FULL")
                tickets.append(syncer.request())
            }
            #expect(tickets == Array(1...20))
            try syncer.wait(tickets[19])
            #expect(tickets.allSatisfy { syncer.isSynced($0) })
            #expect(try db.scalar("SELECT count(*) FROM t") == .integer(20))
            syncer.stop()
        }
    }

    /// A sync that cannot happen (here: no log file) fails every wait from then on, and never
    /// reports a ticket synced; `stop` does not hang on it.
    @Test func aFailedSyncFailsEveryWaitAfterIt() throws {
        try withTemporaryDirectory { dir in
            let syncer = WALSyncer(databasePath: dir.appendingPathComponent("missing.db").path)
            let first = syncer.request()
            #expect(throws: SQLiteError.self) { try syncer.wait(first) }
            #expect(!syncer.isSynced(first))
            let second = syncer.request()
            #expect(throws: SQLiteError.self) { try syncer.wait(second) }
            #expect(!syncer.isSynced(second))
            syncer.stop()
        }
    }

    /// After `stop`, a ticket asked for later is never synced: waiting for it throws instead of
    /// hanging, and what was asked for before the stop was synced.
    @Test func aStoppedSyncerRefusesNewTickets() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("t.db").path
            let db = try SQLiteConnection(path: path, mode: .create)
            try db.execute("PRAGMA journal_mode=WAL; CREATE TABLE t(k INTEGER PRIMARY KEY); INSERT INTO t VALUES(1)")
            let syncer = WALSyncer(databasePath: path)
            let before = syncer.request()
            syncer.stop()
            #expect(syncer.isSynced(before))
            let after = syncer.request()
            #expect(throws: SQLiteError.self) { try syncer.wait(after) }
        }
    }
}
