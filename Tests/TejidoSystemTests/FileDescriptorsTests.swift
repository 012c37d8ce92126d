import Foundation
import Testing
import TejidoSystem

@Suite struct FileDescriptorsTests {
    @Test func countsWhatCanStillBeOpened() throws {
        var limit = rlimit()
        try #require(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0)
        #expect(FileDescriptors.available(3))
        // More than the limit allows can never be open at once.
        #expect(!FileDescriptors.available(Int(min(limit.rlim_cur, 1 << 20)) + 1))
        // Whatever was opened to count is closed again.
        let before = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        _ = FileDescriptors.available(50)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count == before)
    }
}
