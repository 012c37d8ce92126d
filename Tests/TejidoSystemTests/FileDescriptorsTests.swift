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
        // Whatever was opened to count is closed again. Other tests run at the same time and open
        // and close descriptors of their own, so one attempt of five with the same count before
        // and after is enough; a leak of 50 would show in every one.
        var same = false
        for _ in 0..<5 where !same {
            let before = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
            _ = FileDescriptors.available(50)
            same = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count == before
        }
        #expect(same)
    }
}
