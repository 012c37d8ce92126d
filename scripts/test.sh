#!/usr/bin/env bash
# The whole test suite: Swift tests (unit, property, sync over every carrier, cut links, crash),
# the end-to-end convergence of four stores run as separate processes, then the independent
# Python check of protocol/vectors.json and of a real store's `tejido log --envelopes`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
source scripts/build.sh

python3 -c "import cbor2, cryptography" 2>/dev/null || python3 -m pip install -q cbor2 cryptography

echo "== Swift tests =="
swift_build --build-tests
swift test 2>&1 | tee .build/swift-test.log | grep -E "^(✘|✔ Suite|✔ Test run|Test Suite|Executed)|error:" || true
grep -q "✔ Test run with" .build/swift-test.log || { echo "swift test failed" >&2; exit 1; }

echo "== Four stores converge over every carrier (separate processes) =="
python3 tests/e2e/convergence.py --tejido "$(swift build --show-bin-path)/tejido"

echo "== An independent TLS client (Python ssl + cryptography, openssl s_client) =="
python3 tests/e2e/tls_client.py --tejido "$(swift build --show-bin-path)/tejido"

echo "== Protocol vectors, checked by an independent implementation =="
python3 protocol/check_vectors.py
python3 protocol/check_vectors.py --self-test | tail -n 1

echo "== A real store's log, checked by the same implementation =="
BIN="$(swift build --show-bin-path)/tejido"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export TEJIDO_STORE="$WORK/store"
"$BIN" init --network ci >/dev/null
for ns in chiapas guerrero oaxaca; do "$BIN" namespace create "$ns" >/dev/null; done
WORKLOAD="../shared/bench/gen_workload.py"
if [ -f "$WORKLOAD" ]; then
    python3 "$WORKLOAD" --ops 3000 --replicas 3 --seed 7 -o "$WORK/w.jsonl"
    "$BIN" import "$WORK/w.jsonl" >/dev/null
fi
"$BIN" put chiapas/events/e1 title="Asamblea" n:=3 >/dev/null
"$BIN" delete chiapas/events/e1 >/dev/null
"$BIN" put chiapas/events/e1 status=open >/dev/null
"$BIN" verify >/dev/null
"$BIN" log --envelopes | python3 protocol/check_vectors.py --envelopes -
