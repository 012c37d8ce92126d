import Foundation
import Synchronization
import TejidoSystem

/// What a command does on Ctrl-C or SIGTERM, for the commands that must do something first:
/// `serve` stops taking sessions, `import`, `sync` and `bundle apply` say what the store holds
/// and how to go on, `bundle create` removes its unfinished file.
enum StopSignal {
    /// Calls `stop` on the first SIGINT or SIGTERM; a second one ends the process at once. The
    /// handler only counts (an atomic add is safe in a signal handler); a watcher thread acts.
    static func watch(_ stop: @escaping @Sendable () -> Void) {
        // A parent may have started this process with these signals blocked; they must arrive.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { _ in
                if StopSignal.received.add(1, ordering: .relaxed).newValue > 1 { _exit(130) }
            }
        }
        let watching = WorkerThread.start(name: "tejido.signals") {
            while StopSignal.received.load(ordering: .relaxed) == 0 { usleep(StopSignal.pollMicroseconds) }
            stop()
        }
        // No thread to act on them: the signals end the process as they would have.
        if !watching {
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
        }
    }

    /// How often the watcher looks for a signal: soon enough for a person, and for a bundle
    /// being written to be caught before it is done.
    static let pollMicroseconds: UInt32 = 20_000

    /// SIGINT and SIGTERM received so far.
    static let received = Atomic<Int32>(0)
}
