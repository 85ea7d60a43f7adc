"""Plain diagnoses of malformed NACCBs: what a byte-for-byte difference
between what the suite expected and what the agent sent most likely
means (docs/conformance.md, "Reading a failure").

Each function looks at bytes only and returns sentences for the report
(an empty list when no diagnosis is plain); the hex diff beside them is
always the evidence.  The rules they name are docs/protocol.md's: texts
are in the session's code page (section 1, "Character fields"), sent at
their own length (section 5, "Texts"), names are 8 bytes blank padded
(section 1), integers are big-endian (section 1, "Integers").
"""

from .. import codec

TEXT_MAX = 128
BLANK = 0x40     # the EBCDIC blank of every code page the suite uses


def first_difference(expected, got):
    """The offset of the first differing byte (the shorter length when one
    is a prefix of the other), or None when they are equal."""
    expected, got = bytes(expected), bytes(got)
    if expected == got:
        return None
    return next((i for i in range(min(len(expected), len(got)))
                 if expected[i] != got[i]), min(len(expected), len(got)))


def _ascii_of(wire):
    """The text when `wire` reads as printable ASCII, else None."""
    b = bytes(wire).rstrip(b"\x00 ")
    if b and all(0x20 <= c < 0x7F for c in b):
        return b.decode("ascii")
    return None


def text(expected, got, fixed=False):
    """Why the object `got` is not the text object `expected` (both wire
    bytes of the session's code page).  fixed: `expected` is a fixed
    blank-padded field (a job name), not a text sent at its own length."""
    expected, got = bytes(expected), bytes(got)
    out = []
    if expected == got:
        return out
    plain = codec.decode_text(expected)
    as_ascii = _ascii_of(got)
    if as_ascii is not None and got.rstrip(b"\x00 ") == \
            plain.rstrip(" ").encode("latin-1"):
        out.append("text in ASCII instead of EBCDIC: the bytes read %r as "
                   "ASCII; texts travel in the session's code page (IBM-037 "
                   "here), docs/protocol.md section 1, Character fields"
                   % as_ascii)
        if len(got) != len(expected):
            out.append("and %d bytes long instead of %d"
                       % (len(got), len(expected)))
        return out
    if len(got) > len(expected) and got.startswith(expected):
        tail = got[len(expected):]
        if set(tail) == {BLANK}:
            out.append("text blank-padded%s: the %d-byte text is followed "
                       "by %d EBCDIC blanks (0x40); a text is sent at its "
                       "own length, the object size is the text length, "
                       "docs/protocol.md section 5, Texts" % (
                           " to %d" % len(got) if len(got) == TEXT_MAX
                           else "", len(expected), len(tail)))
        elif set(tail) == {0}:
            out.append("NUL padding: the %d-byte text is followed by %d NUL "
                       "bytes (0x00); a text is sent at its own length"
                       % (len(expected), len(tail)))
        elif set(tail) == {0x20}:
            out.append("padded with ASCII blanks (0x20): %d of them after "
                       "the %d-byte text" % (len(tail), len(expected)))
        else:
            out.append("wrong length: %d bytes instead of %d, the text "
                       "followed by other bytes" % (len(got), len(expected)))
        return out
    if len(got) < len(expected) and expected.startswith(got):
        rest = expected[len(got):]
        if fixed and set(rest) == {BLANK}:
            out.append("text trimmed: the %d-byte field lost its %d "
                       "trailing blanks; a job name is always 8 bytes, blank "
                       "padded (docs/protocol.md sections 1 and 5)"
                       % (len(expected), len(rest)))
        else:
            out.append("text trimmed: %d bytes instead of %d, the end of "
                       "the text is missing" % (len(got), len(expected)))
        return out
    if fixed and len(got) == len(expected) and \
            got.rstrip(b"\x00") == expected.rstrip(bytes([BLANK])) and \
            got != expected:
        out.append("NUL padding: the field is padded with NULs (0x00), not "
                   "EBCDIC blanks (0x40)")
        return out
    if len(got) != len(expected):
        out.append("wrong length: %d bytes instead of %d"
                   % (len(got), len(expected)))
    return out


def header(expected_raw, got_raw):
    """Diagnoses of the header of a NACCB (raw bytes each)."""
    e, g = bytes(expected_raw), bytes(got_raw)
    out = []
    if len(g) >= 4:
        total = int.from_bytes(g[:4], "big")
        if total != len(g) and int.from_bytes(g[:4], "little") == len(g):
            out.append("little-endian length: the total length %s reads %d "
                       "in the agent machine's order; integers are "
                       "big-endian (docs/protocol.md section 1, Integers)"
                       % (g[:4].hex().upper(), len(g)))
        elif len(e) >= 4 and total != len(g):
            out.append("wrong length: the total length field says %d, the "
                       "NACCB has %d bytes" % (total, len(g)))
    if len(e) >= 16 and len(g) >= 16 and e[8:16] != g[8:16]:
        for d in text(e[8:16], g[8:16], fixed=True):
            out.append("system name (header bytes 8-15): " + d)
    return out


def stream_length(raw, limit=16 << 20):
    """A diagnosis for a stream whose first NACCB lost the framing, from
    its first four bytes alone, or None."""
    raw = bytes(raw)
    if len(raw) < 4:
        return None
    big = int.from_bytes(raw[:4], "big")
    little = int.from_bytes(raw[:4], "little")
    if (big < 36 or big > limit) and 36 <= little <= limit:
        return ("little-endian length: the total length %s reads %d in "
                "the agent machine's order, %d as the big-endian fullword "
                "the protocol uses (docs/protocol.md section 1, Integers)"
                % (raw[:4].hex().upper(), little, big))
    return None


def _groups(b):
    h = bytes(b).hex().upper()
    return " ".join(h[i:i + 8] for i in range(0, len(h), 8))


def object_lines(expected_objects, got_objects, fixed=False):
    """Each object of a NACCB in hex beside the one expected, the first
    differing offset and the diagnosis: lines for a report."""
    lines = []
    n = max(len(expected_objects), len(got_objects))
    for i in range(n):
        exp = expected_objects[i] if i < len(expected_objects) else None
        got = got_objects[i] if i < len(got_objects) else None
        lines.append("object %d:" % i)
        lines.append("  expected %s" % ("(none)" if exp is None else
                                        "%s (%d bytes, %r)" % (
                                            _groups(exp), len(exp),
                                            codec.decode_text(exp))))
        lines.append("  got      %s" % ("(none)" if got is None else
                                        "%s (%d bytes)" % (_groups(got),
                                                           len(got))))
        if exp is None or got is None:
            continue
        at = first_difference(exp, got)
        if at is None:
            lines.append("  (the same)")
            continue
        lines.append("  first difference at object offset %d" % at)
        for d in text(exp, got, fixed=fixed):
            lines.append("  diagnosis: " + d)
    return lines


def diagnoses(expected_objects, got_objects, fixed=False):
    """The diagnosis sentences alone (for a failure's one-line message)."""
    out = []
    for exp, got in zip(expected_objects, got_objects):
        out += text(exp, got, fixed=fixed)
    return out
