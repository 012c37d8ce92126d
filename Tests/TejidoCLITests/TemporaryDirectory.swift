import Foundation

/// A fresh directory under the system's temporary directory, removed when `body` returns or throws.
enum TemporaryDirectory {
    static func make() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("tejido-cli-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Runs `body` with a new empty directory and deletes it afterwards, also when `body` throws.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let url = try TemporaryDirectory.make()
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}
