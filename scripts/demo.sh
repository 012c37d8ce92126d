#!/usr/bin/env bash
# The local story of Tejido in one run: build in release mode, then two group namespaces, edits,
# a delete and a revive, a query across groups, blame and verify. Stores go in ./demo-stores.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "== Building tejido (release) =="
swift build -c release --product tejido 2>&1 | tail -n 1
BIN="$(swift build -c release --show-bin-path)/tejido"
# Shows each command as typed (arguments with spaces in quotes), then runs it.
tejido() {
    local shown="" a
    for a in "$@"; do
        case "$a" in *" "*) shown+=" '$a'" ;; *) shown+=" $a" ;; esac
    done
    echo "\$ tejido$shown"
    "$BIN" "$@"
    echo
}

DEMO="$PWD/demo-stores"
rm -rf "$DEMO"
mkdir -p "$DEMO"
export TEJIDO_STORE="$DEMO/coordinacion"

echo "== A store, a network and this node's key =="
tejido init --network red-del-sur
tejido key show

echo "== Two namespaces, one per group =="
tejido namespace create chiapas
tejido namespace create oaxaca

echo "== Edits: typed fields, a counter, a set =="
tejido put chiapas/events/asamblea-1 title="Asamblea regional" place="San Cristóbal" capacity:=120 open:=true -m "primera convocatoria"
tejido put oaxaca/events/tequio-7 title="Tequio del camino" date=2025-04-05
tejido inc chiapas/petitions/agua signatures 25
tejido inc chiapas/petitions/agua signatures 17
tejido tag add chiapas/events/asamblea-1 tags agua
tejido tag add chiapas/events/asamblea-1 tags milpa
tejido tag remove chiapas/events/asamblea-1 tags milpa
tejido put chiapas/events/asamblea-1 place="Casa comunal"
tejido get chiapas/events/asamblea-1

echo "== A delete, then a revive with newer writes only =="
tejido delete oaxaca/events/tequio-7 -m "se pospone"
"$BIN" get oaxaca/events/tequio-7 && exit 1 || echo "(get exits $? for a deleted record)"
echo
tejido put oaxaca/events/tequio-7 status=reprogramado date=2025-05-10
tejido get oaxaca/events/tequio-7 --json

echo "== A query across both groups =="
tejido query "SELECT namespace, id, title, place, date, status, tags FROM events ORDER BY namespace, id"
tejido query "SELECT id, signatures FROM petitions" --json

echo "== Who wrote what =="
tejido blame chiapas/events/asamblea-1
tejido log

echo "== Verify every signature, chain and authorship =="
tejido verify

echo "== The same in Spanish =="
"$BIN" verify --lang es
"$BIN" get oaxaca/events/no-existe --lang es || true
echo
echo "Demo stores are in $DEMO"
