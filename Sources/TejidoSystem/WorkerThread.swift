#if canImport(Glibc)
import CSystem
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts threads that say when they could not be started.
///
/// Foundation's `Thread.start()` gives no sign when the system refuses a thread (no memory for
/// its stack under `ulimit -v`, too many threads): the thread simply never runs, and whoever waits
/// for it waits forever, holding whatever it holds (a sync held the store's write lock so).
/// Here `pthread_create`'s answer comes back, and the caller can fall back or fail cleanly.
public enum WorkerThread {
    /// Runs `body` on a new detached thread named `name` (its first 15 bytes, the system's limit).
    /// Returns false, without running `body`, if the thread could not be made.
    @discardableResult
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) -> Bool {
        let work = Unmanaged.passRetained(Work(name: String(decoding: name.utf8.prefix(15), as: UTF8.self), body: body))
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let rc = pthread_create(&thread, nil, { raw in
            let work = Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue()
            #if canImport(Glibc)
            _ = work.name.withCString { csystem_name_thread($0) }
            #endif
            work.body()
            return nil
        }, work.toOpaque())
        guard rc == 0 else {
            work.release()
            return false
        }
        #if canImport(Glibc)
        pthread_detach(thread)
        #else
        if let thread { pthread_detach(thread) }
        #endif
        return true
    }

    private final class Work {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
}

