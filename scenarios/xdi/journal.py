"""Reading the server's JSON Lines journal (docs/journal.md).

Every record has "ts", "event", "conn", "peer", "agent_id", "system";
records of NACCBs received or sent carry "hex", the raw bytes.  The server
writes each record as one line and flushes it, but not necessarily before
the reply it journals reaches the agent, so tests that look for a record
wait for it with a bounded poll of the file (wait_for).
"""

import json
import time

from . import codec

POLL = 0.01


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

    def wait_hex(self, data, within=5.0, **fields):
        """The record(s) carrying exactly these NACCB bytes."""
        if isinstance(data, codec.Naccb):
            data = data.encode()
        return self.wait_for(within=within, hex=bytes(data).hex(), **fields)

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
        if k == "hex" and isinstance(got, str) and isinstance(v, str):
            if got.replace(" ", "").lower() != v.replace(" ", "").lower():
                return False
        elif got != v:
            return False
    return pred is None or bool(pred(rec))
