#!/usr/bin/env python3
"""End-to-end convergence test for the `tejido` command line.

Three group stores (chiapas, guerrero, oaxaca) and a coordinator, each driven as separate
`tejido` processes. The coordinator creates the namespace "shared" and grants each group's node
key the writer role; each group creates its own namespace. The groups pull "shared" first, then,
offline, each edits its own namespace and the SAME records of "shared" (same ids, same and
different fields, counters, set adds and removes, a delete and a revive), so that concurrent
edits of one record really happen. The stores then sync in several orders and topologies over
all three carriers (TLS over tcp, ssh through a fake ssh that runs the far side locally, bundle
files) plus plain store-directory syncs, with more offline edits between the rounds. A final
round spreads everything; then all four stores must have the same `status` digest, nothing
pending or quarantined, a clean `verify`, the same changesets, and the same `query` results.

Usage:  python3 tests/e2e/convergence.py --tejido PATH_TO_BINARY [--keep] [--verbose]

Standard library only. Exits 0 when every check passed, 1 with a message on the first failure.
"""

import argparse
import errno
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

GROUPS = ["chiapas", "guerrero", "oaxaca"]
# One collection per group, in the group's own namespace, next to the common "eventos".
OWN_COLLECTION = {"chiapas": "cosechas", "guerrero": "brigadas", "oaxaca": "radios"}
CMD_TIMEOUT = 90  # seconds for any one tejido command


class Failure(Exception):
    pass


def fail(msg):
    raise Failure(msg)


def check(cond, msg):
    if not cond:
        fail(msg)


class Ctx:
    def __init__(self, binary, root, verbose):
        self.binary = binary
        self.root = root
        self.verbose = verbose
        self.env = dict(os.environ)
        self.env["LC_ALL"] = "C.UTF-8"  # English messages (first non-empty of LC_ALL/LC_MESSAGES/LANG)
        self.env.pop("TEJIDO_STORE", None)
        self.commands = 0
        self.checks = 0
        self.servers = []
        self.served = 0
        self.summary = []

    def note(self, line):
        self.summary.append(line)
        if self.verbose:
            print("  .. " + line, flush=True)

    def ok(self, cond, msg):
        self.checks += 1
        check(cond, msg)


def spawn(ctx, args, **kw):
    """Starts the binary; waits and retries while it is being rebuilt (missing or busy)."""
    deadline = time.time() + 60
    while True:
        try:
            return subprocess.Popen([ctx.binary] + args, env=ctx.env, **kw)
        except OSError as e:
            if e.errno in (errno.ENOENT, errno.ETXTBSY, errno.EACCES, errno.ENOEXEC) and time.time() < deadline:
                time.sleep(2)
                continue
            raise


def tejido(ctx, store, *args, json_out=True, expect=0, env=None):
    """Runs one tejido command on `store`; returns parsed JSON (or text)."""
    args = list(args)
    if store is not None:
        args += ["--store", store.path]
    if json_out:
        args.append("--json")
    shown = "tejido " + " ".join(args)
    if ctx.verbose:
        print("  $ " + shown, flush=True)
    for attempt in range(3):
        p = spawn(ctx, args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = p.communicate(timeout=CMD_TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            fail("timed out after %ds: %s" % (CMD_TIMEOUT, shown))
        # A binary swapped between exec and the dynamic loader shows as 126/127 from nothing.
        if p.returncode in (126, 127) and not out and attempt < 2:
            time.sleep(3)
            continue
        break
    ctx.commands += 1
    out = out.decode("utf-8", "replace")
    err = err.decode("utf-8", "replace")
    if expect is not None and p.returncode != expect:
        fail("exit code %d (expected %d): %s\nstdout: %s\nstderr: %s" % (p.returncode, expect, shown, out.strip(), err.strip()))
    if not json_out:
        return out
    try:
        return json.loads(out)
    except ValueError:
        fail("not JSON on stdout of: %s\nstdout: %r\nstderr: %s" % (shown, out[:2000], err.strip()))


class Store:
    def __init__(self, ctx, name):
        self.ctx = ctx
        self.name = name
        self.path = os.path.join(ctx.root, name)
        self.key = None

    def t(self, *args, **kw):
        return tejido(self.ctx, self, *args, **kw)

    def status(self):
        return self.t("status")

    def digest(self):
        return self.status()["digest"]

    def log_ids(self, namespace=None):
        return {c["id"] for c in self.t("log") if namespace is None or c["namespace"] == namespace}

    def query(self, sql):
        return self.t("query", sql)

    def get(self, path):
        return self.t("get", path)["fields"]


class Server:
    """`tejido serve --listen 127.0.0.1:0 --json` on one store."""

    def __init__(self, ctx, store, extra=()):
        self.ctx = ctx
        self.store = store
        ctx.served += 1
        self.errpath = os.path.join(ctx.root, "serve-%s-%d.err" % (store.name, ctx.served))
        self.errfile = open(self.errpath, "wb")
        args = ["serve", "--listen", "127.0.0.1:0", "--json", "--store", store.path] + list(extra)
        if ctx.verbose:
            print("  $ tejido " + " ".join(args) + " &", flush=True)
        self.proc = spawn(ctx, args, stdout=subprocess.PIPE, stderr=self.errfile)
        ctx.servers.append(self)
        line = self._readline(20)
        try:
            ev = json.loads(line)
        except ValueError:
            fail("serve did not print a JSON line: %r (stderr in %s)" % (line, self.errpath))
        check(ev.get("event") == "listening", "serve's first line is not a listening event: %r" % line)
        self.address = ev["address"]
        self.key = ev["key"]
        check(self.key == store.key, "serve announces key %s, the store's node key is %s" % (self.key, store.key))
        self.url = "tcp://" + self.address

    def _readline(self, timeout):
        fd = self.proc.stdout.fileno()
        buf = b""
        deadline = time.time() + timeout
        while not buf.endswith(b"\n"):
            left = deadline - time.time()
            if left <= 0:
                break
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                break
            chunk = os.read(fd, 1)
            if not chunk:
                break
            buf += chunk
        return buf.decode("utf-8", "replace").strip()

    def stop(self):
        """SIGINT, then expect {"event":"stopped"}; returns the session events from stderr."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            rest, _ = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
            fail("serve on %s did not stop within 15 s of SIGINT" % self.store.name)
        finally:
            self.errfile.close()
            if self in self.ctx.servers:
                self.ctx.servers.remove(self)
        lines = [l for l in rest.decode("utf-8", "replace").splitlines() if l.strip()]
        check(lines and json.loads(lines[-1]).get("event") == "stopped",
              "serve on %s did not print {\"event\":\"stopped\"} on SIGINT (exit %s, stdout %r)"
              % (self.store.name, self.proc.returncode, lines))
        check(self.proc.returncode == 0, "serve on %s exited %d after SIGINT" % (self.store.name, self.proc.returncode))
        sessions = []
        with open(self.errpath, "rb") as f:
            for l in f.read().decode("utf-8", "replace").splitlines():
                l = l.strip()
                if not l:
                    continue
                try:
                    ev = json.loads(l)
                except ValueError:
                    continue
                if ev.get("event") == "session":
                    sessions.append(ev)
        return sessions

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        try:
            self.errfile.close()
        except Exception:
            pass


def make_fake_ssh(root):
    """An `ssh` that drops its options and the host and runs the remote command with sh -c."""
    path = os.path.join(root, "fake-ssh")
    with open(path, "w") as f:
        f.write(
            "#!/bin/sh\n"
            "# fake ssh for tests: [-p PORT] [other -opts] HOST COMMAND... -> sh -c COMMAND\n"
            "echo \"$@\" >> \"$(dirname \"$0\")/fake-ssh.log\"\n"
            "while [ $# -gt 0 ]; do\n"
            "  case \"$1\" in\n"
            "    -p|-l|-o|-i|-F) shift 2 ;;\n"
            "    -*) shift ;;\n"
            "    *) break ;;\n"
            "  esac\n"
            "done\n"
            "[ $# -ge 2 ] || { echo 'fake-ssh: no host or command' >&2; exit 255; }\n"
            "shift\n"
            "exec sh -c \"$*\"\n")
    os.chmod(path, 0o755)
    return path


# ---------------------------------------------------------------------------------------------
# Edits, with what the counters and sets must come to where nothing deletes them.


class Expect:
    """Counter sums as protocol/merge.md gives them. All stores share this machine's clock and the
    commands run one after another, so stamps follow the order of the commands: a delete hides
    exactly the increments run before it, whichever store ran them."""

    def __init__(self):
        self.counters = {}  # (path, field) -> sum
        self.deleted = set()

    def inc(self, path, field, n):
        self.counters[(path, field)] = self.counters.get((path, field), 0) + n

    def delete(self, path):
        self.deleted.add(path)
        for k in [k for k in self.counters if k[0] == path]:
            del self.counters[k]


def put(store, path, *assignments):
    store.t("put", path, *assignments)


def inc(store, exp, path, field, n):
    if n < 0:
        store.t("inc", path, field, "--by", str(n))
    else:
        store.t("inc", path, field, str(n))
    exp.inc(path, field, n)


def tag(store, exp, op, path, field, value):
    store.t("tag", op, path, field, value)


def delete(store, exp, path):
    store.t("delete", path)
    exp.delete(path)


def group_edits(g, i, rnd, exp):
    """Offline edits of group `g` (index i) in round `rnd`: its own namespace and shared."""
    coll = OWN_COLLECTION[g.name]
    # Its own namespace: new records each round, re-edits of older ones.
    ev = "%s/eventos/ev%d" % (g.name, rnd)
    put(g, ev, "titulo=Reunión %s ronda %d" % (g.name, rnd), "asistentes:=%d" % (10 * (i + 1) + rnd),
        "lugar=Comunidad ñ-%d" % rnd, "activo:=true")
    inc(g, exp, ev, "firmas", rnd + i)
    tag(g, exp, "add", ev, "temas", "ronda%d" % rnd)
    put(g, "%s/%s/r%d" % (g.name, coll, rnd), "nombre=%s-%d" % (coll, rnd), "cantidad:=%d.5" % rnd)
    if rnd > 1:
        put(g, "%s/eventos/ev1" % g.name, "estado=revisado en ronda %d" % rnd)
        inc(g, exp, "%s/eventos/ev1" % g.name, "firmas", 3)
        inc(g, exp, "%s/%s/r1" % (g.name, coll), "visitas", rnd)
    # Shared record a1, edited by everybody: the same field (last writer wins), a field of its
    # own, a counter, set adds of its own element and of a common one.
    a1 = "shared/acuerdos/a1"
    put(g, a1, "estado=%s-ronda%d" % (g.name, rnd), "nota_%s=%s dice algo en ronda %d" % (g.name, g.name, rnd))
    inc(g, exp, a1, "votos", i + rnd)
    tag(g, exp, "add", a1, "temas", g.name)
    tag(g, exp, "add", a1, "temas", "comun")
    # A record every group creates at the same time, with the same id.
    s = "shared/eventos/s%d" % rnd
    put(g, s, "titulo=Evento común %d visto por %s" % (rnd, g.name), "origen_%s:=true" % g.name, "orden:=%d" % i)
    inc(g, exp, s, "asistencia", 5 * (i + 1))


def edits_round1(stores, exp):
    coord, ch, gu, oa = stores
    for i, g in enumerate([ch, gu, oa]):
        group_edits(g, i, 1, exp)
    # Concurrent delete of a2 (chiapas) against a write and a counter (guerrero) and a set
    # remove plus add (oaxaca) on the same record.
    delete(ch, exp, "shared/acuerdos/a2")
    put(gu, "shared/acuerdos/a2", "lugar=Chilpancingo")
    inc(gu, exp, "shared/acuerdos/a2", "apoyos", 5)
    tag(oa, exp, "remove", "shared/acuerdos/a2", "temas", "tierra")
    tag(oa, exp, "add", "shared/acuerdos/a2", "temas", "agua")
    # The coordinator edits the shared records offline too.
    put(coord, "shared/acuerdos/a1", "estado=coordinacion-ronda1", "titulo=Asamblea regional (corregido)")
    inc(coord, exp, "shared/acuerdos/a1", "votos", 10)
    tag(coord, exp, "remove", "shared/acuerdos/a1", "temas", "agua")
    put(coord, "shared/eventos/s1", "titulo=Evento común 1 (coordinación)")


def edits_round2(stores, exp):
    coord, ch, gu, oa = stores
    for i, g in enumerate([ch, gu, oa]):
        group_edits(g, i, 2, exp)
    # Revive: chiapas writes the record it deleted in round 1.
    put(ch, "shared/acuerdos/a2", "estado=revivido", "nota=se retoma")
    # Delete and revive in one store (guerrero), while oaxaca counts on the same record.
    delete(gu, exp, "shared/acuerdos/a3")
    put(gu, "shared/acuerdos/a3", "estado=reabierta")
    inc(oa, exp, "shared/acuerdos/a3", "votos", 2)
    # Oaxaca removes the common tag it has seen; chiapas adds it again concurrently.
    tag(oa, exp, "remove", "shared/acuerdos/a1", "temas", "comun")
    tag(ch, exp, "add", "shared/acuerdos/a1", "temas", "comun")
    # A group deletes and revives a record of its own.
    delete(oa, exp, "oaxaca/eventos/ev1")
    put(oa, "oaxaca/eventos/ev1", "titulo=Reunión oaxaca reprogramada")
    put(coord, "shared/acuerdos/a1", "estado=coordinacion-ronda2")
    inc(coord, exp, "shared/acuerdos/a1", "votos", 100)
    put(coord, "shared/acuerdos/a4", "titulo=Nuevo acuerdo", "plazo:=30")


def edits_round3(stores, exp):
    coord, ch, gu, oa = stores
    for i, g in enumerate([ch, gu, oa]):
        group_edits(g, i, 3, exp)
    # Everybody sets the same field of a4 at about the same time.
    for g in [coord, ch, gu, oa]:
        put(g, "shared/acuerdos/a4", "responsable=%s" % g.name)
    inc(gu, exp, "shared/acuerdos/a4", "votos", 7)
    inc(oa, exp, "shared/acuerdos/a4", "votos", -3)
    put(coord, "shared/acuerdos/a3", "nota=coordinación confirma")


def edits_round4(stores, exp):
    """A last batch written after the bundles left, so only the final round carries it."""
    coord, ch, gu, oa = stores
    for i, g in enumerate([ch, gu, oa]):
        put(g, "shared/acuerdos/a1", "ultimo_%s:=%d" % (g.name, i))
        inc(g, exp, "shared/acuerdos/a1", "votos", 1000)
    put(coord, "shared/acuerdos/a4", "cerrado:=true")


# ---------------------------------------------------------------------------------------------


def sync(ctx, store, target, *extra):
    """`tejido sync` from `store`; checks each result is ok, with nothing pending or quarantined."""
    out = store.t("sync", target, *extra)
    ctx.ok(isinstance(out, dict) and "peak_rss_kib" in out, "sync --json: expected an object with results and peak_rss_kib, got %r" % (out,))
    res = out.get("results") if isinstance(out, dict) else None
    ctx.ok(isinstance(res, list) and len(res) == 1, "sync %s -> %s: expected one result, got %r" % (store.name, target, res))
    r = res[0]
    ctx.ok(r.get("ok") is True, "sync %s -> %s failed: %r" % (store.name, target, r))
    ctx.ok(r.get("pending", 0) == 0 and r.get("quarantined", 0) == 0,
           "sync %s -> %s left changesets pending or quarantined: %r" % (store.name, target, r))
    return r


def same_digest(ctx, a, b, what):
    da, db = a.digest(), b.digest()
    ctx.ok(da == db, "%s: %s and %s differ after syncing with each other (%s vs %s)" % (what, a.name, b.name, da[:16], db[:16]))
    return da


def bundle_apply(ctx, store, path, *extra):
    r = store.t("bundle", "apply", path, *extra)
    ctx.ok(r.get("ok") is True and r.get("complete") is True, "bundle apply %s on %s: %r" % (path, store.name, r))
    ctx.ok(r.get("pending", 0) == 0 and r.get("quarantined", 0) == 0,
           "bundle apply %s on %s left changesets pending or quarantined: %r" % (path, store.name, r))
    return r


def has_bundle_command(ctx):
    p = spawn(ctx, ["bundle", "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, _ = p.communicate(timeout=30)
    return p.returncode == 0 and b"create" in out and b"apply" in out


def run(ctx, skip_bundles):
    bin_ = ctx.binary
    fake_ssh = make_fake_ssh(ctx.root)
    ctx.env["TEJIDO_SSH"] = fake_ssh
    exp = Expect()

    bundles = has_bundle_command(ctx)
    if not bundles and not skip_bundles:
        fail("this tejido has no working `bundle` command (`tejido bundle --help` failed); bundles are one of the "
             "three carriers this test must cover. Pass --skip-bundles to run the rest.")
    bundles = bundles and not skip_bundles

    # -- Stores, namespaces, grants --------------------------------------------------------
    coord = Store(ctx, "coordinacion")
    groups = [Store(ctx, g) for g in GROUPS]
    ch, gu, oa = groups
    everyone = [coord] + groups

    init = tejido(ctx, None, "init", "--network", "red-sur", "--store", coord.path)
    network = init["network"]
    coord.key = init["key"]
    with open(os.path.join(coord.path, "config.json")) as f:
        ctx.ok(json.load(f)["network"] == network, "config.json's network differs from init's output")
    for g in groups:
        r = tejido(ctx, None, "init", "--join", network, "--store", g.path)
        ctx.ok(r["network"] == network, "%s joined %s, not %s" % (g.name, r["network"], network))
        g.key = g.t("key", "show")["key"]
        ctx.ok(g.key == r["key"], "key show and init disagree on %s's key" % g.name)
    ctx.ok(len({s.key for s in everyone}) == 4, "two stores got the same node key")

    coord.t("namespace", "create", "shared")
    for g in groups:
        r = coord.t("grant", "shared", g.key, "--role", "writer")
        ctx.ok(r["role"] == "writer", "grant returned %r" % r)
        g.t("namespace", "create", g.name)
    # Seed the shared records the groups will all edit.
    put(coord, "shared/acuerdos/a1", "titulo=Asamblea regional", "estado=propuesta")
    inc(coord, exp, "shared/acuerdos/a1", "votos", 1)
    tag(coord, exp, "add", "shared/acuerdos/a1", "temas", "agua")
    put(coord, "shared/acuerdos/a2", "titulo=Caravana", "lugar=Tlapa de Comonfort")
    tag(coord, exp, "add", "shared/acuerdos/a2", "temas", "tierra")
    put(coord, "shared/acuerdos/a3", "titulo=Radio comunitaria", "estado=activa")
    ctx.note("setup: 4 stores in one network, namespace shared granted to 3 groups, 3 group namespaces")

    # -- First pull of "shared", one carrier per group, pull only --------------------------
    srv = Server(ctx, coord)
    sync(ctx, ch, srv.url, "--key", coord.key, "--pull-only")
    sessions = srv.stop()
    ctx.ok(len(sessions) == 1 and sessions[0].get("ok") is True and sessions[0].get("key") == ch.key,
           "the tcp server logged %r for chiapas's pull" % sessions)
    sync(ctx, gu, "ssh://localhost:2222%s" % coord.path, "--remote-command", bin_, "--pull-only")
    sync(ctx, oa, coord.path, "--pull-only")
    coord_shared = coord.log_ids("shared")
    for g in groups:
        names = sorted(n["name"] for n in g.status()["namespaces"])
        ctx.ok(names == sorted(["shared", g.name]), "%s holds namespaces %r after its first pull" % (g.name, names))
        ctx.ok(g.log_ids("shared") == coord_shared, "%s did not get all of shared on its first pull" % g.name)
    names = [n["name"] for n in coord.status()["namespaces"]]
    ctx.ok(names == ["shared"], "--pull-only pushed anyway: the coordinator now holds %r" % names)
    ctx.note("first pull of shared: chiapas over tcp, guerrero over ssh, oaxaca from a store path; "
             "--pull-only sent nothing back")

    # -- Offline round 1, then a star over TLS ---------------------------------------------
    edits_round1(everyone, exp)
    before = {s.name: s.digest() for s in everyone}
    ctx.ok(len(set(before.values())) == 4, "stores share a digest after independent offline edits: %r" % before)
    srv = Server(ctx, coord)
    gu.t("peer", "add", "coordinacion", srv.url, "--key", coord.key)
    sync(ctx, ch, srv.url, "--key", coord.key)
    same_digest(ctx, ch, coord, "star round (tcp)")
    sync(ctx, gu, "coordinacion")  # by peer name
    same_digest(ctx, gu, coord, "star round (tcp, named peer)")
    sync(ctx, oa, srv.url, "--key", coord.key)
    same_digest(ctx, oa, coord, "star round (tcp)")
    sessions = srv.stop()
    ctx.ok(len(sessions) == 3 and all(s.get("ok") for s in sessions),
           "the tcp server logged %d sessions (%r), expected 3 ok" % (len(sessions), sessions))
    ctx.ok({s["key"] for s in sessions} == {g.key for g in groups}, "the tcp server logged other client keys")
    ctx.ok(ch.digest() != coord.digest(), "chiapas already converged before seeing guerrero's and oaxaca's edits")
    ctx.note("round 1: star through the coordinator over TLS (chiapas, guerrero by peer name, oaxaca)")

    # -- Offline round 2, then a chain over store paths and ssh ---------------------------
    edits_round2(everyone, exp)
    gu.t("peer", "add", "chiapas", ch.path, "--key", ch.key)
    sync(ctx, oa, gu.path)                              # oaxaca -> guerrero, a store path
    same_digest(ctx, oa, gu, "chain oaxaca-guerrero (path)")
    sync(ctx, gu, "chiapas", "--remote-command", bin_)  # guerrero -> chiapas, named peer (a path)
    same_digest(ctx, gu, ch, "chain guerrero-chiapas (path)")
    sync(ctx, coord, "ssh://localhost%s" % ch.path, "--remote-command", bin_)  # coordinator <-> chiapas over ssh
    same_digest(ctx, coord, ch, "coordinator-chiapas (ssh)")
    d_coord = coord.digest()
    sync(ctx, oa, "ssh://tejido@localhost:22%s" % coord.path, "--remote-command", bin_, "--pull-only")
    ctx.ok(coord.digest() == d_coord, "oaxaca's --pull-only over ssh changed the coordinator")
    same_digest(ctx, oa, coord, "oaxaca pulled everything from the coordinator (ssh)")
    ctx.ok(gu.digest() != coord.digest(), "guerrero converged without seeing the coordinator's round 2 edits")
    ctx.note("round 2: chain oaxaca->guerrero->chiapas over store paths (one by peer name), "
             "coordinator<->chiapas over ssh, oaxaca --pull-only from the coordinator over ssh")

    # -- Offline round 3, then bundles -----------------------------------------------------
    edits_round3(everyone, exp)
    if bundles:
        bdir = os.path.join(ctx.root, "usb")
        os.mkdir(bdir)
        # guerrero -> chiapas: a full bundle, carried and applied with a receipt carried back;
        # then a second bundle --for chiapas holds only what is new since the receipt.
        full = os.path.join(bdir, "guerrero-full.tjb")
        r = gu.t("bundle", "create", full)
        ctx.ok(r.get("changesets", 0) > 0 and os.path.getsize(full) == r.get("bytes"),
               "bundle create reported %r; the file has %d bytes" % (r, os.path.getsize(full)))
        info = ch.t("bundle", "inspect", full)
        ctx.ok(info.get("ok") is True and info.get("complete") is True and info.get("changesets") == r["changesets"],
               "bundle inspect of a fresh bundle: %r" % info)
        receipt = os.path.join(bdir, "chiapas.receipt")
        bundle_apply(ctx, ch, full, "--receipt", receipt)
        ctx.ok(gu.log_ids() <= ch.log_ids(), "chiapas lacks changesets of guerrero's full bundle")
        rr = gu.t("bundle", "apply", receipt)
        ctx.ok(rr.get("ok") is True and rr.get("holder") == ch.key, "applying chiapas's receipt on guerrero: %r" % rr)
        put(gu, "guerrero/brigadas/despues-del-paquete", "nombre=tras el recibo")
        delta = os.path.join(bdir, "guerrero-for-chiapas.tjb")
        rd = gu.t("bundle", "create", delta, "--for", "chiapas")
        ctx.ok(rd["changesets"] < r["changesets"],
               "bundle --for chiapas after a receipt holds %d changesets, the full one %d" % (rd["changesets"], r["changesets"]))
        ad = bundle_apply(ctx, ch, delta)
        ctx.ok(ad.get("applied", 0) >= 1, "the --for bundle applied nothing new: %r" % ad)
        ctx.ok(gu.log_ids() <= ch.log_ids(), "chiapas lacks changesets guerrero holds after the --for bundle")
        # coordinator -> oaxaca and guerrero: only namespace shared.
        cb = os.path.join(bdir, "coordinacion-shared.tjb")
        coord.t("bundle", "create", cb, "--namespace", "shared")
        for g in (oa, gu):
            bundle_apply(ctx, g, cb)
            ctx.ok(coord.log_ids("shared") <= g.log_ids("shared"), "%s lacks shared changesets of the coordinator's bundle" % g.name)
        # oaxaca -> coordinator: everything, applied twice (the second time changes nothing).
        ob = os.path.join(bdir, "oaxaca-all.tjb")
        oa.t("bundle", "create", ob)
        bundle_apply(ctx, coord, ob)
        d1 = coord.digest()
        again = bundle_apply(ctx, coord, ob)
        ctx.ok(again.get("applied") == 0 and coord.digest() == d1, "applying a bundle twice changed something: %r" % again)
        ctx.ok(oa.log_ids() <= coord.log_ids(), "the coordinator lacks changesets of oaxaca's bundle")
        ctx.note("round 3: bundles guerrero->chiapas (full, receipt back, then --for chiapas), coordinator->oaxaca,guerrero "
                 "(--namespace shared), oaxaca->coordinator (applied twice)")
    else:
        ctx.note("round 3: bundles SKIPPED (--skip-bundles)")

    edits_round4(everyone, exp)
    before_final = {s.name: s.digest() for s in everyone}
    ctx.ok(len(set(before_final.values())) > 1, "all digests already equal before the final round: %r" % before_final)
    ctx.note("before the final round: %d distinct digests among the 4 stores" % len(set(before_final.values())))

    # -- Final round: every carrier into the coordinator, then back out --------------------
    srv = Server(ctx, coord)
    sync(ctx, ch, srv.url, "--key", coord.key)
    # While the TLS server is running on the coordinator's store, other carriers reach it too.
    sync(ctx, gu, "ssh://localhost%s" % coord.path, "--remote-command", bin_)
    sync(ctx, oa, coord.path)
    sync(ctx, ch, srv.url, "--key", coord.key)
    sync(ctx, gu, srv.url, "--key", coord.key)
    sessions = srv.stop()
    ctx.ok(len(sessions) == 3 and all(s.get("ok") for s in sessions), "final round tcp sessions: %r" % sessions)
    ctx.note("final round: chiapas (tcp), guerrero (ssh), oaxaca (path) into the coordinator while it serves tcp; "
             "then chiapas and guerrero again over tcp")

    # -- Convergence -----------------------------------------------------------------------
    statuses = {s.name: s.status() for s in everyone}
    digests = {n: st["digest"] for n, st in statuses.items()}
    ctx.ok(len(set(digests.values())) == 1, "digests differ after the final round: %s" % json.dumps(digests, indent=1))
    for n, st in statuses.items():
        ctx.ok(st["pending"] == 0 and st["quarantined"] == 0,
               "%s has %d pending and %d quarantined changesets" % (n, st["pending"], st["quarantined"]))
        ctx.ok(st["network"] == network, "%s is in network %s" % (n, st["network"]))
    ns_views = {n: sorted((x["name"], x["namespace"], x["changesets"], x["records"]) for x in st["namespaces"])
                for n, st in statuses.items()}
    ctx.ok(all(v == ns_views["coordinacion"] for v in ns_views.values()),
           "per-namespace counts differ: %s" % json.dumps(ns_views, indent=1))
    ctx.ok(sorted(x[0] for x in ns_views["coordinacion"]) == sorted(GROUPS + ["shared"]),
           "the stores hold namespaces %r" % ns_views["coordinacion"])
    applied = {n: st["applied"] for n, st in statuses.items()}
    ctx.ok(len(set(applied.values())) == 1, "applied counts differ: %r" % applied)
    ids = {s.name: s.log_ids() for s in everyone}
    ctx.ok(all(v == ids["coordinacion"] for v in ids.values()), "the stores hold different changesets")
    ctx.ok(len(ids["coordinacion"]) == applied["coordinacion"], "log lists %d changesets, status says %d applied"
           % (len(ids["coordinacion"]), applied["coordinacion"]))
    authors = {c["author"] for c in coord.t("log") if c["namespace"] == "shared"}
    ctx.ok({g.key for g in groups} | {coord.key} <= authors, "not every store wrote into shared")
    for s in everyone:
        v = s.t("verify")
        ctx.ok(v.get("ok") is True and not v.get("problems") and v.get("pending") == 0 and v.get("quarantined") == 0,
               "verify on %s: %r" % (s.name, v))
    ctx.note("converged: one digest %s..., %d changesets each, 0 pending, 0 quarantined, verify ok on all 4"
             % (digests["coordinacion"][:16], applied["coordinacion"]))

    queries = [
        "SELECT * FROM acuerdos ORDER BY namespace, id",
        "SELECT * FROM eventos ORDER BY namespace, id",
        "SELECT namespace, COUNT(*) AS n, SUM(firmas) AS firmas, SUM(asistencia) AS asistencia FROM eventos "
        "GROUP BY namespace ORDER BY namespace",
    ] + ["SELECT * FROM %s ORDER BY namespace, id" % OWN_COLLECTION[g] for g in GROUPS]
    results = {}
    for q in queries:
        rs = {s.name: s.query(q) for s in everyone}
        canon = {n: json.dumps(r, sort_keys=True, ensure_ascii=False) for n, r in rs.items()}
        ctx.ok(len(set(canon.values())) == 1, "query results differ across stores for: %s\n%s"
               % (q, "\n".join("%s: %s" % (n, c[:600]) for n, c in canon.items())))
        ctx.ok(len(rs["coordinacion"]) > 0, "query returned no rows: %s" % q)
        results[q] = rs["coordinacion"]
    ctx.note("%d queries (shared acuerdos, eventos in all namespaces, an aggregate, each group's collection) "
             "give identical rows on all 4 stores" % len(queries))

    # -- What the merge must have produced (beyond being the same everywhere) --------------
    acuerdos = {r["id"]: r for r in results[queries[0]] if r["namespace"] == "shared"}
    a1 = acuerdos.get("a1")
    ctx.ok(a1 is not None, "shared/acuerdos/a1 is missing")
    ctx.ok(a1["votos"] == exp.counters[("shared/acuerdos/a1", "votos")],
           "a1.votos is %r, the increments add up to %d" % (a1["votos"], exp.counters[("shared/acuerdos/a1", "votos")]))
    temas = set(json.loads(a1["temas"]))
    ctx.ok(set(GROUPS) <= temas and "agua" not in temas, "a1.temas is %r" % sorted(temas))
    ctx.ok(all(a1.get("nota_%s" % g) == "%s dice algo en ronda 3" % g for g in GROUPS), "a1's per-group notes: %r" % a1)
    ctx.ok(all(a1.get("ultimo_%s" % g) == i for i, g in enumerate(GROUPS)), "a1's last fields: %r" % a1)
    ctx.ok(acuerdos.get("a2", {}).get("estado") == "revivido", "a2 was not revived: %r" % acuerdos.get("a2"))
    ctx.ok(acuerdos.get("a3", {}).get("estado") == "reabierta", "a3 was not revived: %r" % acuerdos.get("a3"))
    a4 = acuerdos.get("a4", {})
    ctx.ok(a4.get("votos") == 4 and a4.get("responsable") in ("coordinacion",) + tuple(GROUPS) and a4.get("cerrado") == 1,
           "a4 is %r" % a4)
    # Deletes hide what was written before them (by stamp), whoever wrote it; later writes,
    # even from stores that never saw the delete, stay.
    a2, a3 = acuerdos.get("a2", {}), acuerdos.get("a3", {})
    ctx.ok(a2.get("titulo") is None and a2.get("lugar") == "Chilpancingo" and json.loads(a2.get("temas") or "[]") == ["agua"],
           "a2 after chiapas's delete, guerrero's and oaxaca's later writes and the revive: %r" % a2)
    ctx.ok(a3.get("titulo") is None and a3.get("nota") == "coordinación confirma",
           "a3 after guerrero's delete and revive: %r" % a3)
    for (path, field), want in exp.counters.items():
        got = coord.get(path).get(field)
        ctx.ok(got == want, "%s %s is %r, the increments add up to %d" % (path, field, got, want))
    for g in GROUPS:
        ev = coord.get("%s/eventos/ev1" % g)
        ctx.ok(ev.get("estado") == "revisado en ronda 3", "%s/eventos/ev1 is %r" % (g, ev))
    ev = coord.get("oaxaca/eventos/ev1")
    ctx.ok(ev.get("titulo") == "Reunión oaxaca reprogramada" and "asistentes" not in ev,
           "oaxaca/eventos/ev1 after its delete and revive: %r" % ev)
    ctx.note("merge results as expected: %d counters add up (increments before a delete hidden), set adds and "
             "removes, 3 deleted-and-revived records hold only later writes, per-group fields kept"
             % len(exp.counters))


def main():
    ap = argparse.ArgumentParser(description="End-to-end convergence test of tejido: 3 groups + a coordinator, all carriers.")
    ap.add_argument("--tejido", required=True, help="path to the tejido binary")
    ap.add_argument("--keep", action="store_true", help="keep the temporary stores (their path is printed)")
    ap.add_argument("--verbose", "-v", action="store_true", help="print every command")
    ap.add_argument("--skip-bundles", action="store_true", help="leave out the bundle carrier (for a tejido without bundles)")
    args = ap.parse_args()

    binary = os.path.abspath(args.tejido)
    if not os.path.exists(binary):
        # It may be in the middle of a rebuild.
        for _ in range(15):
            time.sleep(2)
            if os.path.exists(binary):
                break
    if not os.path.exists(binary):
        print("FAIL: no tejido binary at %s" % binary, file=sys.stderr)
        return 1

    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    root = tempfile.mkdtemp(prefix="tejido-e2e-", dir=base)
    ctx = Ctx(binary, root, args.verbose)
    started = time.time()
    status = 0
    try:
        run(ctx, args.skip_bundles)
    except Failure as e:
        status = 1
        print("FAIL: %s" % e, file=sys.stderr)
        print("(after %d tejido commands and %d checks; stores in %s%s)" % (
            ctx.commands, ctx.checks, root, "" if args.keep else ", removed: rerun with --keep to look at them"), file=sys.stderr)
    except Exception:
        status = 1
        import traceback
        traceback.print_exc()
    finally:
        for s in list(ctx.servers):
            s.kill()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    elapsed = time.time() - started
    print("convergence test: " + ("PASS" if status == 0 else "FAIL"))
    for line in ctx.summary:
        print("  - " + line)
    print("  %d tejido commands, %d checks, %.1f s%s" % (ctx.commands, ctx.checks, elapsed,
                                                         ("; stores kept in " + root) if args.keep else ""))
    return status


if __name__ == "__main__":
    sys.exit(main())
