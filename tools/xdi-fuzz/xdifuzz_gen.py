"""xdi-fuzz: the cases.  A case is what the evil host does after the
valid prefix: the state it attacks, the NACCBs it sends (units), how the
bytes are cut into writes, and how the conversation ends.

Case K of seed N is made by generate(N, K) from its own PRNG (splitmix64
seeded with N and K; no library random numbers), so it is the same bytes
on every machine and every Python version.  Every unit is at least a
36-byte header, so that each one is a line of conversation JSON (a
`naccb decode` object; docs/replay.md), however broken its fields are.

Wire layouts: docs/protocol.md §3 (header), §8 (EVBLOK), §9 (EOTINFO).
"""

import struct

MASK64 = (1 << 64) - 1
HEADER = struct.Struct(">II8sHBBBBBBIII")
HEADER_SIZE = 36
EVBLOK_SIZE = 230
EOTINFO_SIZE = 162
TEXT_MAX = 128
MAX_SIZE = 16 * 1024 * 1024        # the agent's default framing limit (§2)
TO_AGENT, TO_SERVER = 0x0102, 0x0201

# Requests and objects (§4, §5).
R_EXEC, R_SAVE, R_REPLACE, R_SHUTDOWN = 0x01, 0x02, 0x03, 0x04
R_LOGIN, R_LOGOUT, R_ACCEPT, R_REJECT = 0x05, 0x06, 0x07, 0x08
R_ACQUIRE, R_INFO, R_ERROR = 0x09, 0x0A, 0x0B
O_NONE, O_EMS, O_SCD, O_MSG, O_CMD = 0x00, 0x01, 0x02, 0x03, 0x04
O_JOB = 0x08
E_NOT_AVAILABLE = 0x08

STATES = ("login", "acquiring", "running")

# The job the prefix's SCD table names; each worker writes {jobs}/CJOB1, a
# script that ends at once, for agents that run exec job from {jobs}.
JOB_NAME = "CJOB1"

# The host's probe: an exec command the agent answers with a command
# event (it matches the XCMD EVBLOK of the prefix's EMS table) or with
# agent error 02010B04 (docs/conformance.md, the exec.command check).
PROBE_TEXT = "XCMD PROBE"


# ---- the PRNG ----------------------------------------------------------------


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return x, z ^ (z >> 31)


class Rng:
    """splitmix64 over a 64-bit state; the state of case K of seed N is
    splitmix64(splitmix64(N) ^ K)."""

    def __init__(self, seed, case=0):
        _, s = splitmix64(seed & MASK64)
        self.state = (s ^ (case & MASK64)) & MASK64
        self.next()

    def next(self):
        self.state, z = splitmix64(self.state)
        return z

    def below(self, n):
        """0..n-1 (n >= 1); the modulo bias is irrelevant for fuzzing and
        keeps the sequence simple to reimplement."""
        return self.next() % n if n > 1 else 0

    def range(self, lo, hi):
        """lo..hi, both included."""
        return lo + self.below(hi - lo + 1)

    def chance(self, num, den):
        return self.below(den) < num

    def choice(self, seq):
        return seq[self.below(len(seq))]

    def bytes(self, n):
        out = bytearray(n)
        for i in range(0, n, 8):
            v = self.next()
            for j in range(i, min(n, i + 8)):
                out[j] = v & 0xFF
                v >>= 8
        return bytes(out)

    def weighted(self, pairs):
        total = sum(w for _, w in pairs)
        r = self.below(total)
        for item, w in pairs:
            if r < w:
                return item
            r -= w
        return pairs[-1][0]


# ---- building NACCBs ---------------------------------------------------------


def ebcdic(text, width=None):
    b = text.encode("cp037")
    if width is not None:
        b = (b + b"\x40" * width)[:width]
    return b


def header(total, agent_id, system, direction, request, obj, error=0,
           os_code=0, coding=0, unused=0, forward=0, count=0, size=0):
    return HEADER.pack(total & 0xFFFFFFFF, agent_id & 0xFFFFFFFF, system,
                       direction, request, obj, error, os_code, coding,
                       unused, forward & 0xFFFFFFFF, count & 0xFFFFFFFF,
                       size & 0xFFFFFFFF)


def naccb(agent_id, system, request, obj, objects=(), error=0,
          direction=TO_AGENT):
    objects = list(objects)
    size = len(objects[0]) if objects else 0
    body = b"".join(objects)
    return header(HEADER_SIZE + len(body), agent_id, system, direction,
                  request, obj, error, count=len(objects), size=size) + body


class Host:
    """What the valid host sends: its system name, the prefix's tables
    (xdi-conform's scripted tables, docs/conformance.md), and builders of
    the named NACCBs."""

    def __init__(self, system, ems, scd):
        self.system = ebcdic(system, 8)
        self.system_text = system
        self.ems = list(ems)
        self.scd = list(scd)

    def accept(self, aid):
        return naccb(aid, self.system, R_ACCEPT, O_NONE)

    def reject(self, code=9):
        return naccb(0, self.system, R_REJECT, O_NONE, error=code)

    def table(self, aid, scd, replace=False, objects=None):
        objs = objects if objects is not None else (self.scd if scd
                                                    else self.ems)
        return naccb(aid, self.system, R_REPLACE if replace else R_SAVE,
                     O_SCD if scd else O_EMS, objs)

    def exec_command(self, aid, text):
        wire = text if isinstance(text, bytes) else ebcdic(text)
        return naccb(aid, self.system, R_EXEC, O_CMD, [wire])

    def exec_job(self, aid, job):
        wire = job if isinstance(job, bytes) else ebcdic(job, 8)
        return naccb(aid, self.system, R_EXEC, O_JOB, [wire])

    def error(self, aid, obj, code):
        return naccb(aid, self.system, R_ERROR, obj, error=code)

    def shutdown(self, aid):
        return naccb(aid, self.system, R_SHUTDOWN, O_NONE)


# ---- the case ----------------------------------------------------------------


class Case:
    """state: where the prefix stops (login: the login read, no accept
    yet; acquiring: accepted, both acquires read, no table; running: both
    tables sent).  units: the NACCBs sent (bytes, each >= 36 bytes).
    splits: offsets into their concatenation where one write ends and the
    next begins.  end: "probe" (carry on: finish the prefix if needed,
    then the liveness probe), "close" (close the connection: the agent
    must reconnect), "hold" (keep it open hold_ms, then close).  expect_exit:
    a valid shutdown (or both tables withdrawn) was sent deliberately, so
    the agent may end by itself.  attack: the generator's name, for the
    report."""

    __slots__ = ("state", "aid", "units", "splits", "end", "hold_ms",
                 "expect_exit", "attack", "parent")

    def __init__(self, state, aid, units, splits=(), end="probe", hold_ms=0,
                 expect_exit=False, attack="", parent=None):
        self.state = state
        self.aid = aid
        self.units = list(units)
        self.splits = sorted(set(splits))
        self.end = end
        self.hold_ms = hold_ms
        self.expect_exit = expect_exit
        self.attack = attack
        self.parent = parent

    def stream(self):
        return b"".join(self.units)

    def chunks(self):
        data = self.stream()
        out, last = [], 0
        for s in self.splits:
            if last < s < len(data):
                out.append(data[last:s])
                last = s
        if last < len(data):
            out.append(data[last:])
        return out

    def to_json(self):
        return {"state": self.state, "agent_id": self.aid,
                "units": [u.hex().upper() for u in self.units],
                "splits": self.splits, "end": self.end,
                "hold_ms": self.hold_ms, "expect_exit": self.expect_exit,
                "attack": self.attack, "parent": self.parent}

    @classmethod
    def from_json(cls, d):
        return cls(d["state"], d["agent_id"],
                   [bytes.fromhex(u) for u in d["units"]],
                   d.get("splits", ()), d.get("end", "probe"),
                   d.get("hold_ms", 0), d.get("expect_exit", False),
                   d.get("attack", ""), d.get("parent"))

    def copy(self):
        return Case(self.state, self.aid, self.units, self.splits, self.end,
                    self.hold_ms, self.expect_exit, self.attack, self.parent)


def in_sync(units, max_size=MAX_SIZE):
    """True when a correct reader of this stream ends on a NACCB boundary
    with its framing intact (§2): each unit's total length is its own
    length, 36..max_size."""
    for u in units:
        tl = struct.unpack_from(">I", u, 0)[0]
        if tl != len(u) or tl < HEADER_SIZE or tl > max_size:
            return False
    return True


# ---- field mutations -----------------------------------------------------------

INTERESTING16 = (0, 1, 2, 7, 8, 19, 20, 21, 28, 29, 127, 128, 129, 255, 256,
                 0x7FFF, 0x8000, 0xFFFF)
INTERESTING32 = (0, 1, 35, 36, 37, 128, 129, 162, 230, 0x7FFFFFFF,
                 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF, MAX_SIZE, MAX_SIZE + 1)


def put16(b, off, v):
    struct.pack_into(">H", b, off, v & 0xFFFF)


def put32(b, off, v):
    struct.pack_into(">I", b, off, v & 0xFFFFFFFF)


def bad_bcd(rng):
    """A packed field with a nibble above 9, or an impossible date/time."""
    return rng.choice((0x0202636A, 0x02025366, 0x02026000, 0x20261301,
                       0x20260230, 0x24000000, 0x23600000, 0x235960FF,
                       0x1900000A, 0xFFFFFFFF, 0x00000000, 0x09999366,
                       0x10000001, rng.next() & 0xFFFFFFFF))


def mutate_evblok(rng, e):
    b = bytearray(e)
    for _ in range(rng.range(1, 3)):
        f = rng.below(14)
        if f == 0:                                   # KL beyond 20
            put16(b, 138, rng.choice((0, 21, 22, 28, 108, 128, 129, 136, 200,
                                      255, 256, 1000, 0x7FFF, 0xFFFF,
                                      rng.range(21, 0xFFFF))))
        elif f == 1:                                 # VL beyond KL / 20
            put16(b, 140, rng.choice((21, 64, 255, 0xFFFF,
                                      rng.range(0, 0xFFFF))))
        elif f == 2:                                 # IL inconsistent
            put16(b, 136, rng.choice(INTERESTING16))
        elif f in (3, 4):                            # dates and times
            put32(b, rng.choice((142, 146, 150, 158, 190, 194)), bad_bcd(rng))
        elif f == 5:                                 # seconds
            put32(b, rng.choice((154, 162)), rng.choice(INTERESTING32))
        elif f == 6:                                 # day-list
            b[rng.range(166, 173)] = rng.range(2, 255)
        elif f == 7:                                 # unknown ET
            b[174] = rng.choice((0, 3, 4, 7, 8, 0x7F, 0x80, 0xFF,
                                 rng.range(0, 255)))
        elif f == 8:                                 # reserved bytes set
            b[rng.range(175, 189)] = rng.range(1, 255)
        elif f == 9:                                 # key text, any byte
            n = rng.range(1, 20)
            b[8:8 + n] = rng.bytes(n)
        elif f == 10:                                # additional text
            n = rng.range(1, 108)
            b[28:28 + n] = rng.bytes(n)
        elif f == 11:                                # another system
            b[0:8] = rng.bytes(8)
        elif f == 12:                                # edate < sdate, etc.
            b[142:146], b[146:150] = b[146:150], b[142:146]
        else:                                        # user area
            b[198:230] = rng.bytes(32)
    return bytes(b)


NOTES = (0xD1, 0xE2, 0xC9, 0x40, 0xD5, 0xC1, 0xC3, 0xD3, 0xD9)


def mutate_eotinfo(rng, e):
    b = bytearray(e)
    for _ in range(rng.range(1, 3)):
        f = rng.below(9)
        if f == 0:
            b[81] = rng.range(0, 255)                # flag2 bits
        elif f == 1:
            b[rng.range(82, 105)] = rng.range(1, 255)    # reserved 1
        elif f == 2:
            b[rng.range(158, 161)] = rng.range(1, 255)   # reserved 2
        elif f == 3:                                 # notes letters
            for i in range(154, 158):
                b[i] = rng.choice(NOTES) if rng.chance(1, 2) \
                    else rng.range(0, 255)
        elif f == 4:                                 # status in a table
            put16(b, rng.choice((146, 148, 150, 152)),
                  rng.choice(INTERESTING16))
        elif f == 5:                                 # names, any byte
            off = rng.choice((106, 114, 122, 130, 138))
            b[off:off + 8] = rng.bytes(8)
        elif f == 6:                                 # blank captured name
            off = rng.choice((106, 122, 130, 138))
            b[off:off + 8] = b"\x40" * 8
        elif f == 7:
            b[80] = rng.range(0, 255)                # flag1
        else:
            b[0:80] = rng.bytes(80)                  # working areas
    return bytes(b)


def random_text(rng, n):
    """A text of n bytes: EBCDIC letters and blanks, any byte, or the
    probe's key XCMD followed by anything (so that it is matched)."""
    kind = rng.below(4)
    if kind == 0:
        return rng.bytes(n)
    if kind == 1:
        return bytes(rng.choice((0xC1, 0xC2, 0xD5, 0xE7, 0x40, 0xF1))
                     for _ in range(n))
    if kind == 2:
        v = rng.range(0, 255)
        return bytes([v]) * n
    head = ebcdic("XCMD ")
    return (head + rng.bytes(max(0, n - len(head))))[:n]


def text_length(rng):
    """Every length 0..255, with the edges around 128 more often."""
    if rng.chance(1, 2):
        return rng.choice((0, 1, 20, 21, 107, 108, 109, 127, 128, 129, 130,
                           200, 255))
    return rng.range(0, 255)


# ---- header mutations -------------------------------------------------------


def mutate_header(rng, host, u, aid, field=None):
    """One or more header fields of unit u broken (§3); field: that one
    only."""
    b = bytearray(u)
    tl, _, _, _, _, _, _, _, _, _, _, count, size = HEADER.unpack_from(b, 0)
    for _ in range(rng.range(1, 2) if field is None else 1):
        f = rng.below(11) if field is None else field
        if f == 0:                                   # total length +-1..n
            d = rng.choice((1, 2, 3, 4, 8, 35, 36, 162, 230))
            put32(b, 0, tl + d if rng.chance(1, 2) else max(0, tl - d))
        elif f == 1:                                 # count*size past 32 bits
            s = size if size else rng.choice((1, 8, 162, 230))
            g = s & -s                               # 2^(trailing zeros)
            period = (1 << 32) // g if g < (1 << 32) else 1
            c = count if count else 1
            c = c + period * rng.range(1, max(1, ((1 << 32) - 1 - c)
                                           // period))
            put32(b, 28, c)
            put32(b, 32, s)
            put32(b, 0, HEADER_SIZE + c * s)         # consistent mod 2^32
        elif f == 2:                                 # size 0, count > 0
            put32(b, 32, 0)
            put32(b, 28, rng.choice((1, 2, 1000, 0xFFFFFFFF)))
        elif f == 3:                                 # count > 0 size huge
            put32(b, 32, rng.choice(INTERESTING32))
        elif f == 4:                                 # wrong direction
            put16(b, 16, rng.choice((TO_SERVER, 0, 0xFFFF, 0x0101,
                                     rng.range(0, 0xFFFF))))
        elif f == 5:                                 # unknown request
            b[18] = rng.choice((0, 0x0C, 0x10, 0x7F, 0x80, 0xFF,
                                rng.range(0x0C, 0xFF)))
        elif f == 6:                                 # unknown object
            b[19] = rng.choice((0x09, 0x10, 0x7F, 0xFF, rng.range(0, 0xFF)))
        elif f == 7:                                 # unknown error code
            b[20] = rng.range(0x0A, 0xFF)
        elif f == 8:                                 # another agent-ID
            put32(b, 4, rng.choice((0, aid + 1, aid ^ 0x80000000,
                                    0xFFFFFFFF)))
        elif f == 9:                                 # another system name
            b[8:16] = rng.choice((ebcdic("SYSZ", 8), rng.bytes(8),
                                  b"\x00" * 8, b"SYSA    "))
        else:                                        # reserved header bytes
            off = rng.choice((21, 22, 23, 24, 25, 26, 27))
            b[off] = rng.range(1, 255)
    return bytes(b)


# ---- the generators ------------------------------------------------------------


def some_valid(rng, host, aid, state):
    """A NACCB a valid host could send in this state."""
    k = rng.below(8)
    if k == 0:
        return host.table(aid, rng.chance(1, 2), replace=state == "running")
    if k == 1:
        return host.exec_job(aid, rng.choice(("CJOB1", "NOSUCH9", "A")))
    if k == 2:
        return host.error(aid, rng.choice((0, 1, 2, 4, 5, 8)),
                          rng.range(1, 9))
    if k == 3:
        return host.accept(aid)
    return host.exec_command(aid, rng.choice((PROBE_TEXT, "XCMD A",
                                              "D T", "XCMD")))


def gen_header(rng, host, aid, state):
    if rng.chance(1, 5):
        # count*size past 32 bits matters where count is not fixed: tables.
        base = host.table(aid, rng.chance(1, 2), replace=state == "running")
        return [mutate_header(rng, host, base, aid, field=1)], {}
    base = some_valid(rng, host, aid, state)
    return [mutate_header(rng, host, base, aid)], {}


def gen_evblok(rng, host, aid, state):
    n = rng.range(1, 8)
    objs = [rng.choice(host.ems) for _ in range(n)]
    for _ in range(rng.range(1, min(3, n))):
        i = rng.below(n)
        objs[i] = mutate_evblok(rng, objs[i])
    replace = state == "running" and rng.chance(3, 4)
    return [host.table(aid, False, replace, objs)], {}


def gen_eotinfo(rng, host, aid, state):
    n = rng.range(1, 6)
    objs = [rng.choice(host.scd) for _ in range(n)]
    for _ in range(rng.range(1, min(3, n))):
        i = rng.below(n)
        objs[i] = mutate_eotinfo(rng, objs[i])
    replace = state == "running" and rng.chance(3, 4)
    return [host.table(aid, True, replace, objs)], {}


def gen_text(rng, host, aid, state):
    """Exec commands and jobs with texts of every length and byte."""
    units = []
    for _ in range(rng.range(1, 3)):
        if rng.chance(1, 5):
            name = rng.bytes(8) if rng.chance(1, 2) else ebcdic(
                rng.choice(("CJOB1", "cjob1", "../X", "A B", "")), 8)
            units.append(host.exec_job(aid, name))
            continue
        n = text_length(rng)
        text = random_text(rng, n)
        if n == 0:
            units.append(header(HEADER_SIZE, aid, host.system, TO_AGENT,
                                R_EXEC, O_CMD, count=1, size=0))
        else:
            units.append(host.exec_command(aid, text))
    return units, {}


def gen_framing(rng, host, aid, state):
    units = [some_valid(rng, host, aid, state)
             for _ in range(rng.range(1, 12))]
    data_len = sum(len(u) for u in units)
    k = rng.below(5)
    meta = {}
    if k == 0:                                       # every split point
        meta["splits"] = list(range(1, data_len)) if data_len <= 600 else \
            list(range(1, data_len, rng.range(1, 7)))
    elif k == 1:                                     # coalesced
        units = units * rng.range(2, 20)
        meta["splits"] = []
    elif k == 2:                                     # huge declared length
        b = bytearray(units[-1])
        put32(b, 0, rng.choice((MAX_SIZE + 1, 0x7FFFFFFF, 0x80000000,
                                0xFFFFFFFF, rng.range(MAX_SIZE + 1,
                                                      0xFFFFFFFF))))
        units[-1] = bytes(b)
        meta["end"] = rng.choice(("close", "hold", "probe"))
    elif k == 3:                                     # cut short
        last = units[-1]
        if len(last) > HEADER_SIZE:
            units[-1] = last[:rng.range(HEADER_SIZE, len(last) - 1)]
        else:
            b = bytearray(last)
            put32(b, 0, len(last) + rng.range(1, 300))
            units[-1] = bytes(b)
        meta["end"] = rng.choice(("close", "hold"))
    else:                                            # tiny total lengths
        b = bytearray(units[-1])
        put32(b, 0, rng.choice((0, 1, 35)))
        units[-1] = bytes(b)
        meta["end"] = rng.choice(("close", "probe"))
    return units, meta


def gen_sequence(rng, host, aid, state):
    k = rng.weighted(((0, 1), (1, 1), (2, 1), (3, 3), (4, 1), (5, 2), (6, 1),
                      (7, 1), (8, 2)))
    meta = {}
    if k == 0:                                       # tables before accept
        meta["state"] = "login"
        units = [host.table(rng.choice((0, aid)), rng.chance(1, 2))
                 for _ in range(rng.range(1, 2))]
    elif k == 1:                                     # a second accept
        meta["state"] = "running"
        units = [naccb(rng.choice((aid, aid + 1, 0)), host.system, R_ACCEPT,
                       O_NONE)]
    elif k == 2:                                     # replace before receive
        meta["state"] = "acquiring"
        scd = rng.chance(1, 2)
        units = [host.table(aid, scd, replace=True),
                 host.table(aid, not scd, replace=rng.chance(1, 2))]
    elif k == 3:                                     # exec floods
        meta["state"] = "running"
        n = rng.choice((10, 100, 1000, 5000, 20000))
        cmd = host.exec_command(aid, rng.choice(("XCMD FLOOD", "D T",
                                                 "XCMD " + "X" * 100)))
        job = host.exec_job(aid, rng.choice(("NOSUCH9", "CJOB1")))
        mix = rng.weighted(((0, 2), (1, 1), (2, 1)))   # cmds, jobs, both
        units = [cmd if (mix == 0 or (mix == 2 and i & 1)) else job
                 for i in range(n)]
        meta["splits"] = []
    elif k == 4:                                     # shutdown mid-tables
        meta["state"] = "acquiring"
        units = [host.table(aid, False), host.shutdown(aid),
                 host.table(aid, True)]
        meta["expect_exit"] = True
    elif k == 5:                                     # errors, every code
        units = [host.error(rng.choice((aid, 0)),
                            rng.range(0, 255) if rng.chance(1, 2)
                            else rng.range(0, 8), rng.range(0, 255))
                 for _ in range(rng.range(1, 20))]
        if any(u[19] in (O_EMS, O_SCD) and u[20] == E_NOT_AVAILABLE
               for u in units):
            meta["expect_exit"] = True
    elif k == 6:                                     # a reject mid-session
        units = [host.reject(rng.range(0, 255))]
    elif k == 8:                                     # a job, then a new SCD
        meta["state"] = "running"
        scd = list(host.scd)
        if rng.chance(1, 3):
            scd[rng.below(len(scd))] = mutate_eotinfo(rng, rng.choice(scd))
        units = [host.exec_job(aid, JOB_NAME),
                 host.table(aid, True, replace=True, objects=scd)]
        # Held open a moment: the job ends while the session goes on.
        meta["end"] = "hold"
    else:                                            # reconnects
        units = [some_valid(rng, host, aid, state)
                 for _ in range(rng.range(0, 3))] or [host.accept(aid)]
        meta["end"] = "close"
    return units, meta


HAVOC_VALUES = (0x00, 0x01, 0x40, 0x7F, 0x80, 0xFF)


def havoc(rng, units):
    """Random changes on top: bits, bytes, interesting values, inserted or
    deleted bytes after the header, duplicated or dropped units."""
    units = list(units)
    for _ in range(rng.range(1, 8)):
        if not units:
            break
        i = rng.below(len(units))
        b = bytearray(units[i])
        op = rng.below(8)
        if op == 0:
            p = rng.below(len(b))
            b[p] ^= 1 << rng.below(8)
        elif op == 1:
            b[rng.below(len(b))] = rng.choice(HAVOC_VALUES)
        elif op == 2 and len(b) >= 2:
            put16(b, rng.below(len(b) - 1), rng.choice(INTERESTING16))
        elif op == 3 and len(b) >= 4:
            put32(b, rng.below(len(b) - 3), rng.choice(INTERESTING32))
        elif op == 4:
            p = rng.range(HEADER_SIZE, len(b))
            b[p:p] = rng.bytes(rng.range(1, 32))
        elif op == 5 and len(b) > HEADER_SIZE:
            p = rng.range(HEADER_SIZE, len(b) - 1)
            del b[p:p + rng.range(1, 32)]
        elif op == 6 and len(units) < 64:
            units.insert(i, bytes(b))
        elif op == 7 and len(units) > 1:
            del units[i]
            continue
        units[i] = bytes(b)
    return units


GENERATORS = (("header", gen_header, 5), ("evblok", gen_evblok, 3),
              ("eotinfo", gen_eotinfo, 2), ("text", gen_text, 4),
              ("framing", gen_framing, 3), ("sequence", gen_sequence, 3))


def pick_state(rng):
    return rng.weighted((("login", 1), ("acquiring", 2), ("running", 7)))


def agent_id_for(rng):
    return rng.choice((1, 2, 0x7FFFFFFF, 0xFFFFFFFF, rng.range(1, 0xFFFF)))


def finish_case(rng, host, state, aid, units, meta, attack, parent=None):
    if rng.chance(1, 4):
        units = havoc(rng, units)
        attack += "+havoc"
    units = [u for u in units if len(u) >= HEADER_SIZE] or \
        [host.exec_command(aid, PROBE_TEXT)]
    if "splits" in meta:
        splits = meta["splits"]
    else:
        total = sum(len(u) for u in units)
        mode = rng.below(4)
        if mode == 0:            # one write per NACCB
            splits, off = [], 0
            for u in units:
                off += len(u)
                splits.append(off)
        elif mode == 1 and total > 1:
            splits = [rng.range(1, total - 1)
                      for _ in range(rng.range(1, 6))]
        else:                    # all in one write
            splits = []
    end = meta.get("end")
    if end is None:
        end = "probe" if rng.chance(7, 8) else "close"
    hold = rng.range(10, 200) if end == "hold" else 0
    return Case(meta.get("state", state), aid, units, splits, end, hold,
                meta.get("expect_exit", False), attack, parent)


def generate(seed, case_no, host, only=None):
    """Case case_no of seed: black-box, from nothing."""
    rng = Rng(seed, case_no)
    gens = [g for g in GENERATORS if only is None or g[0] in only]
    name, fn, _ = rng.weighted([(g, g[2]) for g in gens])
    state = pick_state(rng)
    aid = agent_id_for(rng)
    units, meta = fn(rng, host, aid, meta_state(state))
    return finish_case(rng, host, state, aid, units, meta, name)


def meta_state(state):
    return state


def mutate(seed, case_no, host, parent, other=None):
    """Case case_no of seed when it mutates corpus entry `parent` (a
    Case): the same state and agent-ID, its units changed by one of
    havoc, a fresh unit inserted, a unit regenerated, a splice with
    `other`, new write boundaries or another end."""
    rng = Rng(seed, case_no)
    c = parent.copy()
    units = list(c.units)
    for _ in range(rng.range(1, 3)):
        op = rng.below(6)
        if op == 0 or not units:
            units = havoc(rng, units or [host.exec_command(c.aid,
                                                           PROBE_TEXT)])
        elif op == 1:
            name, fn, _ = rng.choice(GENERATORS)
            new, _ = fn(rng, host, c.aid, c.state)
            p = rng.range(0, len(units))
            units[p:p] = new[:64]
        elif op == 2:
            i = rng.below(len(units))
            u = units[i]
            if len(u) >= HEADER_SIZE + EVBLOK_SIZE and u[19] == O_EMS:
                b = bytearray(u)
                j = rng.below((len(u) - HEADER_SIZE) // EVBLOK_SIZE)
                o = HEADER_SIZE + j * EVBLOK_SIZE
                b[o:o + EVBLOK_SIZE] = mutate_evblok(
                    rng, bytes(b[o:o + EVBLOK_SIZE]))
                units[i] = bytes(b)
            elif len(u) >= HEADER_SIZE + EOTINFO_SIZE and u[19] == O_SCD:
                b = bytearray(u)
                o = HEADER_SIZE
                b[o:o + EOTINFO_SIZE] = mutate_eotinfo(
                    rng, bytes(b[o:o + EOTINFO_SIZE]))
                units[i] = bytes(b)
            else:
                units[i] = mutate_header(rng, host, u, c.aid)
        elif op == 3 and other is not None and other.units:
            a = rng.range(0, len(units))
            b = rng.range(0, len(other.units))
            units = units[:a] + other.units[b:]
        elif op == 4:
            c.end = rng.choice(("probe", "probe", "close", "hold"))
            c.hold_ms = rng.range(10, 200) if c.end == "hold" else 0
        else:
            del units[rng.below(len(units))]
    c.units = [u for u in units if len(u) >= HEADER_SIZE][:2000] or \
        [host.exec_command(c.aid, PROBE_TEXT)]
    total = sum(len(u) for u in c.units)
    c.splits = [s for s in c.splits if s < total]
    if rng.chance(1, 4) and total > 1:
        c.splits = sorted(set(rng.range(1, total - 1)
                              for _ in range(rng.range(1, 6))))
    c.attack = "mutate:" + (parent.attack.split(":")[-1])
    return c
