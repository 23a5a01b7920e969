#!/usr/bin/env python3
"""`wirespan protobuf decode-raw` equals `protoc --decode_raw`, byte for byte.

usage: protoc_decode_raw.py WIRESPAN WORKDIR [COUNT] [SEED]

Generates COUNT (default 400) messages from a fixed seed — nested messages, groups,
strings of every byte, packed runs, field numbers up to 2^29-1, overlong and 10-byte
varints, then mutated copies (bytes flipped, cut, inserted) — plus the binary must-fail
cases of protobuf's conformance suite. For each one, protoc and wirespan must print the
same standard output and standard error and both succeed or both fail. Exit 77 (skip)
when protoc is not installed.
"""
import os
import random
import shutil
import subprocess
import sys


def varint(n, extra=0):
    """The varint of n, made `extra` bytes longer than needed (overlong) when asked."""
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n == 0:
            out.append(b | 0x80 if extra else b)
            break
        out.append(b | 0x80)
    for i in range(extra):
        out.append(0x80 if i + 1 < extra else 0)
    return bytes(out)


def tag(field, wire):
    return varint(field << 3 | wire)


def ld(field, payload):
    return tag(field, 2) + varint(len(payload)) + payload


def group(field, body):
    return tag(field, 3) + body + tag(field, 4)


FIELD_NUMBERS = [1, 2, 3, 15, 16, 127, 128, 2047, 2048, 19000, 262143, 536870911]


def rand_field(rng):
    return rng.choice(FIELD_NUMBERS) if rng.random() < 0.5 else rng.randint(1, 40)


def rand_value_varint(rng):
    kind = rng.random()
    if kind < 0.3:
        return rng.randint(0, 127)
    if kind < 0.6:
        return rng.randint(0, 1 << rng.choice([14, 21, 32, 35, 49, 63, 64]))  % (1 << 64)
    return rng.choice([0, 1, 150, 2**31 - 1, 2**32 - 1, 2**63 - 1, 2**64 - 1, 2**64 - 2**31])


def rand_string(rng):
    kind = rng.random()
    if kind < 0.3:
        return bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz ABC0123") for _ in range(rng.randint(0, 20)))
    if kind < 0.6:
        return bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 24)))
    if kind < 0.8:
        return "héllo wörld ✓ \n\t\"'\\".encode()
    return bytes(range(256))[rng.randint(0, 200):][: rng.randint(1, 60)]


def rand_message(rng, depth):
    out = bytearray()
    # Fewer fields deeper down, so that a message stays small while some chains go deep.
    for _ in range(rng.randint(1 if depth == 0 else 0, 6 if depth < 2 else 2)):
        field = rand_field(rng)
        kind = rng.random()
        if kind < 0.25:
            out += tag(field, 0) + varint(rand_value_varint(rng), rng.choice([0, 0, 0, 1, 3]) if rng.random() < 0.2 else 0)
        elif kind < 0.35:
            out += tag(field, 5) + rng.randbytes(4)
        elif kind < 0.45:
            out += tag(field, 1) + rng.randbytes(8)
        elif kind < 0.65:
            out += ld(field, rand_string(rng))
        elif kind < 0.85 and depth < 13:
            out += ld(field, rand_message(rng, depth + 1))
        elif kind < 0.92 and depth < 13:
            out += group(field, rand_message(rng, depth + 1))
        else:
            packed = b"".join(varint(rand_value_varint(rng)) for _ in range(rng.randint(1, 8)))
            out += ld(field, packed)
    return bytes(out)


def deep(kind, depth, inner=b"\x08\x01"):
    m = inner
    for _ in range(depth):
        m = ld(1, m) if kind == "ld" else group(1, m)
    return m


def mutate(rng, m):
    m = bytearray(m)
    if not m:
        return bytes([rng.randint(0, 255)])
    op = rng.random()
    if op < 0.4:
        for _ in range(rng.randint(1, 3)):
            m[rng.randrange(len(m))] = rng.randint(0, 255)
    elif op < 0.7:
        del m[rng.randrange(len(m)):]
    else:
        m.insert(rng.randrange(len(m) + 1), rng.randint(0, 255))
    return bytes(m)


def conformance_cases():
    cases = {}
    # Field number 0, every wire type that has a value.
    for i, c in enumerate([b"\x01DEADBEEF", b"\x02\x01\x01", b"\x03\x04", b"\x05DEAD"]):
        cases[f"zero-field-{i}"] = c
    cases["overlong-tag"] = bytes.fromhex("8880808080808080800" + "0d209")
    cases["tag-above-2^32"] = bytes.fromhex("80808080100801")
    cases["tag-11-bytes"] = bytes.fromhex("8880808080808080808001")
    for field in range(4):
        for wire in (6, 7):
            cases[f"wire-{wire}-field-{field}"] = varint(field << 3 | wire) + b"\x01"
    cases["unmatched-start-group-201"] = bytes.fromhex("cb0c")
    cases["unmatched-end-group-201"] = bytes.fromhex("cc0c")
    cases["mismatched-end-group"] = group(1, b"")[:-1] + tag(2, 4)
    for wire, incomplete in ((0, b"\x80"), (1, b"abcdefg"), (2, b"\x80"), (5, b"abc")):
        cases[f"eof-before-value-wire-{wire}"] = tag(1, wire)
        cases[f"eof-inside-value-wire-{wire}"] = tag(1, wire) + incomplete
        cases[f"eof-unknown-inside-value-wire-{wire}"] = tag(666, wire) + incomplete
    cases["eof-in-delimited"] = tag(1, 2) + varint(1)
    cases["eof-in-submessage-value"] = ld(1, tag(1, 0) + b"\x80")
    cases["packed-eof-inside-value"] = ld(1, b"\x80")
    cases["packed-eof-region"] = tag(1, 2) + varint(3) + b"\x01"
    cases["varint-11-bytes"] = tag(1, 0) + b"\xff" * 10 + b"\x01"
    cases["varint-10th-byte-7f"] = tag(1, 0) + b"\xff" * 9 + b"\x7f"
    cases["varint-overlong"] = tag(1, 0) + varint(12345, 7)
    cases["tag-5-bytes-high-bits"] = bytes.fromhex("f8ffffff1f01")
    cases["empty"] = b""
    cases["groups-100-deep"] = deep("group", 100)
    cases["groups-101-deep"] = deep("group", 101)
    for d in (9, 10, 11, 12):
        cases[f"ld-{d}-deep"] = deep("ld", d)
    for k in (9, 10, 11):
        cases[f"ld-with-{k}-groups"] = ld(2, deep("group", k))
        cases[f"{k}-groups-then-ld"] = deep("group", k, ld(3, b"\x08\x01"))
    cases["protobuf.dev-150"] = bytes.fromhex("089601")
    cases["protobuf.dev-testing"] = bytes.fromhex("120774657374696e67")
    cases["protobuf.dev-embedded"] = bytes.fromhex("1a03089601")
    cases["protobuf.dev-packed"] = bytes.fromhex("2206038e029ea705")
    return cases


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    tool, work = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 400
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 20261125
    protoc = shutil.which("protoc")
    if protoc is None:
        print("SKIP: protoc not installed (Debian: protobuf-compiler)")
        return 77
    os.makedirs(work, exist_ok=True)
    rng = random.Random(seed)
    cases = conformance_cases()
    for i in range(count):
        m = rand_message(rng, 0)
        cases[f"gen-{i:04d}"] = m
        if i % 2 == 0:
            cases[f"gen-{i:04d}-mutated"] = mutate(rng, m)
    accepted = rejected = blocks = 0
    problems = []
    for name, data in sorted(cases.items()):
        path = os.path.join(work, name + ".bin")
        with open(path, "wb") as f:
            f.write(data)
        with open(path, "rb") as f:
            ref = subprocess.run([protoc, "--decode_raw"], stdin=f, capture_output=True)
        ours = subprocess.run([tool, "protobuf", "decode-raw", path], capture_output=True)
        same = (ref.stdout == ours.stdout and ref.stderr == ours.stderr and
                (ref.returncode == 0) == (ours.returncode == 0))
        if not same:
            problems.append((name, data, ref, ours))
        elif ref.returncode == 0:
            accepted += 1
            blocks += ref.stdout.count(b" {\n")
        else:
            rejected += 1
    for name, data, ref, ours in problems[:10]:
        print(f"MISMATCH {name}: input {data.hex()}")
        print(f"  protoc   (exit {ref.returncode}): {ref.stdout[:300]!r} {ref.stderr[:200]!r}")
        print(f"  wirespan (exit {ours.returncode}): {ours.stdout[:300]!r} {ours.stderr[:200]!r}")
    print(f"{len(cases)} messages: {accepted} accepted and {rejected} rejected identically "
          f"({blocks} nested blocks), {len(problems)} mismatches")
    if problems:
        return 1
    if accepted < 100 or rejected < 40 or blocks < 100:
        print("FAIL: the corpus lacks variety (too few accepted, rejected or nested messages)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
