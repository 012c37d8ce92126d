import Foundation
import Testing

/// Bytes from hex text written in a test; a typo in a literal is a test bug, so it traps loudly.
func hex(_ text: String) -> [UInt8] {
    let chars = Array(text.utf8)
    precondition(chars.count % 2 == 0, "odd-length hex literal")
    var out: [UInt8] = []
    var i = 0
    while i < chars.count {
        out.append(UInt8(String(decoding: chars[i..<(i + 2)], as: UTF8.self), radix: 16)!)
        i += 2
    }
    return out
}

/// Finds `shared/vectors/<relative>` by walking up from this file: the package is checked out
/// either as /work/main or as a CI clone, and in both cases `shared/` sits beside it.
func sharedVectorURL(_ relative: String, from file: String = #filePath) -> URL? {
    var dir = URL(fileURLWithPath: file).deletingLastPathComponent()
    while dir.path != "/" {
        let candidate = dir.appendingPathComponent("shared/vectors").appendingPathComponent(relative)
        if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return nil
}

/// Loads a JSON vector file from `shared/vectors`, failing the test with a clear message if it is missing.
func loadSharedJSON(_ relative: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
    let url = try #require(
        sharedVectorURL(relative),
        "test vectors not found: no directory above \(#filePath) contains shared/vectors/\(relative)",
        sourceLocation: sourceLocation)
    let data = try Data(contentsOf: url)
    return try JSONSerialization.jsonObject(with: data)
}
