"""The agent against a real xdi-server, watched through its journal: what
the frames and server checks share.
"""

import time

from ... import codec
from .. import diagnose
from ..errors import Failure
from ..host import describe


def shown(text):
    """A text for a one-line message: trailing blanks counted, not shown."""
    stripped = text.rstrip(" ")
    if len(text) - len(stripped) > 3:
        return "%r + %d blanks" % (stripped, len(text) - len(stripped))
    return repr(text)


def misreported(want, reported):
    """(the text as the server journalled it, diagnosis lines) when one of
    `reported` (texts as xdi-server decoded them) is `want` in a malformed
    form (padded, in ASCII, trimmed); None otherwise."""
    exp = codec.encode_text(want)
    for t in reported:
        if not isinstance(t, str) or t == want:
            continue
        try:
            wire = codec.encode_text(t)
        except (UnicodeEncodeError, codec.CodecError):
            continue
        if diagnose.text(exp, wire) and (
                wire.startswith(exp) or exp.startswith(wire) or
                wire.rstrip(b"\x00 ") == want.encode("latin-1")):
            return t, diagnose.object_lines([exp], [wire])
    return None


def text_reject(run, kind, want):
    """A reject for ServerRun.wait: Failure at once when xdi-server
    journals an info of `kind` on the run's connection that is `want`
    malformed (it can never become the awaited text)."""
    def reject(r):
        if r.get("conn") != run.conn or r.get("event") != "info" or \
                r.get("kind") != kind:
            return
        bad = misreported(want, [r.get("text")])
        if bad is not None:
            raise Failure("an event text is reported byte for byte, at its "
                          "own length and in the session's code page: "
                          "%r came as %s (%s)" % (
                              want, shown(bad[0]), "; ".join(
                                  line.split("diagnosis: ", 1)[1]
                                  for line in bad[1]
                                  if "diagnosis: " in line) or
                              "different bytes"),
                          details="\n".join(bad[1]))
    return reject


class ServerRun:
    """The agent against a real xdi-server, watched through its journal."""

    def __init__(self, ctx, srv, system):
        self.ctx, self.srv, self.system = ctx, srv, system
        self.agent = None
        self.conn = None
        self.marks = 0

    def start(self, when=None, address=None):
        """Start the agent (at faketime `when`; pointed at `address`, a
        proxy, instead of the server) and wait until the server journals
        both acquires of its new session."""
        last = max([r.get("conn", 0) for r in self.srv.journal.records()
                    if isinstance(r.get("conn"), int)] or [0])
        self.agent = self.ctx.start_agent(address or self.srv.address,
                                          self.system, when=when)
        # Its connection first, with a message of its own: an agent that
        # never connects is told so, not blamed for a missing acquire.
        self.wait(lambda r: r.get("event") == "connect" and
                  r.get("conn", 0) > last, within=10.0,
                  what="the agent to connect",
                  timeout="the agent did not connect within %%.1f s (to "
                          "xdi-server on %s:%d)" % tuple(
                              address or self.srv.address))
        acq = self.wait(lambda r: r.get("event") == "acquire" and
                        r.get("conn", 0) > last, count=2,
                        what="both acquires of a new session")
        self.conn = acq[-1]["conn"]
        return self

    def records(self):
        return [r for r in self.srv.journal.records()
                if r.get("conn") == self.conn]

    def wait(self, pred, count=1, within=6.0, what="", tick=None,
             every=1.0, timeout=None, reject=None):
        """Journal records for which pred is true, at least count of them;
        Failure after `within` seconds (scaled), with the message
        `timeout` % seconds when given."""
        deadline = time.monotonic() + self.ctx.t(within)
        next_tick = time.monotonic()
        while True:
            if tick is not None and time.monotonic() >= next_tick:
                tick()
                next_tick = time.monotonic() + every
            records = self.srv.journal.records()
            found = [r for r in records if pred(r)]
            if len(found) >= count:
                return found
            if reject is not None:
                for r in records:
                    reject(r)
            if self.agent is not None:
                self.agent.check_alive("while waiting for %s" % what)
            if time.monotonic() >= deadline:
                if timeout is not None:
                    f = Failure(timeout % self.ctx.t(within))
                    f.no_connection = "did not connect" in timeout
                    raise f
                raise Failure("xdi-server's journal: waited %.1f s for %s"
                              % (self.ctx.t(within), what))
            time.sleep(0.02)

    def infos(self, kind="MSG"):
        return [r for r in self.records() if r.get("event") == "info" and
                r.get("kind") == kind]

    def mark(self, prefix="MARK"):
        """Inject marker messages until the server journals one."""
        self.marks += 1
        tag = "%s %d" % (prefix, self.marks)
        n = [0]

        def tick():
            n[0] += 1
            self.ctx.inject_message("%s.%d" % (tag, n[0]))
        def reject(r):
            # The server decodes a text with the session's code page: a
            # text the agent sent in ASCII reads back as ASCII once
            # encoded again.  It can never become the marker's report.
            if r.get("conn") != self.conn or r.get("event") != "info" or \
                    not isinstance(r.get("text"), str):
                return
            try:
                wire = codec.encode_text(r["text"])
            except (UnicodeEncodeError, codec.CodecError):
                return
            if wire.rstrip(b"\x00 ").decode("latin-1").startswith(tag):
                raise Failure(
                    "an event text is reported in the session's code page "
                    "(IBM-037 here): xdi-server received the report of "
                    "the injected %r message in ASCII" % tag,
                    details="\n".join(diagnose.object_lines(
                        [codec.encode_text(wire.decode("latin-1"))],
                        [wire])))
        self.wait(lambda r: r.get("conn") == self.conn and
                  r.get("event") == "info" and
                  str(r.get("text", "")).startswith(tag + "."),
                  tick=tick, what="the report of an injected %r message"
                  % tag, reject=reject)

    def stop(self):
        self.agent.signal(self.ctx.config.stop_signal)
        rc = self.agent.wait_exit(self.ctx.t(5))
        if rc is None:
            raise Failure("the agent did not stop within %.1f s of the "
                          "stop signal" % self.ctx.t(5))

    def violations(self):
        return [r for r in self.records() if r.get("event") == "violation"]


def journal_transcript(ctx, srv):
    """The server's journal as the check's transcript (evidence)."""
    for r in srv.journal.records():
        if "naccb" not in r:
            continue
        ev = r.get("event")
        where = "conn%s %s" % (r.get("conn"), "host->agent" if ev in (
            "accept", "reject", "send", "output_limit") else "agent->host")
        try:
            raw = bytes.fromhex(r["naccb"])
        except ValueError:
            continue
        if ev == "info" and r.get("index", 0) != 0:
            continue
        if ev == "send" and "object" in r:   # exec command / exec job
            try:
                raw += bytes.fromhex(r["object"])
            except ValueError:
                pass
        extra = ""
        if ev == "info":
            extra = " [%s %r: %s]" % (r.get("kind"), r.get("text") or
                                      r.get("eotinfo", {}).get("job_name"),
                                      r.get("verdict"))
        elif ev == "violation":
            extra = " [violation %s: %s]" % (r.get("check"),
                                             r.get("reason"))
        ctx.transcript.add(where, "%s: %s%s" % (ev, hdr(raw), extra),
                           at=str(r.get("ts", ""))[11:23])


def hdr(raw):
    return describe(raw)


def server_check(ctx, fixture, system, body, copy=False, args=()):
    fx = ctx.fixture_copy(fixture) if copy else ctx.fixture(fixture)
    srv = ctx.xdi_server(fx, args=args)
    try:
        body(ServerRun(ctx, srv, system), fx)
    finally:
        journal_transcript(ctx, srv)
