#!/usr/bin/env bash
# The story of Tejido in one run: build in release mode, then two group namespaces, edits, a delete
# and a revive, a query across groups, blame and verify; a group's own store syncing over TLS, a
# bundle and a local child; who may write where, and a lost laptop revoked. Stores go in ./demo-stores.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "== Building tejido (release) =="
source scripts/build.sh
swift_build -c release --product tejido
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

echo "== A group's own store joins the network =="
NETWORK="$("$BIN" status --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["network"])')"
GRUPO="$DEMO/grupo-guerrero"
tejido init --join "$NETWORK" --store "$GRUPO"
tejido namespace create guerrero --store "$GRUPO"
tejido put guerrero/events/marcha-3 title="Marcha por el agua" place=Chilpancingo --store "$GRUPO"
GROUP_KEY="$("$BIN" key show --store "$GRUPO" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')"
COORD_KEY="$("$BIN" key show --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')"

echo "== Sync over TLS 1.3: the coordination store serves, the group pins its key =="
# The coordination store lets the group's key in (pinned as a peer with no URL).
tejido peer add guerrero --key "$GROUP_KEY"
"$BIN" serve --listen 127.0.0.1:0 --json > "$DEMO/serve.out" 2> "$DEMO/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$DEMO/serve.out" ] && break; sleep 0.1; done
ADDRESS="$(head -n 1 "$DEMO/serve.out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["address"])')"
tejido peer add coordinacion "tcp://$ADDRESS" --key "$COORD_KEY" --store "$GRUPO"
tejido sync coordinacion --store "$GRUPO"
kill -INT $SERVER
wait $SERVER || true
trap - EXIT
cat "$DEMO/serve.log"
echo

echo "== A bundle carried by hand (a USB stick), and its receipt carried back =="
tejido put guerrero/events/marcha-3 status=confirmada --store "$GRUPO"
tejido bundle create "$DEMO/guerrero.tjb" --for coordinacion --store "$GRUPO"
tejido bundle inspect "$DEMO/guerrero.tjb"
tejido bundle apply "$DEMO/guerrero.tjb" --receipt "$DEMO/recibo.tjr"
tejido bundle apply "$DEMO/recibo.tjr" --store "$GRUPO"

echo "== A store on the same machine, through a child process (ssh:// works the same way) =="
tejido sync "$GRUPO"
tejido status
tejido status --store "$GRUPO"
tejido query "SELECT namespace, id, title, status FROM events ORDER BY namespace, id"

echo "== Who may speak for a group: the coordination store holds guerrero but may not write there =="
tejido put guerrero/events/marcha-3 status=cancelada || echo "(refused, as it should be)"
echo

echo "== A lost laptop: the group grants a second device, then revokes it after its first change =="
LAPTOP="$DEMO/laptop"
tejido init --join "$NETWORK" --store "$LAPTOP"
LAPTOP_KEY="$("$BIN" key show --store "$LAPTOP" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')"
tejido grant guerrero "$LAPTOP_KEY" --store "$GRUPO"
tejido sync "$GRUPO" --pull-only --store "$LAPTOP"
tejido put guerrero/events/marcha-3 nota="revisar permisos" --store "$LAPTOP"
tejido sync "$GRUPO" --push-only --store "$LAPTOP"
# The laptop is stolen; whoever has it writes on.
tejido put guerrero/events/marcha-3 status=cancelada --store "$LAPTOP"
tejido revoke guerrero "$LAPTOP_KEY" --after 1 --store "$GRUPO"
tejido sync "$GRUPO" --store "$LAPTOP"
tejido get guerrero/events/marcha-3 --store "$GRUPO"
tejido members guerrero --store "$GRUPO"
tejido verify --store "$GRUPO"

echo "== The same in Spanish =="
"$BIN" verify --lang es
"$BIN" get oaxaca/events/no-existe --lang es || true
echo
echo "Demo stores are in $DEMO"
