import Foundation

/// Runs `body` with a fresh empty directory and removes it afterwards, even when `body` throws.
/// Uses /dev/shm when it exists, so tests that commit many small transactions do not wait on disk flushes.
public func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
    let dir = base.appendingPathComponent("tejido-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try body(dir)
}
