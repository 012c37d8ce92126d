#!/usr/bin/env python3
"""pycrdt on the shared workload, measured beside tejido-bench on the same machine in the same run.

The import budget of issue 2 is "at least as fast as pycrdt applies the same workload in
memory", quoted as 175,000 ops/s from another machine of this kind. Machines here vary by 20% or
more from hour to hour, so tejido-bench runs this script in every import run and reports the
ratio as well as the fixed figure.

The model is the fastest this script's author found, so that the comparison is generous to
pycrdt: one map per group, keyed "collection/id/field"; a counter is a register holding the
running sum (Yjs has no counter, so concurrent increments would not add up as Tejido's do); a set
element is a key of its own, a remove deletes it; a record delete is a register. The input is
parsed and grouped by transaction before the clock starts. Nothing is durable or signed.

  apply: each group applies its own ops into its own document, one transaction per txn.
  merge: a fresh document takes in the three groups' whole-state updates.

Prints one JSON object: {"apply_ops_per_s", "apply_seconds", "merge_ops_per_s", "merge_seconds",
"update_bytes", "ops", "pycrdt"}. Exit status 3 if pycrdt cannot be imported.
"""
import argparse
import gc
import json
import sys
import time

try:
    import pycrdt
    from pycrdt import Doc, Map
except ImportError:
    print("pycrdt is not installed for %s (scripts/bench/setup-reference.sh makes a venv with it)" % sys.executable,
          file=sys.stderr)
    sys.exit(3)

GROUPS = ["chiapas", "guerrero", "oaxaca"]


def load(path):
    """Each group's ops, grouped into transactions, keys built in advance."""
    txns = {g: [] for g in GROUPS}
    last = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            g = o["replica"]
            if g not in txns:
                continue
            kind = o["op"]
            key = o["collection"] + "/" + o["id"] + "/" + o["field"]
            if kind in ("add", "remove"):
                key += "/" + str(o["value"])
            if last.get(g) != o["txn"]:
                txns[g].append([])
                last[g] = o["txn"]
            txns[g][-1].append((kind, key, o["value"]))
    return txns


def apply_group(txns):
    doc = Doc()
    data = doc.get("data", type=Map)
    sums = {}
    for ops in txns:
        with doc.transaction():
            for kind, key, value in ops:
                if kind == "set":
                    data[key] = value
                elif kind == "inc":
                    total = sums.get(key, 0) + value
                    sums[key] = total
                    data[key] = total
                elif kind == "add":
                    data[key] = True
                elif kind == "remove":
                    data.pop(key, None)
                else:
                    data[key] = 1
    return doc


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workload")
    a = ap.parse_args()
    txns = load(a.workload)
    ops = sum(len(t) for g in GROUPS for t in txns[g])
    apply_seconds = 0.0
    gc.collect()
    gc.disable()  # no collector pauses while the clock runs: generous to pycrdt
    updates = []
    for g in GROUPS:
        start = time.perf_counter()
        doc = apply_group(txns[g])
        apply_seconds += time.perf_counter() - start
        updates.append(doc.get_update())
    start = time.perf_counter()
    coordinator = Doc()
    for u in updates:
        coordinator.apply_update(u)
    merge_seconds = time.perf_counter() - start
    # The merge really happened: every key of every group is in the coordinator's map.
    merged = len(coordinator.get("data", type=Map))
    if merged == 0:
        print("the merged document is empty", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({
        "apply_ops_per_s": ops / apply_seconds, "apply_seconds": apply_seconds,
        "merge_ops_per_s": ops / merge_seconds, "merge_seconds": merge_seconds,
        "update_bytes": sum(len(u) for u in updates), "ops": ops, "merged_keys": merged,
        "pycrdt": getattr(pycrdt, "__version__", "unknown"),
    }))


if __name__ == "__main__":
    main()
