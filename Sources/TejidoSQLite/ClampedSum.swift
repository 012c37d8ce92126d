import CSQLite

/// `clamped_sum(x)`, an aggregate on every connection: the exact sum of the integers it is given
/// (NULLs skipped), clamped to the int64 range; NULL when there are none. SQLite's `sum()` fails
/// with an error once a partial sum leaves that range, which made one counter pushed past it
/// (by any writer) break every read of its record, and `status` for the whole store. The exact
/// sum is kept in 128 bits, so the result does not depend on the order of the rows: stores that
/// hold the same adds show the same value, at the bound or not.
enum ClampedSum {
    /// What the aggregate keeps per group: the sum as a 128-bit two's-complement number (SQLite's
    /// aggregate memory is 8-byte aligned, too little for `Int128`), and whether any row counted.
    struct State {
        var low: UInt64
        var high: Int64
        var seen: Int64
    }

    static func register(on db: OpaquePointer) {
        sqlite3_create_function_v2(db, "clamped_sum", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil, nil, clampedSumStep, clampedSumFinal, nil)
    }

    /// Adds a signed 64-bit value to the 128-bit sum.
    static func add(_ v: Int64, to s: inout State) {
        let (low, carry) = s.low.addingReportingOverflow(UInt64(bitPattern: v))
        s.low = low
        s.high = s.high &+ (v < 0 ? -1 : 0) &+ (carry ? 1 : 0)
        s.seen = 1
    }

    /// The sum, clamped to the int64 range.
    static func value(_ s: State) -> Int64 {
        if s.high == 0 && s.low <= UInt64(Int64.max) { return Int64(s.low) }
        if s.high == -1 && s.low >= UInt64(bitPattern: Int64.min) { return Int64(bitPattern: s.low) }
        return s.high < 0 ? .min : .max
    }
}

private func clampedSumStep(_ ctx: OpaquePointer?, _ argc: Int32, _ argv: UnsafeMutablePointer<OpaquePointer?>?) {
    guard let ctx, argc == 1, let value = argv?[0], sqlite3_value_type(value) != SQLITE_NULL else { return }
    guard let memory = sqlite3_aggregate_context(ctx, Int32(MemoryLayout<ClampedSum.State>.size)) else {
        sqlite3_result_error_nomem(ctx)
        return
    }
    // Zeroed by SQLite on the first call of each group.
    ClampedSum.add(sqlite3_value_int64(value), to: &memory.assumingMemoryBound(to: ClampedSum.State.self).pointee)
}

private func clampedSumFinal(_ ctx: OpaquePointer?) {
    guard let ctx else { return }
    guard let memory = sqlite3_aggregate_context(ctx, 0) else {
        sqlite3_result_null(ctx)
        return
    }
    let state = memory.assumingMemoryBound(to: ClampedSum.State.self).pointee
    if state.seen == 0 { sqlite3_result_null(ctx) } else { sqlite3_result_int64(ctx, ClampedSum.value(state)) }
}
