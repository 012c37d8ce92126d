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

    /// Whether `count` more threads can run at once now: that many are started and held until
    /// the last has started (or one was refused), then all end.
    public static func canStart(_ count: Int) -> Bool {
        let gate = Gate()
        var started = 0
        for i in 0..<count {
            guard start(name: "tejido.probe\(i)", { gate.wait() }) else { break }
            started += 1
        }
        gate.open()
        return started == count
    }

    /// Holds threads until opened.
    ///
    /// `@unchecked Sendable`: `isOpen` is read and written only under the mutex.
    private final class Gate: @unchecked Sendable {
        private var isOpen = false
        private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

        init() {
            pthread_mutex_init(mutex, nil)
            pthread_cond_init(condition, nil)
        }

        deinit {
            pthread_cond_destroy(condition)
            pthread_mutex_destroy(mutex)
            condition.deallocate()
            mutex.deallocate()
        }

        func wait() {
            pthread_mutex_lock(mutex)
            while !isOpen { pthread_cond_wait(condition, mutex) }
            pthread_mutex_unlock(mutex)
        }

        func open() {
            pthread_mutex_lock(mutex)
            isOpen = true
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
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

