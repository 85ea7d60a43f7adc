"""The agent against a real xdi-server, watched through its journal: what
the frames and server checks share.
"""

import time

from ..errors import Failure
from ..host import describe


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
        acq = self.wait(lambda r: r.get("event") == "acquire" and
                        r.get("conn", 0) > last, count=2,
                        what="both acquires of a new session")
        self.conn = acq[-1]["conn"]
        return self

    def records(self):
        return [r for r in self.srv.journal.records()
                if r.get("conn") == self.conn]

    def wait(self, pred, count=1, within=6.0, what="", tick=None,
             every=1.0):
        deadline = time.monotonic() + self.ctx.t(within)
        next_tick = time.monotonic()
        while True:
            if tick is not None and time.monotonic() >= next_tick:
                tick()
                next_tick = time.monotonic() + every
            found = [r for r in self.srv.journal.records() if pred(r)]
            if len(found) >= count:
                return found
            if self.agent is not None:
                self.agent.check_alive("while waiting for %s" % what)
            if time.monotonic() >= deadline:
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
        self.wait(lambda r: r.get("conn") == self.conn and
                  r.get("event") == "info" and
                  str(r.get("text", "")).startswith(tag + "."),
                  tick=tick, what="the report of an injected %r message"
                  % tag)

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
