#!/usr/bin/env bash
# Builds with `swift build ARGS...`, keeping the whole log in .build/swift-build.log and printing
# its last line. Sourced by demo.sh and test.sh. A failed build prints its diagnostics and the
# machine's free disk and memory (a CI run once stopped here showing only a progress line), then
# builds once more with one job: that succeeds after a compiler killed for memory, and fails again,
# with the same errors, when the code itself does not compile.

swift_build() {
    mkdir -p .build
    local log=.build/swift-build.log
    if swift build "$@" >"$log" 2>&1; then
        tail -n 1 "$log"
        return 0
    fi
    echo "swift build $* failed. Its diagnostics:" >&2
    grep -E "error:|fatal|Stack dump|signal|Killed|No space left" "$log" | head -n 40 >&2 || true
    echo "-- last lines --" >&2
    tail -n 15 "$log" >&2
    df -h . >&2 || true
    free -m >&2 || true
    echo "Building again with one job ..." >&2
    if swift build "$@" -j 1 >"$log" 2>&1; then
        tail -n 1 "$log"
        return 0
    fi
    grep -E "error:|fatal|Stack dump|signal|Killed|No space left" "$log" | head -n 40 >&2 || true
    tail -n 30 "$log" >&2
    return 1
}
