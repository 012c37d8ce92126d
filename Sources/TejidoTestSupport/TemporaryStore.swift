import Foundation
import TejidoStore

/// Runs `body` with a new store in a temporary directory (removed afterwards, even on a throw).
/// The store's wall clock is fixed at `clock` milliseconds and advances by one per reading.
public func withTemporaryStore<T>(network: [UInt8]? = nil, clock: UInt64 = 1_764_000_000_000, _ body: (Store) throws -> T) throws -> T {
    try withTemporaryDirectory { dir in
        let store = try Store.create(at: dir.appendingPathComponent("store"), network: network)
        store.now = FixedClock(start: clock).reading
        return try body(store)
    }
}

/// A deterministic clock: each reading is one millisecond after the last.
public final class FixedClock: @unchecked Sendable {
    // `@unchecked Sendable`: only used from the single thread that owns the store it drives.
    private var ms: UInt64

    public init(start: UInt64) { ms = start }

    public var reading: () -> UInt64 {
        { [self] in
            ms += 1
            return ms
        }
    }
}
