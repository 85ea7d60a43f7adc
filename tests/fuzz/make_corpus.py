#!/usr/bin/python3
"""make_corpus.py - (re)writes the seed corpora tests/fuzz/corpus/<target>/
from the golden streams (fixtures/streams/*.hex) and the fixture sets
(fixtures/), in the input format each target's header comment describes.

Run it from anywhere after changing a stream or a target's input format:
    tests/fuzz/make_corpus.py [PATH-TO-naccb-TOOL]
The tool (build/dev/tools/naccb/naccb by default) turns the streams into
`naccb decode` JSON Lines for the naccb_json target; without it that
corpus is left as it is.  Seeds are named by the SHA-1 of their bytes, as
libFuzzer names what it adds, so rewriting is idempotent.  The seeds are
committed: building the corpus needs no tool at build time.
"""
import glob
import hashlib
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def unhex(path):
    """Annotated hex (docs/naccb-tool.md): pairs, blanks, '#' comments."""
    digits = []
    with open(path, encoding="latin-1") as f:
        for line in f:
            line = line.split("#", 1)[0]
            digits.extend(c for c in line if not c.isspace())
    text = "".join(digits)
    if len(text) % 2:
        return None
    try:
        return bytes.fromhex(text)
    except ValueError:
        return None


def naccbs(stream):
    """The whole NACCBs of a stream, in order (stops at a bad length)."""
    out, off = [], 0
    while off + 4 <= len(stream):
        n = struct.unpack(">I", stream[off:off + 4])[0]
        if n < 36 or off + n > len(stream):
            break
        out.append(stream[off:off + n])
        off += n
    return out


def ebcdic8(name):
    return name.ljust(8).encode("cp037")


def header(agent_id, sys, key, count=0, size=0, ext=b"\0\0\0\0"):
    total = 36 + count * size
    return (struct.pack(">II", total, agent_id) + ebcdic8(sys) +
            struct.pack(">I", key) + ext + struct.pack(">III", 0, count, size))


def login(sys, password=None):
    if password is None:
        return header(0, sys, 0x02010500)
    return header(0, sys, 0x02010500, 1, 8) + ebcdic8(password)


def info_text(agent_id, sys, obj, text):
    t = text.encode("cp037")
    return header(agent_id, sys, 0x02010A00 | obj, 1, len(t)) + t


def steps_bytes(conn, data, peer=0):
    """Server/agent step 1: 2 length bytes then the bytes (one connection)."""
    out = b""
    while data:
        piece, data = data[:65535], data[65535:]
        out += bytes([1 | conn << 3 | peer << 5]) + struct.pack(">H", len(piece)) + piece
    return out


def write(target, seeds):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for s in seeds:
        name = hashlib.sha1(s).hexdigest()
        with open(os.path.join(d, name), "wb") as f:
            f.write(s)
    print(f"corpus/{target}: {len(seeds)} seeds")


def main():
    streams = {}
    for p in sorted(glob.glob(os.path.join(ROOT, "fixtures/streams/*.hex")) +
                    glob.glob(os.path.join(ROOT, "fixtures/streams/invalid/*.hex"))):
        b = unhex(p)
        if b is not None:
            streams[p] = b
    every = [m for s in streams.values() for m in naccbs(s)]

    # framer: whole, and in chunks of 1, 7 and 36 bytes.
    framer = []
    for s in streams.values():
        framer.append(b"\0" + s)
        framer.append(bytes([3 << 2]) + bytes([1, 7, 36]) + s)
    write("framer", framer)

    # objects: every NACCB of every stream, code pages 037 and ASCII.
    write("objects", sorted({bytes([cp]) + m for m in every for cp in (0, 3)}))

    # agent: the host side of each golden stream (direction 0102), one
    # NACCB per step, for an agent named LNXA01 (the streams' host) in the
    # stream's code page; a stream without an accept comes after
    # session.hex's accept and tables, so that it meets a running agent.
    # Then a message event and a job end.
    def host_side(s):
        return [m for m in naccbs(s) if m[16:18] == b"\x01\x02"]
    session_host = host_side(streams[os.path.join(ROOT, "fixtures/streams/session.hex")])
    prefix = [m for m in session_host if m[18] in (7, 2, 0x0B)][:3]
    agent = []
    for p, s in streams.items():
        host = host_side(s)
        if not host:
            continue
        cp = 3 if "ascii" in p else 1 if "1047" in p else 0
        if not any(m[18] == 7 for m in host):
            host = prefix + host
        seed = bytes([4 | cp])
        for m in host:
            seed += bytes([1]) + struct.pack(">H", len(m)) + m
        seed += bytes([2, 7]) + b"IEF450I" + bytes([5, 4])
        agent.append(seed)
    write("agent", agent)

    # server: sessions of fixtures/test hosts; agent-IDs 1, 2, ... in
    # order of the accepts (the default, not random).
    def session(sys, aid, password=None):
        return (login(sys, password) + header(aid, sys, 0x02010901) +
                header(aid, sys, 0x02010902) +
                info_text(aid, sys, 3, "IEF450I PAYROLL1 ABEND") +
                info_text(aid, sys, 4, "KILL USER1"))
    server = [
        b"\0" + steps_bytes(0, session("TESTA", 1) + header(1, "TESTA", 0x02010600)),
        # takeover: TESTA on connection 0, then again on connection 1.
        b"\0" + steps_bytes(0, session("TESTA", 1)) + steps_bytes(1, session("TESTA", 2)) +
        steps_bytes(0, info_text(1, "TESTA", 3, "BUSY")),
        # password host from 127.0.0.1 (peer 1), EMS-only and SCD-only hosts.
        b"\0" + steps_bytes(0, session("TESTP", 1, "SECRET"), peer=1) +
        steps_bytes(1, session("TESTE", 2)) + steps_bytes(2, session("TESTS", 3)) +
        steps_bytes(3, session("TESTR", 4)) + bytes([2 | 1 << 3]),
        # reloads under live sessions: the same set (0x27), the variant
        # (0x47: TESTA's EMS replaced, TESTE shut down), a refused one
        # (0x67), then the graceful stop (0x07) with an info after it.
        b"\0" + steps_bytes(0, session("TESTA", 1)) + steps_bytes(1, session("TESTE", 2)) +
        bytes([0x27, 0x47, 0x67]) + steps_bytes(0, info_text(1, "TESTA", 3, "KILZ")) +
        bytes([0x07]) + steps_bytes(1, header(2, "TESTE", 0x02010600)),
        # the login guard (mode 0x20): four wrong passwords in one write
        # (the second's reject held back, the rest behind it), the delay
        # timer (0x64) releasing them one by one until the budget closes
        # the connection; then TESTA from 192.0.2.7 and a takeover from
        # 127.0.0.1 that same-address refuses.
        bytes([0x20]) + steps_bytes(0, login("TESTP", "WRONG") * 4, peer=1) +
        bytes([0x64, 0x64, 0x64]) + steps_bytes(1, session("TESTA", 1)) +
        steps_bytes(2, login("TESTA"), peer=1) + bytes([0x74]),
        # violation records at 1 a second in bursts of 2 (mode 0x40):
        # five bad acquires, a minute on (0x25), two more, then a
        # password takeover of TESTP from another address.
        bytes([0x40]) + steps_bytes(0, session("TESTP", 1, "SECRET"), peer=1) +
        steps_bytes(0, header(1, "TESTP", 0x02010903) * 5) + bytes([0x25]) +
        steps_bytes(0, header(1, "TESTP", 0x02010903) * 2) +
        steps_bytes(1, login("TESTP", "SECRET"), peer=2),
    ]
    # the agent side of the golden streams, renamed to TESTA, id 1.
    for s in streams.values():
        agent_side = b""
        for m in naccbs(s):
            if m[16:18] == b"\x02\x01":
                aid = 0 if m[18] == 5 else 1
                agent_side += m[:4] + struct.pack(">I", aid) + ebcdic8("TESTA") + m[16:]
        if agent_side:
            server.append(b"\0" + steps_bytes(0, agent_side))
    write("server", server)

    # fixture: every fixture set's hosts.yaml, NUL, its settings.yaml.
    fixture = []
    for hosts in sorted(glob.glob(os.path.join(ROOT, "fixtures/**/hosts.yaml"), recursive=True)):
        with open(hosts, "rb") as f:
            seed = f.read()
        settings = os.path.join(os.path.dirname(hosts), "settings.yaml")
        if os.path.exists(settings):
            with open(settings, "rb") as f:
                seed += b"\0" + f.read()
        fixture.append(seed)
    write("fixture", fixture)

    tool = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/dev/tools/naccb/naccb")
    if os.access(tool, os.X_OK):
        seeds = []
        for p in streams:
            r = subprocess.run([tool, "decode", "--hex", p], capture_output=True)
            if r.stdout:
                seeds.append(b"\0" + r.stdout)
        # and every NACCB for the decode -> encode round trip (bit 3).
        seeds += [bytes([8 | cp]) + m for m in every for cp in (0, 3)]
        write("naccb_json", seeds)
    else:
        print(f"{tool}: not built; corpus/naccb_json left as it is", file=sys.stderr)


if __name__ == "__main__":
    main()
