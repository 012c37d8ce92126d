#!/usr/bin/env python3
"""Independent checker for Tejido changesets, format version 1.

Written from the prose in protocol/changeset.md and protocol/ops.md, not from the Swift code,
so that it can catch the reference implementation and the documents disagreeing.

Needs Python 3.9+ with `cbor2` and `cryptography` (pip install cbor2 cryptography).

Usage:
    check_vectors.py [VECTORS_JSON]        check protocol/vectors.json (default: next to this file)
    check_vectors.py --envelopes FILE      check one lowercase hex envelope per line ('-' = stdin),
                                           e.g. the output of `tejido log --envelopes`
    check_vectors.py --self-test           build envelopes here, tamper with them, check the checker
    check_vectors.py --sample-vectors OUT  write a small vectors file built by this script (for trying
                                           the checker before the Swift-generated file exists)

Every mode prints one line per failure (naming the vector or line and the rule broken) and ends
with the line `N passed, M failed`. The exit status is 0 only when nothing failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

try:
    import cbor2
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
except ImportError as exc:  # pragma: no cover - environment problem, not a check failure
    sys.stderr.write(f"check_vectors.py needs cbor2 and cryptography (pip install cbor2 cryptography): {exc}\n")
    sys.exit(2)

# ---------------------------------------------------------------------------------------------
# Constants of format version 1
# ---------------------------------------------------------------------------------------------

FORMAT_VERSION = 1
SIGNING_PREFIX = b"tejido/changeset/v1"
MAX_ENVELOPE_BYTES = 1 << 20  # 1,048,576
MAX_OPS = 10_000
MAX_DEPS = 1_024
MAX_OBSERVED = 1_024
MAX_MESSAGE_BYTES = 4_096
MAX_NAME_BYTES = 64
MAX_RECORD_ID_BYTES = 256
RESERVED_FIELDS = {"id", "namespace"}
ROLES = {1: "reader", 2: "writer", 3: "admin"}
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1

OP_SET, OP_DELETE, OP_COUNTER_ADD, OP_SET_ADD, OP_SET_REMOVE, OP_GRANT, OP_NAME, OP_REVOKE, OP_VISIBILITY = range(9)
OP_LENGTHS = {OP_SET: 5, OP_DELETE: 3, OP_COUNTER_ADD: 5, OP_SET_ADD: 5, OP_SET_REMOVE: 6, OP_GRANT: 3, OP_NAME: 2, OP_REVOKE: 3, OP_VISIBILITY: 2}

# ---------------------------------------------------------------------------------------------
# Ed25519 strictness: curve arithmetic just sufficient to derive the small-order points
# ---------------------------------------------------------------------------------------------

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493  # order of the prime subgroup
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _recover_x(y: int) -> Optional[int]:
    """An x with (x, y) on edwards25519 (-x^2 + y^2 = 1 + d x^2 y^2), or None."""
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x2 = u * pow(v, P - 2, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    return x


def _add(p1: Tuple[int, int], p2: Tuple[int, int]) -> Tuple[int, int]:
    (x1, y1), (x2, y2) = p1, p2
    t = D * x1 * x2 * y1 * y2 % P
    x3 = (x1 * y2 + y1 * x2) * pow(1 + t, P - 2, P) % P
    y3 = (y1 * y2 + x1 * x2) * pow(1 - t, P - 2, P) % P
    return x3, y3


def _mul(k: int, pt: Tuple[int, int]) -> Tuple[int, int]:
    acc = (0, 1)
    while k:
        if k & 1:
            acc = _add(acc, pt)
        pt = _add(pt, pt)
        k >>= 1
    return acc


def _small_order_points() -> List[Tuple[int, int]]:
    """The 8 points of the torsion subgroup, found as multiples of [L]Q of order 8."""
    y = 2
    while True:
        x = _recover_x(y)
        if x is not None:
            t = _mul(L, (x, y))  # lands in the torsion subgroup (order divides 8)
            if _mul(4, t) != (0, 1):  # order exactly 8: generates the whole cyclic subgroup
                pts, cur = [], (0, 1)
                for _ in range(8):
                    pts.append(cur)
                    cur = _add(cur, t)
                return pts
        y += 1


SMALL_ORDER_POINTS = _small_order_points()
# y-coordinates of the 8 small-order points (5 distinct values: the order-8 points share two y's,
# the order-4 points share y = 0). A 32-byte encoding is of a small-order point exactly when its
# y (the encoding with the top bit cleared) is one of these, so the sign bit is ignored here.
SMALL_ORDER_Y = frozenset(y for (_, y) in SMALL_ORDER_POINTS)
# The same set hard-coded (little-endian hex), as published with the Ed25519 "speccheck" cases;
# --self-test confirms it equals the set derived above.
SMALL_ORDER_Y_HEX = (
    "0000000000000000000000000000000000000000000000000000000000000000",  # y = 0: order 4
    "0100000000000000000000000000000000000000000000000000000000000000",  # y = 1: identity
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y = p-1: order 2
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
)


def point_problem(enc: bytes) -> Optional[str]:
    """Why a 32-byte point encoding is unacceptable under strict verification, or None."""
    if len(enc) != 32:
        return "not 32 bytes"
    y = int.from_bytes(enc, "little") & ((1 << 255) - 1)
    if y >= P:
        return "non-canonical encoding (y >= p)"
    if y in SMALL_ORDER_Y:
        return "point of small order"
    return None


def strict_verify(public_key: bytes, signature: bytes, message: bytes) -> Optional[Tuple[str, str]]:
    """None if the signature is valid under strict rules, else (rule, detail)."""
    problem = point_problem(public_key)
    if problem:
        return "signature.strict-key", f"author key: {problem}"
    if len(signature) != 64:
        return "signature.length", "signature is not 64 bytes"
    problem = point_problem(signature[:32])
    if problem:
        return "signature.strict-R", f"R: {problem}"
    if int.from_bytes(signature[32:], "little") >= L:
        return "signature.strict-S", "S >= L"
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError) as exc:
        return "signature.invalid", f"Ed25519 verification failed ({type(exc).__name__})"
    return None


# ---------------------------------------------------------------------------------------------
# Decoding and structural checks
# ---------------------------------------------------------------------------------------------


class Fail(Exception):
    def __init__(self, rule: str, detail: str):
        super().__init__(f"{rule}: {detail}")
        self.rule = rule
        self.detail = detail


@dataclass
class Changeset:
    envelope: bytes
    body_bytes: bytes
    signature: bytes
    id: bytes
    version: int
    network: bytes
    namespace: bytes
    author: bytes
    seq: int
    prev: Optional[bytes]
    deps: List[bytes]
    hlc: int
    ops: List[list]
    message: Optional[str]


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_data_model(item: Any, where: str) -> None:
    """Only the CBOR items Tejido uses may appear: no tags, no simple values but false/true/null,
    no NaN. (cbor2 maps tags and undefined to other Python types, which land in the else branch.)"""
    if item is None or isinstance(item, (bool, bytes, str)) or _is_int(item):
        return
    if isinstance(item, float):
        if math.isnan(item):
            raise Fail("cbor.nan", f"NaN float in {where}")
        return
    if isinstance(item, list):
        for i, x in enumerate(item):
            _check_data_model(x, f"{where}[{i}]")
        return
    if isinstance(item, dict):
        for k, v in item.items():
            _check_data_model(k, f"{where} key")
            _check_data_model(v, f"{where}[{k!r}]")
        return
    raise Fail("cbor.type", f"{where}: CBOR item not allowed (decoded as {type(item).__name__}: {item!r})")


def _first_difference(a: bytes, b: bytes) -> int:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def _decode_canonical(data: bytes, what: str, rule: str) -> Any:
    try:
        item = cbor2.loads(data)
    except Exception as exc:  # cbor2 raises several types; all mean "not valid CBOR"
        raise Fail("cbor.decode", f"{what} is not well-formed CBOR ({exc})")
    _check_data_model(item, what)
    again = cbor2.dumps(item, canonical=True)
    if again != data:
        at = _first_difference(again, data)
        raise Fail(rule, f"{what} is not deterministic CBOR: canonical re-encoding differs at byte {at} "
                         f"(non-shortest head, unsorted/duplicate key, indefinite length, "
                         f"non-preferred float or trailing bytes)")
    return item


def _bstr(v: Any, n: int, what: str) -> bytes:
    if not isinstance(v, bytes):
        raise Fail("body.type", f"{what} must be a byte string")
    if len(v) != n:
        raise Fail("body.length", f"{what} must be {n} bytes, got {len(v)}")
    return v


def valid_name(s: Any) -> bool:
    if not isinstance(s, str) or not s.isascii() or not 1 <= len(s) <= MAX_NAME_BYTES:
        return False
    if not ("A" <= s[0] <= "Z" or "a" <= s[0] <= "z"):
        return False
    if s[:7].lower() == "sqlite_":
        return False
    return all(c.isascii() and (c.isalnum() or c in "_-") for c in s)


def valid_record_id(s: Any) -> bool:
    if not isinstance(s, str):
        return False
    u = s.encode("utf-8")
    return 1 <= len(u) <= MAX_RECORD_ID_BYTES and not any(b < 0x20 or b == 0x7F for b in u)


def _check_value(v: Any, where: str) -> None:
    if v is None or isinstance(v, (bool, str, bytes)):
        return
    if _is_int(v):
        if not INT64_MIN <= v <= INT64_MAX:
            raise Fail("value.int64", f"{where}: integer {v} outside int64")
        return
    if isinstance(v, float):
        if math.isnan(v):
            raise Fail("value.nan", f"{where}: NaN")
        return
    raise Fail("value.type", f"{where}: a value must be null, bool, int, float, text or bytes")


def _check_op(op: Any, i: int) -> None:
    w = f"op {i}"
    if not isinstance(op, list) or len(op) < 2:
        raise Fail("op.shape", f"{w}: must be an array of at least 2 items")
    code = op[0]
    if not _is_int(code) or code not in OP_LENGTHS:
        raise Fail("op.code", f"{w}: unknown op code {code!r}")
    if len(op) != OP_LENGTHS[code]:
        raise Fail("op.shape", f"{w}: op code {code} takes {OP_LENGTHS[code]} items, got {len(op)}")
    if code <= OP_SET_REMOVE:
        if not valid_name(op[1]):
            raise Fail("op.collection", f"{w}: invalid collection name {op[1]!r}")
        if not valid_record_id(op[2]):
            raise Fail("op.record-id", f"{w}: invalid record id {op[2]!r}")
        if code != OP_DELETE:
            if not valid_name(op[3]):
                raise Fail("op.field", f"{w}: invalid field name {op[3]!r}")
            if op[3] in RESERVED_FIELDS:
                raise Fail("op.field", f"{w}: field name {op[3]!r} is reserved")
    if code in (OP_SET, OP_SET_ADD, OP_SET_REMOVE):
        _check_value(op[4], f"{w} value")
    elif code == OP_COUNTER_ADD:
        if not _is_int(op[4]) or not INT64_MIN <= op[4] <= INT64_MAX:
            raise Fail("op.delta", f"{w}: counter delta must be an int64")
    if code == OP_SET_REMOVE:
        obs = op[5]
        if not isinstance(obs, list):
            raise Fail("op.observed", f"{w}: observed must be an array")
        if len(obs) > MAX_OBSERVED:
            raise Fail("limit.observed", f"{w}: {len(obs)} observed adds (max {MAX_OBSERVED})")
        last = None
        for j, ref in enumerate(obs):
            if (not isinstance(ref, list) or len(ref) != 2 or not isinstance(ref[0], bytes) or len(ref[0]) != 32
                    or not _is_int(ref[1]) or ref[1] < 0):
                raise Fail("op.observed", f"{w}: observed[{j}] must be [bstr 32, uint]")
            if ref[1] >= MAX_OPS:
                raise Fail("op.observed", f"{w}: observed[{j}] names op index {ref[1]}, past the {MAX_OPS}-op limit")
            key = (ref[0], ref[1])
            if last is not None and not last < key:
                raise Fail("op.observed-order", f"{w}: observed adds not strictly sorted at {j}")
            last = key
    if code == OP_GRANT:
        if not isinstance(op[1], bytes) or len(op[1]) != 32:
            raise Fail("op.grant-key", f"{w}: grant key must be 32 bytes")
        if not _is_int(op[2]) or op[2] not in ROLES:
            raise Fail("op.role", f"{w}: role must be 1, 2 or 3, got {op[2]!r}")
    if code == OP_REVOKE:
        if not isinstance(op[1], bytes) or len(op[1]) != 32:
            raise Fail("op.revoke-key", f"{w}: revoked key must be 32 bytes")
        if not _is_int(op[2]) or not 0 <= op[2] < 2 ** 64:
            raise Fail("op.cutoff", f"{w}: cut-off must be an unsigned integer, got {op[2]!r}")
    if code == OP_VISIBILITY and (not _is_int(op[1]) or op[1] not in (0, 1)):
        raise Fail("op.visibility", f"{w}: visibility must be 0 (public) or 1 (private), got {op[1]!r}")
    if code == OP_NAME and not valid_name(op[1]):
        raise Fail("op.name", f"{w}: invalid namespace name {op[1]!r}")


def parse_envelope(raw: bytes) -> Changeset:
    """Decode and check everything that one envelope alone determines (not the chains)."""
    if len(raw) > MAX_ENVELOPE_BYTES:
        raise Fail("limit.envelope", f"envelope is {len(raw)} bytes (max {MAX_ENVELOPE_BYTES})")
    env = _decode_canonical(raw, "envelope", "envelope.canonical")
    if not isinstance(env, list) or len(env) != 2 or not all(isinstance(x, bytes) for x in env):
        raise Fail("envelope.shape", "envelope must be an array of exactly two byte strings")
    body_bytes, sig = env
    if len(sig) != 64:
        raise Fail("envelope.signature-length", f"signature is {len(sig)} bytes, not 64")
    body = _decode_canonical(body_bytes, "body", "body.canonical")
    if not isinstance(body, dict):
        raise Fail("body.type", "body must be a map")
    for k in body:
        if not _is_int(k) or not 0 <= k <= 9:
            raise Fail("body.unknown-key", f"unknown body key {k!r}")
    for k in (0, 1, 2, 3, 4, 6, 7, 8):
        if k not in body:
            raise Fail("body.missing-key", f"missing body key {k}")
    if not _is_int(body[0]) or body[0] != FORMAT_VERSION:
        raise Fail("body.version", f"format version must be 1, got {body[0]!r}")
    network = _bstr(body[1], 32, "network id")
    namespace = _bstr(body[2], 32, "namespace id")
    author = _bstr(body[3], 32, "author key")
    seq = body[4]
    if not _is_int(seq) or seq < 1 or seq > 2**63 - 1:
        raise Fail("body.seq", f"seq must be an unsigned integer from 1 to 2^63 - 1, got {seq!r}")
    prev = body.get(5)
    if prev is not None or 5 in body:
        prev = _bstr(prev, 32, "prev")
    if seq == 1 and prev is not None:
        raise Fail("body.prev", "prev must be absent when seq is 1")
    if seq > 1 and prev is None:
        raise Fail("body.prev", "prev is required when seq > 1")
    deps = body[6]
    if not isinstance(deps, list):
        raise Fail("body.type", "deps must be an array")
    if len(deps) > MAX_DEPS:
        raise Fail("limit.deps", f"{len(deps)} deps (max {MAX_DEPS})")
    for j, d in enumerate(deps):
        _bstr(d, 32, f"deps[{j}]")
        if j and not deps[j - 1] < d:
            raise Fail("body.deps-order", f"deps not strictly sorted bytewise at index {j}")
    hlc = body[7]
    if not _is_int(hlc) or hlc < 0:
        raise Fail("body.hlc", "HLC must be an unsigned integer")
    ops = body[8]
    if not isinstance(ops, list):
        raise Fail("body.type", "ops must be an array")
    if not ops:
        raise Fail("body.ops-empty", "ops must not be empty")
    if len(ops) > MAX_OPS:
        raise Fail("limit.ops", f"{len(ops)} ops (max {MAX_OPS})")
    for i, op in enumerate(ops):
        _check_op(op, i)
    message = body.get(9)
    if 9 in body:
        if not isinstance(message, str):
            raise Fail("body.type", "message must be a text string")
        n = len(message.encode("utf-8"))
        if not 1 <= n <= MAX_MESSAGE_BYTES:
            raise Fail("body.message", f"message must be 1..{MAX_MESSAGE_BYTES} bytes, got {n}")
    cid = hashlib.sha256(body_bytes).digest()
    problem = strict_verify(author, sig, SIGNING_PREFIX + cid)
    if problem:
        raise Fail(*problem)
    return Changeset(raw, body_bytes, sig, cid, body[0], network, namespace, author, seq, prev, list(deps), hlc,
                     ops, message)


# ---------------------------------------------------------------------------------------------
# Chains across a set of changesets
# ---------------------------------------------------------------------------------------------


def check_chains(items: List[Tuple[str, Changeset, Iterable[bytes]]], partial: bool = False) -> Dict[str, List[Fail]]:
    """items: (label, changeset, extra known dep ids). Returns failures by label.

    Per (namespace, author): the seqs are exactly 1..n (or, when partial, contiguous), each id
    appears once, and prev of seq k is the id of seq k-1. Every dep is an id in the set (or an
    extra known id, or anything when partial)."""
    out: Dict[str, List[Fail]] = {}

    def fail(label: str, rule: str, detail: str) -> None:
        out.setdefault(label, []).append(Fail(rule, detail))

    ids: Dict[bytes, str] = {}
    for label, cs, _ in items:
        if cs.id in ids:
            fail(label, "chain.duplicate", f"same changeset as {ids[cs.id]}")
        else:
            ids[cs.id] = label
    feeds: Dict[Tuple[bytes, bytes], Dict[int, List[Tuple[str, Changeset]]]] = {}
    for label, cs, _ in items:
        if ids.get(cs.id) != label:
            continue
        feeds.setdefault((cs.namespace, cs.author), {}).setdefault(cs.seq, []).append((label, cs))
    for (ns, author), by_seq in feeds.items():
        feed = f"feed namespace {ns.hex()[:16]}.. author {author.hex()[:16]}.."
        seqs = sorted(by_seq)
        start = seqs[0] if partial else 1
        for s in seqs:
            entries = by_seq[s]
            if len(entries) > 1:
                for label, _ in entries:
                    fail(label, "chain.fork", f"{feed}: {len(entries)} different changesets with seq {s}")
        for s in seqs:
            label, cs = by_seq[s][0]
            if s > start and s - 1 not in by_seq:
                fail(label, "chain.gap", f"{feed}: seq {s} present but seq {s - 1} is missing")
            if s - 1 in by_seq:
                want = by_seq[s - 1][0][1].id
                if cs.prev != want:
                    got = cs.prev.hex() if cs.prev else "absent"
                    fail(label, "chain.prev", f"{feed}: prev of seq {s} is {got}, want id of seq {s - 1} {want.hex()}")
        if not partial and seqs[0] != 1:
            label = by_seq[seqs[0]][0][0]
            fail(label, "chain.gap", f"{feed}: starts at seq {seqs[0]}, not 1")
    for label, cs, extra in items:
        extra = set(extra)
        for d in cs.deps:
            if d not in ids and d not in extra and not partial:
                fail(label, "chain.dep", f"dep {d.hex()} is not a changeset of this input")
            elif d == cs.id:
                fail(label, "chain.dep", "a changeset cannot depend on itself")
    return out


# ---------------------------------------------------------------------------------------------
# Vectors file
# ---------------------------------------------------------------------------------------------


def _match(expected: Any, actual: Any, where: str) -> None:
    """Compare a decoded CBOR item with its JSON description (bytes as {"hex": ...})."""
    def bad(why: str) -> Fail:
        return Fail("decoded.mismatch", f"{where}: {why} (vector says {json.dumps(expected)[:120]})")

    if isinstance(actual, bytes):
        if not (isinstance(expected, dict) and set(expected) == {"hex"} and isinstance(expected["hex"], str)):
            raise bad("expected bytes as {\"hex\": ...}")
        if expected["hex"].lower() != actual.hex():
            raise bad(f"bytes differ, envelope has {actual.hex()}")
    elif isinstance(actual, bool) or actual is None:
        if expected is not actual:
            raise bad(f"envelope has {json.dumps(actual)}")
    elif _is_int(actual):
        if not _is_int(expected) or expected != actual:
            raise bad(f"envelope has integer {actual}")
    elif isinstance(actual, float):
        # A JSON writer may print 2.0 as 2, so any JSON number of equal value matches a float;
        # infinities may come as JSON Infinity (Python's extension) or as the strings below.
        if isinstance(expected, str) and expected in ("Infinity", "-Infinity", "inf", "-inf"):
            expected = float(expected.replace("Infinity", "inf"))
        try:
            same = not isinstance(expected, bool) and isinstance(expected, (int, float)) and float(expected) == actual
        except OverflowError:
            same = False
        if not same:
            raise bad(f"envelope has float {actual!r}")
        if actual == 0 and isinstance(expected, float) and math.copysign(1, expected) != math.copysign(1, actual):
            raise bad(f"sign of zero differs, envelope has {actual!r}")
    elif isinstance(actual, str):
        if expected != actual:
            raise bad(f"envelope has {json.dumps(actual)}")
    elif isinstance(actual, list):
        if not isinstance(expected, list) or len(expected) != len(actual):
            raise bad(f"envelope has an array of {len(actual)}")
        for i, (e, a) in enumerate(zip(expected, actual)):
            _match(e, a, f"{where}[{i}]")
    else:  # pragma: no cover - ruled out by _check_data_model
        raise bad(f"unexpected item {actual!r}")


def _hex_field(v: Any) -> Optional[str]:
    return v.lower() if isinstance(v, str) else v


def check_decoded(cs: Changeset, dec: Any) -> None:
    if not isinstance(dec, dict):
        raise Fail("decoded.missing", "vector has no 'decoded' object")
    want = {
        "version": cs.version, "network": cs.network.hex(), "namespace": cs.namespace.hex(),
        "author": cs.author.hex(), "seq": cs.seq, "prev": cs.prev.hex() if cs.prev else None,
        "deps": [d.hex() for d in cs.deps], "hlc": cs.hlc, "message": cs.message,
    }
    for k, v in want.items():
        if k not in dec:
            raise Fail("decoded.missing", f"decoded.{k} missing")
        got = dec[k]
        if k in ("network", "namespace", "author", "prev"):
            got = _hex_field(got)
        elif k == "deps":
            got = [_hex_field(x) for x in got] if isinstance(got, list) else got
        if isinstance(v, int) and (not _is_int(got)):
            raise Fail("decoded.mismatch", f"decoded.{k} is {json.dumps(dec[k])}, envelope has {v}")
        if got != v:
            raise Fail("decoded.mismatch", f"decoded.{k} is {json.dumps(dec[k])}, envelope has {json.dumps(v)}")
    if "ops" not in dec:
        raise Fail("decoded.missing", "decoded.ops missing")
    _match(dec["ops"], cs.ops, "decoded.ops")


@dataclass
class Report:
    passed: int = 0
    failed: int = 0
    lines: List[str] = field(default_factory=list)

    def record(self, label: str, fails: List[Fail]) -> None:
        if fails:
            self.failed += 1
            for f in fails:
                self.lines.append(f"FAIL {label}: [{f.rule}] {f.detail}")
        else:
            self.passed += 1

    def finish(self, out=sys.stdout) -> int:
        for line in self.lines:
            print(line, file=out)
        print(f"{self.passed} passed, {self.failed} failed", file=out)
        return 0 if self.failed == 0 and self.passed > 0 else 1


def run_vectors(path: str, out=sys.stdout) -> int:
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as exc:
        print(f"FAIL {path}: [vectors.file] cannot read: {exc}", file=out)
        print("0 passed, 1 failed", file=out)
        return 1
    report = Report()
    if not isinstance(doc, dict) or doc.get("format") != 1 or not isinstance(doc.get("vectors"), list):
        report.record(path, [Fail("vectors.file", "expected {\"format\": 1, \"vectors\": [...]}")])
        return report.finish(out)
    labels: List[str] = []
    fails: Dict[str, List[Fail]] = {}
    parsed: List[Tuple[str, Changeset, Iterable[bytes]]] = []
    for n, v in enumerate(doc["vectors"]):
        label = f"vector {n} ({v.get('name', '?') if isinstance(v, dict) else '?'})"
        labels.append(label)
        fails[label] = []
        try:
            if not isinstance(v, dict) or not isinstance(v.get("envelope"), str):
                raise Fail("vectors.file", "vector has no 'envelope' hex string")
            try:
                raw = bytes.fromhex(v["envelope"])
            except ValueError:
                raise Fail("vectors.file", "envelope is not hex")
            cs = parse_envelope(raw)
            if _hex_field(v.get("id")) != cs.id.hex():
                raise Fail("id.mismatch", f"vector id {v.get('id')} but SHA-256(body) is {cs.id.hex()}")
            check_decoded(cs, v.get("decoded"))
            ext = []
            for x in v.get("external_deps", []) or []:
                try:
                    ext.append(bytes.fromhex(x))
                except (TypeError, ValueError):
                    raise Fail("vectors.file", f"external_deps entry {x!r} is not hex")
            parsed.append((label, cs, ext))
        except Fail as f:
            fails[label].append(f)
    for label, fs in check_chains(parsed).items():
        fails[label].extend(fs)
    for label in labels:
        report.record(label, fails[label])
    return report.finish(out)


def run_envelopes(path: str, partial: bool = False, out=sys.stdout) -> int:
    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="ascii", errors="replace").read()
    except OSError as exc:
        print(f"FAIL {path}: [input] cannot read: {exc}", file=out)
        print("0 passed, 1 failed", file=out)
        return 1
    report = Report()
    labels: List[str] = []
    fails: Dict[str, List[Fail]] = {}
    parsed: List[Tuple[str, Changeset, Iterable[bytes]]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        label = f"line {n}"
        labels.append(label)
        fails[label] = []
        try:
            if any(c not in "0123456789abcdef" for c in line) or len(line) % 2:
                raise Fail("input.hex", "not an even-length lowercase hex string")
            cs = parse_envelope(bytes.fromhex(line))
            parsed.append((label, cs, ()))
        except Fail as f:
            fails[label].append(f)
    for label, fs in check_chains(parsed, partial=partial).items():
        fails[label].extend(fs)
    for label in labels:
        report.record(label, fails[label])
    return report.finish(out)


# ---------------------------------------------------------------------------------------------
# Building envelopes (self-test and sample vectors)
# ---------------------------------------------------------------------------------------------


def key_from_seed(byte: int) -> Tuple[Ed25519PrivateKey, bytes]:
    sk = Ed25519PrivateKey.from_private_bytes(bytes([byte]) * 32)
    return sk, sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def encode_body(network: bytes, namespace: bytes, author: bytes, seq: int, prev: Optional[bytes],
                deps: List[bytes], hlc: int, ops: List[list], message: Optional[str] = None) -> bytes:
    body: Dict[int, Any] = {0: FORMAT_VERSION, 1: network, 2: namespace, 3: author, 4: seq}
    if prev is not None:
        body[5] = prev
    body[6] = sorted(set(deps))
    body[7] = hlc
    body[8] = ops
    if message is not None:
        body[9] = message
    return cbor2.dumps(body, canonical=True)


def seal(body_bytes: bytes, sk: Ed25519PrivateKey) -> Tuple[bytes, bytes]:
    """(envelope, id) for body bytes taken as they are (canonical or not)."""
    cid = hashlib.sha256(body_bytes).digest()
    sig = sk.sign(SIGNING_PREFIX + cid)
    return cbor2.dumps([body_bytes, sig], canonical=True), cid


def hlc(ms: int, counter: int = 0) -> int:
    return ms << 16 | counter


NETWORK = hashlib.sha256(b"tejido sample network").digest()


def sample_changesets() -> List[Tuple[str, str, bytes, bytes]]:
    """A small history: (name, description, envelope, id). Keys come from fixed seeds."""
    root_sk, root = key_from_seed(0x01)     # namespace root
    node_sk, node = key_from_seed(0x02)     # the creating node, granted admin by the root
    peer_sk, peer = key_from_seed(0x03)     # a writer
    ns = root
    out = []
    b1 = encode_body(NETWORK, ns, root, 1, None, [], hlc(1764150900000),
                     [[OP_GRANT, node, 3], [OP_NAME, "groceries"]])
    e1, id1 = seal(b1, root_sk)
    out.append(("root-genesis", "The root's seq 1: grants admin to the creating node and names the namespace.", e1, id1))
    b2 = encode_body(NETWORK, ns, node, 1, None, [id1], hlc(1764150900500),
                     [[OP_GRANT, peer, 2],
                      [OP_SET, "items", "milk", "qty", 2],
                      [OP_SET, "items", "milk", "price", 1.5],
                      [OP_SET_ADD, "items", "milk", "tags", "dairy"],
                      [OP_COUNTER_ADD, "items", "milk", "bought", 1]],
                     "first list")
    e2, id2 = seal(b2, node_sk)
    out.append(("node-first", "Node's first changeset: grant, set field (int and float), set add, counter add.", e2, id2))
    b3 = encode_body(NETWORK, ns, peer, 1, None, [id2], hlc(1764150960000, 3),
                     [[OP_SET_REMOVE, "items", "milk", "tags", "dairy", [[id2, 3]]],
                      [OP_SET, "items", "bread", "note", None],
                      [OP_SET, "items", "bread", "fresh", True],
                      [OP_SET, "items", "bread", "photo", b"\x00\x01\xfe"],
                      [OP_COUNTER_ADD, "items", "milk", "bought", -3]])
    e3, id3 = seal(b3, peer_sk)
    out.append(("peer-remove", "A writer removes an observed set element and writes null, bool, bytes; negative delta.", e3, id3))
    b4 = encode_body(NETWORK, ns, node, 2, id2, sorted([id3, id1]), hlc(1764151020000),
                     [[OP_DELETE, "items", "bread"],
                      [OP_SET, "items", "bread", "qty", -1],
                      [OP_SET, "items", "flour", "kg", 0.1],
                      [OP_SET, "items", "flour", "max", float("inf")],
                      [OP_SET, "items", "flour", "big", INT64_MAX]],
                     "revive bread \u00e9")
    e4, id4 = seal(b4, node_sk)
    out.append(("node-second", "Node's seq 2 (prev, two deps): delete then revive, double float, infinity, int64 max.", e4, id4))
    return out


def to_json_item(v: Any) -> Any:
    if isinstance(v, bytes):
        return {"hex": v.hex()}
    if isinstance(v, list):
        return [to_json_item(x) for x in v]
    if isinstance(v, float) and math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"  # strict JSON has no infinities
    return v


def vectors_doc(samples: List[Tuple[str, str, bytes, bytes]]) -> dict:
    vecs = []
    for name, desc, env, cid in samples:
        cs = parse_envelope(env)
        vecs.append({
            "name": name, "description": desc, "envelope": env.hex(), "id": cid.hex(),
            "decoded": {
                "version": cs.version, "network": cs.network.hex(), "namespace": cs.namespace.hex(),
                "author": cs.author.hex(), "seq": cs.seq, "prev": cs.prev.hex() if cs.prev else None,
                "deps": [d.hex() for d in cs.deps], "hlc": cs.hlc, "message": cs.message,
                "ops": to_json_item(cs.ops),
            },
        })
    return {"format": 1, "vectors": vecs}


# ---------------------------------------------------------------------------------------------
# Self-test
# ---------------------------------------------------------------------------------------------


def _replace_sig(env: bytes, sig: bytes) -> bytes:
    body, _ = cbor2.loads(env)
    return cbor2.dumps([body, sig], canonical=True)


def self_test() -> int:
    report = Report()

    def case(name: str, fn) -> None:
        try:
            fn()
            report.record(name, [])
        except Fail as f:
            report.record(name, [f])
        except AssertionError as exc:
            report.record(name, [Fail("self-test", str(exc) or "assertion failed")])

    def rejects(name: str, env: bytes, rule: str) -> None:
        def fn():
            try:
                parse_envelope(env)
            except Fail as f:
                assert f.rule == rule, f"rejected under {f.rule} ({f.detail}), expected {rule}"
                return
            raise AssertionError(f"accepted, expected rejection under {rule}")
        case(f"rejects {name}", fn)

    def chain_rejects(name: str, envs: List[bytes], rule: str) -> None:
        def fn():
            items = [(f"#{i}", parse_envelope(e), ()) for i, e in enumerate(envs)]
            got = {f.rule for fs in check_chains(items).values() for f in fs}
            assert rule in got, f"chain rules reported {sorted(got) or 'none'}, expected {rule}"
        case(f"rejects {name}", fn)

    # The derived small-order set equals the hard-coded one, and really is of small order.
    def small_order():
        assert SMALL_ORDER_Y == {int.from_bytes(bytes.fromhex(h), "little") for h in SMALL_ORDER_Y_HEX}
        assert len(set(SMALL_ORDER_POINTS)) == 8 and all(_mul(8, p) == (0, 1) for p in SMALL_ORDER_POINTS)
    case("small-order y values derived from the curve", small_order)

    samples = sample_changesets()
    envs = [e for _, _, e, _ in samples]
    case("sample changesets are accepted", lambda: [parse_envelope(e) for e in envs])
    case("sample chain is accepted", lambda: assert_no_chain_failures(envs))

    def vectors_roundtrip():
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "vectors.json")
            with open(p, "w") as f:
                json.dump(vectors_doc(samples), f)
            sink = open(os.devnull, "w")
            assert run_vectors(p, out=sink) == 0, "vectors file built from samples fails"
            doc = vectors_doc(samples)
            doc["vectors"][1]["decoded"]["ops"][2][4] = 1.25
            with open(p, "w") as f:
                json.dump(doc, f)
            assert run_vectors(p, out=sink) == 1, "wrong decoded value not caught"
            doc = vectors_doc(samples)
            doc["vectors"][0]["id"] = "00" * 32
            with open(p, "w") as f:
                json.dump(doc, f)
            assert run_vectors(p, out=sink) == 1, "wrong id not caught"
            with open(p, "w") as f:
                f.write("\n".join(e.hex() for e in envs) + "\n")
            assert run_envelopes(p, out=sink) == 0, "envelope lines fail"
            with open(p, "w") as f:
                f.write("\n".join(e.hex() for e in envs[:3]) + "\n")  # drop node's seq 2: fine
            assert run_envelopes(p, out=sink) == 0, "prefix of the log fails"
            with open(p, "w") as f:
                f.write("\n".join(e.hex() for e in envs[1:]) + "\n")  # drop root genesis: dep unknown
            assert run_envelopes(p, out=sink) == 1, "unknown dep not caught"
            assert run_envelopes(p, partial=True, out=sink) == 0, "--partial did not relax deps"
            with open(p, "w") as f:
                f.write(envs[0].hex().upper() + "\n")
            assert run_envelopes(p, out=sink) == 1, "uppercase hex not caught"
            sink.close()
    case("vectors and envelope-lines modes", vectors_roundtrip)

    root_sk, root = key_from_seed(0x01)
    node_sk, node = key_from_seed(0x02)
    e1, id1 = seal(encode_body(NETWORK, root, root, 1, None, [], hlc(1000), [[OP_NAME, "ns"]]), root_sk)
    good_ops = [[OP_SET, "c", "r", "f", 1]]

    def signed(seq=1, prev=None, deps=(), ops=None, message=None, author=node, sk=node_sk):
        return seal(encode_body(NETWORK, root, author, seq, prev, list(deps), hlc(2000), ops or good_ops, message), sk)[0]

    def signed_raw(body_obj) -> bytes:
        return seal(cbor2.dumps(body_obj, canonical=True), node_sk)[0]

    def base(over: Optional[dict] = None) -> dict:
        b = {0: 1, 1: NETWORK, 2: root, 3: node, 4: 1, 6: [], 7: hlc(2000), 8: good_ops}
        b.update(over or {})
        return {k: v for k, v in sorted(b.items()) if v is not None}

    # Signature tampering.
    body_bytes, sig = cbor2.loads(e1)
    flipped = bytearray(sig)
    flipped[10] ^= 0x04
    rejects("a flipped signature bit", _replace_sig(e1, bytes(flipped)), "signature.invalid")
    flipped_body = bytearray(body_bytes)
    flipped_body[-1] ^= 0x01  # last byte of the name "ns": still valid, different id
    rejects("a body changed after signing", cbor2.dumps([bytes(flipped_body), sig], canonical=True),
            "signature.invalid")
    s = int.from_bytes(sig[32:], "little")
    rejects("S >= L (S + L)", _replace_sig(e1, sig[:32] + (s + L).to_bytes(32, "little")), "signature.strict-S")
    for h in SMALL_ORDER_Y_HEX:
        rejects(f"small-order R {h[:8]}..", _replace_sig(e1, bytes.fromhex(h) + sig[32:]), "signature.strict-R")
    rejects("non-canonical R (y = p)", _replace_sig(e1, (P).to_bytes(32, "little") + sig[32:]), "signature.strict-R")
    identity = bytes.fromhex(SMALL_ORDER_Y_HEX[1])
    rejects("small-order author key", seal(encode_body(NETWORK, root, identity, 1, None, [], 1, good_ops), node_sk)[0],
            "signature.strict-key")
    noncanon = (P + 3).to_bytes(32, "little")
    rejects("non-canonical author key", seal(encode_body(NETWORK, root, noncanon, 1, None, [], 1, good_ops), node_sk)[0],
            "signature.strict-key")
    rejects("a signature by another key", signed(author=root), "signature.invalid")

    # Non-canonical CBOR, each correctly signed so that only the encoding rule can catch it.
    good = cbor2.dumps(base(), canonical=True)
    assert good[:3] == bytes([0xA8, 0x00, 0x01])
    rejects("a non-shortest integer (seq as 0x18 0x01)",
            seal(good.replace(bytes([0x04, 0x01]), bytes([0x04, 0x18, 0x01]), 1), node_sk)[0], "body.canonical")
    rejects("a non-shortest map length", seal(bytes([0xB8, 0x08]) + good[1:], node_sk)[0], "body.canonical")
    rejects("an indefinite-length map", seal(bytes([0xBF]) + good[1:] + bytes([0xFF]), node_sk)[0], "body.canonical")
    rejects("trailing bytes after the body", seal(good + b"\x00", node_sk)[0], "body.canonical")
    unsorted = cbor2.dumps(base(), canonical=False)
    swapped = bytes([0xA8]) + bytes([0x01, 0x58, 0x20]) + NETWORK + bytes([0x00, 0x01]) + unsorted[3 + 35:]
    rejects("unsorted map keys", seal(swapped, node_sk)[0], "body.canonical")
    dup = bytes([0xA9]) + good[1:3] + good[1:]
    rejects("a duplicate map key", seal(dup, node_sk)[0], "body.canonical")
    one_single = cbor2.dumps(base({8: [[OP_SET, "c", "r", "f", 1.0]]}), canonical=True)
    assert one_single.endswith(bytes.fromhex("f93c00"))
    rejects("a float not in its shortest form (1.0 as single)",
            seal(one_single[:-3] + bytes.fromhex("fa3f800000"), node_sk)[0], "body.canonical")
    rejects("a non-shortest envelope length",
            bytes([0x82, 0x59, 0x00, len(good)]) + good + bytes([0x58, 0x40]) + node_sk.sign(
                SIGNING_PREFIX + hashlib.sha256(good).digest()), "envelope.canonical")
    rejects("a tagged value", signed_raw(base({8: [[OP_SET, "c", "r", "f", cbor2.CBORTag(1, 5)]]})), "cbor.type")
    rejects("the simple value undefined", signed_raw(base({8: [[OP_SET, "c", "r", "f", cbor2.undefined]]})),
            "cbor.type")
    rejects("a NaN float", signed_raw(base({8: [[OP_SET, "c", "r", "f", float("nan")]]})), "cbor.nan")

    # Body rules.
    rejects("unsorted deps", signed_raw(base({6: [b"\x02" * 32, b"\x01" * 32]})), "body.deps-order")
    rejects("duplicate deps", signed_raw(base({6: [b"\x01" * 32, b"\x01" * 32]})), "body.deps-order")
    rejects("prev present at seq 1", signed_raw(base({5: id1})), "body.prev")
    rejects("prev missing at seq 2", signed_raw(base({4: 2})), "body.prev")
    rejects("seq 0", signed_raw(base({4: 0})), "body.seq")
    rejects("format version 2", signed_raw(base({0: 2})), "body.version")
    rejects("unknown body key 10", signed_raw({**base(), 10: 0}), "body.unknown-key")
    rejects("missing HLC", signed_raw(base({7: None})), "body.missing-key")
    rejects("a 31-byte network id", signed_raw(base({1: NETWORK[:31]})), "body.length")
    rejects("empty ops", signed_raw(base({8: []})), "body.ops-empty")
    rejects("an empty message", signed_raw(base({9: ""})), "body.message")
    rejects("a 4097-byte message", signed_raw(base({9: "x" * 4097})), "body.message")
    rejects("1025 deps", signed_raw(base({6: [i.to_bytes(32, "big") for i in range(1025)]})), "limit.deps")
    rejects("10001 ops", signed_raw(base({8: [[OP_DELETE, "c", "r"]] * 10001})), "limit.ops")
    big = [[OP_SET, "c", "r", "f", b"\x00" * 60000]] * 18
    rejects("an envelope over 1 MiB", signed_raw(base({8: big})), "limit.envelope")

    # Op rules.
    def op_rejects(name, op, rule):
        rejects(name, signed_raw(base({8: [op]})), rule)
    op_rejects("unknown op code 9", [9, "x"], "op.code")
    op_rejects("a visibility of 2", [OP_VISIBILITY, 2], "op.visibility")
    op_rejects("a 31-byte revoked key", [OP_REVOKE, node[:31], 3], "op.revoke-key")
    op_rejects("a negative cut-off", [OP_REVOKE, node, -1], "op.cutoff")
    op_rejects("a set with 4 items", [OP_SET, "c", "r", "f"], "op.shape")
    op_rejects("the reserved field 'id'", [OP_SET, "c", "r", "id", 1], "op.field")
    op_rejects("a field starting with a digit", [OP_SET, "c", "r", "1f", 1], "op.field")
    op_rejects("a collection with a dot", [OP_DELETE, "a.b", "r"], "op.collection")
    op_rejects("a 65-byte collection name", [OP_DELETE, "c" * 65, "r"], "op.collection")
    op_rejects("a record id with a newline", [OP_DELETE, "c", "a\nb"], "op.record-id")
    op_rejects("an empty record id", [OP_DELETE, "c", ""], "op.record-id")
    op_rejects("a 257-byte record id", [OP_DELETE, "c", "\u00e9" * 128 + "x"], "op.record-id")
    op_rejects("an int value past int64", [OP_SET, "c", "r", "f", INT64_MAX + 1], "value.int64")
    op_rejects("an int value below int64", [OP_SET, "c", "r", "f", INT64_MIN - 1], "value.int64")
    op_rejects("an array value", [OP_SET, "c", "r", "f", [1]], "value.type")
    op_rejects("a float counter delta", [OP_COUNTER_ADD, "c", "r", "f", 1.5], "op.delta")
    op_rejects("unsorted observed adds", [OP_SET_REMOVE, "c", "r", "f", 1, [[b"\x01" * 32, 2], [b"\x01" * 32, 1]]],
               "op.observed-order")
    op_rejects("duplicate observed adds", [OP_SET_REMOVE, "c", "r", "f", 1, [[b"\x01" * 32, 1], [b"\x01" * 32, 1]]],
               "op.observed-order")
    op_rejects("an observed add with a short id", [OP_SET_REMOVE, "c", "r", "f", 1, [[b"\x01" * 31, 1]]],
               "op.observed")
    op_rejects("1025 observed adds", [OP_SET_REMOVE, "c", "r", "f", 1, [[b"\x01" * 32, i] for i in range(1025)]],
               "limit.observed")
    op_rejects("role 4", [OP_GRANT, node, 4], "op.role")
    op_rejects("a 31-byte grant key", [OP_GRANT, node[:31], 3], "op.grant-key")
    op_rejects("a namespace name with a space", [OP_NAME, "my list"], "op.name")
    case("accepts int64 bounds, infinity and a 64-byte name",
         lambda: parse_envelope(signed_raw(base({8: [[OP_SET, "c" * 64, "r", "f", INT64_MIN],
                                                      [OP_SET, "c", "r", "f", INT64_MAX],
                                                      [OP_SET, "c", "r", "f", float("-inf")],
                                                      [OP_COUNTER_ADD, "c", "r", "f", INT64_MIN]]}))))

    # Chain rules.
    a2_wrong = signed(seq=2, prev=id1)  # node's seq 2 pointing at root's changeset
    a1, a1id = seal(encode_body(NETWORK, root, node, 1, None, [id1], hlc(1500), good_ops), node_sk)
    chain_rejects("wrong prev", [e1, a1, a2_wrong], "chain.prev")
    chain_rejects("a gap in seqs", [e1, signed(seq=3, prev=a1id)], "chain.gap")
    chain_rejects("a fork (two seq 1)", [e1, a1, signed(seq=1, deps=[id1], ops=[[OP_DELETE, "c", "r"]])], "chain.fork")
    chain_rejects("an unknown dep", [a1], "chain.dep")
    chain_rejects("the same changeset twice", [e1, e1], "chain.duplicate")
    return report.finish()


def assert_no_chain_failures(envs: List[bytes]) -> None:
    items = [(f"#{i}", parse_envelope(e), ()) for i, e in enumerate(envs)]
    fails = check_chains(items)
    if fails:
        first = next(iter(fails.values()))[0]
        raise first


# ---------------------------------------------------------------------------------------------


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("vectors", nargs="?", help="vectors JSON file (default: vectors.json beside this script)")
    ap.add_argument("--envelopes", metavar="FILE", help="one lowercase hex envelope per line; '-' for stdin")
    ap.add_argument("--partial", action="store_true",
                    help="with --envelopes: feeds may start after seq 1 and deps may be outside the input")
    ap.add_argument("--self-test", action="store_true", help="check the checker against envelopes it builds")
    ap.add_argument("--sample-vectors", metavar="OUT", help="write a sample vectors file built by this script")
    a = ap.parse_args(argv)
    if a.self_test:
        return self_test()
    if a.sample_vectors:
        with open(a.sample_vectors, "w") as f:
            json.dump(vectors_doc(sample_changesets()), f, indent=1)
            f.write("\n")
        print(f"wrote {a.sample_vectors}")
        return 0
    if a.envelopes:
        return run_envelopes(a.envelopes, partial=a.partial)
    path = a.vectors or os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json")
    return run_vectors(path)


if __name__ == "__main__":
    sys.exit(main())
