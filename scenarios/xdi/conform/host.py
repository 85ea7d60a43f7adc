"""The scripted fake host of xdi-conform, and the transcript of a check.

A ScriptedHost listens on a kernel-chosen loopback port; the agent under
test connects to it, and a check drives each connection (HostConn) step by
step: send NACCBs (whole, one byte per write, several in one write), wait
for what the agent sends with a deadline, expect nothing for a bounded
time, expect the connection closed.  It misbehaves on purpose where a check
needs it; xdi-server never would.

Every byte goes through libnaccb (xdi.codec): the framer reassembles what
the agent sends exactly as a real host's recv() loop would, and every NACCB
sent is encoded by the codec.  Everything sent and received is recorded in
the check's Transcript, which is the evidence of a report.

What the agent did wrong raises Failure (engine.py); a problem of the
harness itself (no port, the agent command cannot be run) raises
HarnessError.
"""

import select
import socket
import time

from .. import codec
from ..codec import Naccb
from ..stream import send_in_pieces
from . import diagnose
from .errors import Failure, HarnessError

POLL = 0.02


# ---- describing NACCBs --------------------------------------------------------


def loose_decode(raw):
    """A Naccb of the first 36 bytes of raw and what follows, even when its
    length fields are inconsistent (for the diff of a broken NACCB).
    None when raw is shorter than a header."""
    return Naccb.decode_loose(raw)


def _object_summary(n):
    """A short readable view of the objects of a NACCB, by what libnaccb
    says its key carries."""
    if not n.objects:
        return ""
    kind = codec.key_object_kind(n.key)
    size = len(n.objects[0])
    if kind in (codec.KIND_TEXT, codec.KIND_JOB_NAME):
        texts = [repr(codec.decode_text(o)) for o in n.objects[:4]]
        more = " ..." if len(n.objects) > 4 else ""
        return " " + ", ".join(texts) + more
    if kind == codec.KIND_EOTINFO and size == codec.EOTINFO_SIZE and \
            n.request == codec.REQ_INFO:
        parts = []
        for o in n.objects[:4]:
            e = codec.eotinfo_decode(o)
            parts.append("%s/%s notes=%r step=%d ucc=%d maxcc=%d" % (
                e.job(), codec.field_get(bytes(e.step_name)),
                codec.decode_text(bytes(e.notes)), e.step_number, e.ucc,
                e.max_cc))
        return " " + "; ".join(parts)
    if kind == codec.KIND_EVBLOK and size == codec.EVBLOK_SIZE:
        keys = [codec.evblok_decode(o).key_text() for o in n.objects[:8]]
        return " keys " + ", ".join(repr(k) for k in keys)
    if kind == codec.KIND_EOTINFO and size == codec.EOTINFO_SIZE:
        jobs = [codec.eotinfo_decode(o).job() for o in n.objects[:8]]
        return " jobs " + ", ".join(jobs)
    return ""


def describe(raw):
    """One line for a NACCB's bytes: key, name, header fields, objects."""
    n = loose_decode(raw)
    if n is None:
        return "%d bytes, shorter than a header: %s" % (len(raw),
                                                        bytes(raw).hex())
    name = n.name() or "?"
    count = len(n.objects) if n.count is None else n.count
    size = (len(n.objects[0]) if n.objects else 0) if n.size is None \
        else n.size
    total = len(raw) if n.total_length is None else n.total_length
    line = "%08X %-14s id=%08X sys=%s %r err=%02X n=%d size=%d len=%d" % (
        n.key, name, n.agent_id, n.system.hex().upper(), n.system_text(),
        n.error, count, size, total)
    try:
        return line + _object_summary(n)
    except (ValueError, codec.CodecError):
        return line


class Transcript:
    """Everything a check saw: NACCBs both ways, and notes, with the time
    since the check began."""

    def __init__(self):
        self.t0 = time.monotonic()
        self.entries = []  # (seconds, where, text)

    def add(self, where, text, at=None):
        """at: a time of its own (a journal's timestamp) instead of the
        seconds since the check began."""
        when = "%+8.3fs" % (time.monotonic() - self.t0) if at is None \
            else at
        self.entries.append((when, where, text))

    def naccb(self, where, raw, note=None):
        self.add(where, describe(raw) + (" (%s)" % note if note else ""))

    def note(self, text):
        self.add("note", text)

    def render(self, limit=400):
        lines = ["%9s %-18s %s" % e for e in self.entries[:limit]]
        if len(self.entries) > limit:
            lines.append("... %d more" % (len(self.entries) - limit))
        return "\n".join(lines)


# ---- the host ----------------------------------------------------------------------


class ScriptedHost:
    """A listening socket on 127.0.0.1, port chosen by the kernel."""

    def __init__(self, transcript, within=5.0):
        self.transcript = transcript
        self.within = within
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self.listener.bind(("127.0.0.1", 0))
            self.listener.listen(8)
        except OSError as e:
            self.listener.close()
            raise HarnessError("scripted host: cannot listen: %s" % e)
        self.address = self.listener.getsockname()[:2]
        self.conns = []

    def try_accept(self, timeout=0.0):
        """A new connection, or None when none came within timeout."""
        r, _, _ = select.select([self.listener], [], [], max(timeout, 0))
        if not r:
            return None
        sock, peer = self.listener.accept()
        conn = HostConn(sock, self.transcript, "conn%d" % (len(self.conns) + 1))
        self.conns.append(conn)
        self.transcript.note("%s: the agent connected from %s:%d"
                             % (conn.label, peer[0], peer[1]))
        return conn

    def accept(self, agent, within=None, what="the agent to connect"):
        """Wait for the agent to connect; Failure when it does not, or
        exits first (HarnessError when its command could not run)."""
        within = self.within if within is None else within
        deadline = time.monotonic() + within
        while True:
            conn = self.try_accept(min(0.05, max(deadline - time.monotonic(),
                                                 0)))
            if conn is not None:
                return conn
            if agent is not None:
                agent.check_alive("while waiting for %s" % what)
            if time.monotonic() >= deadline:
                f = Failure("the agent did not connect within %.1f s (the "
                            "host listened on %s:%d%s)" % (
                                within, self.address[0], self.address[1],
                                "" if what == "the agent to connect" else
                                "; waited for %s" % what))
                f.no_connection = True
                raise f

    def close(self):
        for c in self.conns:
            c.close()
        self.listener.close()


class HostConn:
    """One agent connection, seen from the host."""

    def __init__(self, sock, transcript, label, within=5.0):
        self.sock = sock
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.transcript = transcript
        self.label = label
        self.within = within
        self.agent_id = 0    # the agent-ID the host gave on this connection
        self.framer = codec.Framer()
        self.inbox = []      # whole NACCBs (bytes) not taken yet
        self.raw = b""       # the first bytes received, for evidence
        self.eof = False
        self.eof_reason = None
        self.broken = None   # a Failure when framing was lost

    # ---- sending --------------------------------------------------------

    def send(self, msg, pieces=None, pause=0.0, note=None):
        """A NACCB (Naccb or bytes): one write, or writes of `pieces` bytes
        with `pause` seconds between them."""
        data = msg.encode() if isinstance(msg, Naccb) else bytes(msg)
        self.transcript.naccb(self.label + " host->agent", data, note or (
            "in %d-byte writes" % pieces if pieces else None))
        try:
            send_in_pieces(self.sock, data, pieces, pause)
        except OSError as e:
            raise Failure("%s: the agent's connection failed while the host "
                          "was sending (%s)" % (self.label, e))
        return data

    def send_together(self, *msgs, note="all in one write"):
        parts = [m.encode() if isinstance(m, Naccb) else bytes(m)
                 for m in msgs]
        for p in parts:
            self.transcript.naccb(self.label + " host->agent", p, note)
        try:
            self.sock.sendall(b"".join(parts))
        except OSError as e:
            raise Failure("%s: the agent's connection failed while the host "
                          "was sending (%s)" % (self.label, e))

    # ---- receiving ------------------------------------------------------

    def _fill(self, deadline):
        """Read once (until deadline).  False on timeout."""
        if self.broken is not None:
            raise self.broken
        remaining = deadline - time.monotonic()
        if remaining <= 0 or self.eof:
            return False
        r, _, _ = select.select([self.sock], [], [], remaining)
        if not r:
            return False
        try:
            data = self.sock.recv(1 << 16)
        except OSError as e:
            data, self.eof_reason = b"", "reset (%s)" % e
        if not data:
            self.eof = True
            self.eof_reason = self.eof_reason or "closed by the agent"
            self.transcript.add(self.label, "connection %s" % self.eof_reason)
            return True
        if len(self.raw) < 4096:
            self.raw += data[:4096 - len(self.raw)]
        try:
            frames = self.framer.feed(data)
        except codec.FramingError as e:
            self.transcript.add(self.label + " agent->host",
                                "bytes that cannot be framed: %s"
                                % data[:72].hex().upper())
            why = diagnose.stream_length(self.raw)
            self.broken = Failure(
                "%s: the agent's bytes lost the NACCB framing: %s%s"
                % (self.label, e, "; " + why if why else ""), raw=self.raw)
            raise self.broken
        for f in frames:
            self.transcript.naccb(self.label + " agent->host", f)
        self.inbox.extend(frames)
        return True

    def poll(self, within):
        """The next NACCB (decoded), or None when none came in time or the
        connection ended."""
        deadline = time.monotonic() + within
        while not self.inbox:
            if self.eof or not self._fill(deadline):
                if not self.inbox:
                    return None
        return self._decode(self.inbox.pop(0))

    def _decode(self, raw):
        try:
            return Naccb.decode(raw)
        except codec.CodecError as e:
            raise Failure("%s: the agent sent a NACCB libnaccb cannot "
                          "decode: %s" % (self.label, e), raw=raw)

    def next(self, within=None, what="a NACCB"):
        """The next NACCB; Failure when none comes in time or the
        connection ends first."""
        within = self.within if within is None else within
        n = self.poll(within)
        if n is None:
            if self.eof:
                raise Failure("%s: the connection was %s while the host "
                              "waited for %s" % (self.label, self.eof_reason,
                                                 what))
            raise Failure("%s: waited %.1f s for %s: nothing came%s"
                          % (self.label, within, what,
                             " (%d bytes of a partial NACCB)"
                             % self.framer.pending()
                             if self.framer.pending() else ""))
        return n

    def expect(self, expected, within=None, what=None, exact=True):
        """The next NACCB must be `expected` (a Naccb): byte for byte when
        exact, else the same key.  Failure with a field diff otherwise."""
        what = what or (expected.name() or "%08X" % expected.key)
        got = self.next(within, what)
        if exact and got.raw != expected.encode() or \
                not exact and got.key != expected.key:
            raise Failure("%s: expected %s, got %s" % (
                self.label, what, got.name() or "%08X" % got.key),
                expected=expected, got=got)
        return got

    def expect_nothing(self, within, what="nothing"):
        """No NACCB may arrive within `within` seconds (connection may not
        end either)."""
        n = self.poll(within)
        if n is not None:
            raise Failure("%s: expected %s for %.1f s, but the agent sent "
                          "%s" % (self.label, what, within,
                                  n.name() or "%08X" % n.key), got=n)
        if self.eof:
            raise Failure("%s: expected %s, but the connection was %s"
                          % (self.label, what, self.eof_reason))

    def expect_closed(self, within=None, what="the agent to close"):
        within = self.within if within is None else within
        n = self.poll(within)
        if n is not None:
            raise Failure("%s: expected %s, but it sent %s"
                          % (self.label, what, n.name() or "%08X" % n.key),
                          got=n)
        if not self.eof:
            raise Failure("%s: waited %.1f s for %s: the connection is "
                          "still open" % (self.label, within, what))

    def collect(self, until, within=None, tick=None, every=0.5,
                what="the expected NACCB", reject=None):
        """NACCBs until until(n) is true for one of them (returned last);
        tick() is called at once and then every `every` seconds (to inject
        an event again).  Returns the list.  Failure on timeout or EOF.
        reject(n), called on each NACCB that does not end the wait, raises
        Failure as soon as one shows the wait can no longer end in a pass
        (a malformed report of the awaited event: no need to wait out the
        deadline)."""
        within = self.within if within is None else within
        deadline = time.monotonic() + within
        got = []
        next_tick = time.monotonic()
        while True:
            now = time.monotonic()
            if tick is not None and now >= next_tick:
                tick()
                next_tick = now + every
            if now >= deadline:
                raise Failure("%s: waited %.1f s for %s; got %s" % (
                    self.label, within, what,
                    ", ".join(n.name() or "%08X" % n.key for n in got)
                    or "nothing"))
            slice_end = min(deadline, next_tick) if tick else deadline
            n = self.poll(max(slice_end - time.monotonic(), 0.001))
            if n is None:
                if self.eof:
                    raise Failure("%s: the connection was %s while the host "
                                  "waited for %s" % (self.label,
                                                     self.eof_reason, what))
                continue
            got.append(n)
            if until(n):
                return got
            if reject is not None:
                reject(n)

    def drain_until(self, until, within):
        """NACCBs until until(n) is true for one (returned last) or
        `within` seconds pass or the connection ends: never a Failure for
        the timeout (the caller says what silence means)."""
        got = []
        deadline = time.monotonic() + within
        while True:
            n = self.poll(max(deadline - time.monotonic(), 0))
            if n is None:
                return got
            got.append(n)
            if until(n):
                return got

    def drain(self, within):
        """Every NACCB that arrives within `within` seconds."""
        got = []
        deadline = time.monotonic() + within
        while True:
            n = self.poll(max(deadline - time.monotonic(), 0))
            if n is None:
                return got
            got.append(n)

    def drop(self):
        """The host drops the connection (no shutdown NACCB)."""
        self.transcript.add(self.label, "the host drops the connection")
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close()

    def close(self):
        if not self.eof:
            self.eof, self.eof_reason = True, "closed by the host"
        try:
            self.sock.close()
        finally:
            self.framer.close()
