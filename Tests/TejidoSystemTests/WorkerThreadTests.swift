import Foundation
import Testing
import TejidoSystem

@Suite struct WorkerThreadTests {
    final class Flag: @unchecked Sendable {
        let condition = NSCondition()
        var ran = 0
        var name = ""
    }

    @Test func runsTheBodyOnANamedThread() {
        let flag = Flag()
        let started = WorkerThread.start(name: "tejido.test-with-a-long-name") {
            var buffer = [CChar](repeating: 0, count: 32)
            _ = getThreadName(pthread_self(), &buffer, buffer.count)
            flag.condition.lock()
            flag.ran += 1
            flag.name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            flag.condition.broadcast()
            flag.condition.unlock()
        }
        #expect(started)
        flag.condition.lock()
        while flag.ran == 0 { _ = flag.condition.wait(until: Date().addingTimeInterval(5)) }
        flag.condition.unlock()
        #expect(flag.ran == 1)
        #expect(flag.name == "tejido.test-wit", "the system's 15-byte limit")
    }
}

/// glibc's `pthread_getname_np` (a GNU extension Swift's Glibc module leaves out).
@_silgen_name("pthread_getname_np")
private func getThreadName(_ thread: pthread_t, _ name: UnsafeMutablePointer<CChar>, _ length: Int) -> Int32
