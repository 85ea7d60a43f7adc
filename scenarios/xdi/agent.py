"""ScriptedAgent: a test's hand on one TCP connection to the fake host.

A scenario drives the agent step by step: send NACCBs (whole, in pieces of
chosen sizes, or several in one write) and expect what comes back within a
bounded time.  Every wait has a deadline; nothing sleeps to wait for the
server.  "Nothing must arrive" is a short bounded socket timeout.

Received bytes go through libnaccb's framer (codec.Framer), so the agent
sees the stream exactly as a real agent's recv() loop would.
"""

import socket
import time

from . import codec
from .codec import Naccb
from .stream import send_in_pieces

DEFAULT_WITHIN = 5.0


class AgentClosed(AssertionError):
    """The server closed the connection while the test expected a NACCB."""


def ipv6_loopback():
    """True when this machine can bind ::1 (scenarios on IPv6 are skipped
    otherwise)."""
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def parse_address(text):
    """"127.0.0.1:40123" or "[::1]:40124" -> (host, port)."""
    host, _, port = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, int(port)


class ScriptedAgent:
    """One agent connection.  `address` is (host, port) or "HOST:PORT"."""

    def __init__(self, address, name="agent", connect_timeout=5.0,
                 rcvbuf=None, max_size=0):
        if isinstance(address, str):
            address = parse_address(address)
        self.address = address
        self.name = name
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        if rcvbuf is not None:
            # Set before connect so the window the server sees is small.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(connect_timeout)
        try:
            self.sock.connect(address)
        except BaseException:
            self.sock.close()
            raise
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.framer = codec.Framer(max_size)
        self.inbox = []          # whole NACCBs (bytes) not yet expected
        self.received = []       # every NACCB (bytes) received, in order
        self.eof = False
        self.eof_reason = None
        self.agent_id = 0
        self.system = None

    @property
    def peer(self):
        """This end's address as the journal's "peer" writes it:
        "127.0.0.1:40000" or "[::1]:40000"."""
        host, port = self.sock.getsockname()[:2]
        return ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)

    # ---- sending ----------------------------------------------------------

    def send(self, msg, pieces=None, pause=0.0):
        """Send a NACCB (or raw bytes).  pieces: None for one write; an int
        n for writes of n bytes; a list of sizes for writes of those sizes
        (the rest, if any, as a last write).  pause: seconds between
        writes, so that the pieces reach the server as separate reads."""
        data = msg.encode() if isinstance(msg, Naccb) else bytes(msg)
        return send_in_pieces(self.sock, data, pieces, pause)

    def send_together(self, *msgs):
        """Several NACCBs in one write."""
        data = b"".join(m.encode() if isinstance(m, Naccb) else bytes(m)
                        for m in msgs)
        self.sock.sendall(data)
        return data

    def naccb(self, key, **kw):
        """A NACCB from this agent: its session's agent-ID and system name
        unless given."""
        kw.setdefault("agent_id", self.agent_id)
        if self.system is not None:
            kw.setdefault("system", self.system)
        return Naccb(key, **kw)

    # ---- receiving --------------------------------------------------------

    def _fill(self, deadline):
        """Read once (until deadline) into the inbox.  False on timeout."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(1 << 16)
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError) as e:
            self.eof, self.eof_reason = True, "reset (%s)" % e
            return True
        if not data:
            self.eof, self.eof_reason = True, "closed by the server"
            return True
        frames = self.framer.feed(data)
        self.inbox.extend(frames)
        self.received.extend(frames)
        return True

    def next_raw(self, within=DEFAULT_WITHIN):
        """The next whole NACCB's bytes.  AssertionError on timeout,
        AgentClosed when the connection ended first."""
        deadline = time.monotonic() + within
        while not self.inbox:
            if self.eof:
                raise AgentClosed("%s: connection %s while a NACCB was "
                                  "expected (%d bytes of a partial NACCB "
                                  "held)" % (self.name, self.eof_reason,
                                             self.framer.pending()))
            if not self._fill(deadline):
                raise AssertionError(
                    "%s: no NACCB arrived within %.1f s (%d bytes of a "
                    "partial NACCB held)" % (self.name, within,
                                             self.framer.pending()))
        return self.inbox.pop(0)

    def next(self, within=DEFAULT_WITHIN):
        return Naccb.decode(self.next_raw(within))

    def expect(self, key, within=DEFAULT_WITHIN, error=None, **fields):
        """The next NACCB must have this key (and error code, and any of the
        header fields agent_id, system, count, size, objects given).
        Returns it decoded; fails with a field-by-field diff."""
        got = self.next(within)
        want = {"key": key}
        if error is not None:
            want["error"] = error
        want.update(fields)
        problems = []
        for name, value in want.items():
            actual = _field_value(got, name)
            if name == "system" and isinstance(value, str):
                value = codec.sysname(value)
            if name == "objects":
                value = [bytes(v) for v in value]
            if actual != value:
                problems.append(name)
        if problems:
            expected = _expected_like(got, want)
            raise AssertionError(
                "%s: unexpected NACCB (fields %s differ)\n%s\nreceived bytes: "
                "%s" % (self.name, ", ".join(problems),
                        codec.diff(expected, got), got.raw.hex().upper()))
        return got

    def expect_bytes(self, expected, within=DEFAULT_WITHIN):
        """The next NACCB must be exactly these bytes (hand-written hex
        str, or bytes).  Returns it decoded."""
        if isinstance(expected, str):
            expected = codec.unhex(expected)
        raw = self.next_raw(within)
        if raw != expected:
            msg = "%s: reply bytes differ\n%s" % (
                self.name, codec.hex_diff(expected, raw))
            try:
                msg += "\n" + codec.diff(Naccb.decode(expected),
                                         Naccb.decode(raw))
            except codec.CodecError:
                pass
            raise AssertionError(msg)
        return Naccb.decode(raw)

    def expect_nothing(self, within=0.3):
        """No byte may arrive within `within` seconds (a bounded wait)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline and not self.inbox and not self.eof:
            self._fill(deadline)
        if self.inbox:
            got = Naccb.decode(self.inbox[0])
            raise AssertionError("%s: expected nothing, got:\n%s"
                                 % (self.name, got.describe()))
        if self.framer.pending():
            raise AssertionError("%s: expected nothing, got %d bytes of a "
                                 "NACCB" % (self.name, self.framer.pending()))
        if self.eof:
            raise AssertionError("%s: expected nothing, but the connection "
                                 "was %s" % (self.name, self.eof_reason))

    def expect_closed(self, within=DEFAULT_WITHIN):
        """The server must close the connection within the time, sending
        nothing more."""
        deadline = time.monotonic() + within
        while not self.eof and not self.inbox:
            if not self._fill(deadline):
                raise AssertionError("%s: connection still open after %.1f s"
                                     % (self.name, within))
        if self.inbox:
            got = Naccb.decode(self.inbox[0])
            raise AssertionError("%s: expected the connection closed, got:\n"
                                 "%s" % (self.name, got.describe()))

    def is_open(self, within=0.2):
        """True when the connection is still open after a bounded wait."""
        deadline = time.monotonic() + within
        while not self.eof and time.monotonic() < deadline:
            self._fill(deadline)
        return not self.eof

    # ---- protocol steps ---------------------------------------------------

    def login(self, system, password=None, within=DEFAULT_WITHIN,
              pieces=None):
        """Step (2)/(3): send login, expect accept, remember the agent-ID
        and system name.  Returns the accept NACCB."""
        objs = [] if password is None else [codec.field(password)]
        self.send(Naccb(codec.LOGIN, agent_id=0, system=system,
                        objects=objs), pieces=pieces)
        acc = self.expect(codec.ACCEPT, within=within, error=0, count=0,
                          system=system)
        if acc.agent_id == 0:
            raise AssertionError("%s: accept carries agent-ID 0" % self.name)
        self.agent_id = acc.agent_id
        self.system = acc.system
        return acc

    def acquire(self, key):
        return self.send(self.naccb(key))

    def logout(self):
        return self.send(self.naccb(codec.LOGOUT))

    def close(self):
        """Close the socket (idempotent)."""
        try:
            self.sock.close()
        finally:
            self.framer.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _field_value(n, name):
    if name == "count":
        return len(n.objects)
    if name == "size":
        return len(n.objects[0]) if n.objects else 0
    return getattr(n, name)


def _expected_like(got, want):
    """A Naccb equal to got except for the wanted fields, for the diff."""
    e = Naccb(got.key, agent_id=got.agent_id, system=got.system,
              error=got.error, objects=got.objects, os_code=got.os_code,
              coding=got.coding, unused=got.unused, forward=got.forward)
    for name, value in want.items():
        if name == "system" and isinstance(value, str):
            value = codec.sysname(value)
        # count and size set here only show in the diff (Naccb.fields).
        setattr(e, name, value)
    return e
