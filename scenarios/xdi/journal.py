"""Reading the server's JSON Lines journal (docs/journal.md).

Every record has "ts" and "event"; records about a connection also
"conn", "peer", "agent_id" and "system".  Records of NACCBs received or
sent carry "naccb", the raw bytes as hex (a sent table, and an info
NACCB, only its 36-byte header).  The server
writes each record as one line and flushes it, but not necessarily before
the reply it journals reaches the agent, so tests that look for a record
wait for it with a bounded poll of the file (wait_for).
"""

import json
import time

from . import codec

POLL = 0.01

# The field holding a NACCB's bytes, and every field compared as hex
# (without case or blanks).
NACCB_FIELD = "naccb"
HEX_FIELDS = ("naccb", "object")


class Journal:
    def __init__(self, path):
        self.path = path

    def records(self):
        """Every complete record (a last line without its newline is still
        being written and is left out).  Every complete line must parse."""
        try:
            with open(self.path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return []
        lines = data.split(b"\n")
        out = []
        for i, line in enumerate(lines[:-1]):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except ValueError as e:
                raise AssertionError("journal %s line %d is not JSON (%s): %r"
                                     % (self.path, i + 1, e, line[:200]))
        return out

    def find(self, pred=None, **fields):
        """Records matching every field=value given (hex compared without
        case) and pred(record) when given."""
        return [r for r in self.records() if _matches(r, pred, fields)]

    def wait_for(self, pred=None, within=5.0, count=1, **fields):
        """Wait (bounded) until at least `count` records match; returns the
        matches.  AssertionError with the journal's tail otherwise."""
        deadline = time.monotonic() + within
        while True:
            found = self.find(pred, **fields)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                raise AssertionError(
                    "journal: %d record(s) matching %s%s within %.1f s, "
                    "wanted %d\n%s" % (len(found), fields or "",
                                       " and a predicate" if pred else "",
                                       within, count, self.tail()))
            time.sleep(POLL)

    def wait_naccb(self, data, within=5.0, **fields):
        """The record(s) carrying exactly these NACCB bytes (hex str,
        bytes or a Naccb), and every other field given."""
        if isinstance(data, codec.Naccb):
            data = data.encode()
        if not isinstance(data, str):
            data = bytes(data).hex()
        fields[NACCB_FIELD] = data
        return self.wait_for(within=within, **fields)

    def tail(self, n=25):
        recs = self.records()[-n:]
        return "last %d journal records:\n  %s" % (
            len(recs), "\n  ".join(json.dumps(r, sort_keys=True)
                                   for r in recs) or "(none)")

    def events(self):
        return [r.get("event") for r in self.records()]


def _matches(rec, pred, fields):
    for k, v in fields.items():
        if k not in rec:
            return False
        got = rec[k]
        if k in HEX_FIELDS and isinstance(got, str) and isinstance(v, str):
            if "".join(got.split()).lower() != "".join(v.split()).lower():
                return False
        elif got != v:
            return False
    return pred is None or bool(pred(rec))
