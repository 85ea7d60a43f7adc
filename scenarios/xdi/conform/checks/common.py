"""Helpers the checks share: NACCBs to and from the agent, opening a session
with the scripted host, markers, the agent's logout.
"""

from ... import codec
from ...codec import Naccb
from .. import diagnose, tables
from ..engine import random_agent_id
from ..errors import Failure
from ..tables import JOB, SYSTEM


INFO_KEYS = (codec.INFO_MSG, codec.INFO_CMD, codec.INFO_EOJ, codec.INFO_EOS,
             codec.INFO_EOT)
MARK = "XMSG1"      # the marker message key of the scripted host's table
QUIET = 0.4         # seconds of "nothing may arrive"


# ---- helpers ---------------------------------------------------------------------


def to_agent(key, aid, **kw):
    kw.setdefault("system", SYSTEM)
    return Naccb(key, agent_id=aid, **kw)


def from_agent(key, aid, **kw):
    kw.setdefault("system", SYSTEM)
    return Naccb(key, agent_id=aid, **kw)


def name_of(n):
    return n.name() or "%08X" % n.key


def texts(n):
    return [codec.decode_text(o) for o in n.objects]


def is_info(n, key=None, prefix=None):
    if n.key not in INFO_KEYS or key is not None and n.key != key:
        return False
    return prefix is None or any(t.startswith(prefix) for t in texts(n))


class Session:
    def __init__(self, host, agent, conn, agent_id):
        self.host, self.agent, self.conn = host, agent, conn
        self.agent_id = agent_id
        self.marks = 0
        self.injected = []   # every marker text injected, in order


def connect(ctx, host=None, when=None):
    host = host or ctx.scripted_host()
    agent = ctx.start_agent(host.address, SYSTEM, when=when)
    conn = host.accept(agent, within=ctx.t(10))
    return host, agent, conn


def expect_login(ctx, conn, what="the login"):
    n = conn.next(ctx.t(5), what)
    if n.key != codec.LOGIN:
        raise Failure("%s: expected %s, got %s" % (conn.label, what,
                                                   name_of(n)),
                      expected=Naccb(codec.LOGIN, system=SYSTEM), got=n)
    return n


def give_accept(conn, aid):
    conn.send(to_agent(codec.ACCEPT, aid))
    conn.agent_id = aid


def table_answer(acquire_key, aid, ems, scd):
    if acquire_key == codec.ACQ_EMS:
        return to_agent(codec.RCV_EMS, aid, objects=ems) if ems else \
            tables.no_table(False, aid)
    return to_agent(codec.RCV_SCD, aid, objects=scd) if scd else \
        tables.no_table(True, aid)


def take_acquires(ctx, conn, aid, answer=None, strict=False):
    """Both acquires (any order, answered as each arrives unless answer is
    None).  strict: each must be byte for byte what the notes say."""
    seen = []
    while len(seen) < 2:
        n = conn.next(ctx.t(5), "acquire EMS and acquire SCD")
        want = codec.ACQ_SCD if codec.ACQ_EMS in [s.key for s in seen] \
            else codec.ACQ_EMS
        if n.key not in (codec.ACQ_EMS, codec.ACQ_SCD) or \
                n.key in [s.key for s in seen]:
            raise Failure("%s: after the accept the agent must acquire both "
                          "tables; it sent %s" % (conn.label, name_of(n)),
                          expected=from_agent(want, aid), got=n)
        if strict and n.raw != from_agent(n.key, aid).encode():
            raise Failure("%s: %s is not as the protocol says" % (
                conn.label, name_of(n)), expected=from_agent(n.key, aid),
                got=n)
        seen.append(n)
        if answer is not None:
            answer(n)
    return seen


def logged_in(ctx, when=None):
    """The agent connected and its login taken (not yet answered):
    (host, agent, conn)."""
    host, agent, conn = connect(ctx, when=when)
    expect_login(ctx, conn)
    return host, agent, conn


def accepted(ctx, aid=None, when=None):
    """logged_in() and the login accepted with aid (a random agent-ID when
    None): (host, agent, conn, aid)."""
    host, agent, conn = logged_in(ctx, when=when)
    aid = aid or random_agent_id()
    give_accept(conn, aid)
    return host, agent, conn, aid


def open_session(ctx, ems="default", scd="default", aid=None, when=None,
                 answer_pieces=None):
    """Agent connected, logged in with a random agent-ID, both acquires
    answered: ems/scd are object lists, None for no-EMS / no-SCD."""
    ems = tables.default_ems() if ems == "default" else ems
    scd = tables.default_scd() if scd == "default" else scd
    host, agent, conn, aid = accepted(ctx, aid=aid, when=when)
    take_acquires(ctx, conn, aid, lambda n: conn.send(
        table_answer(n.key, aid, ems, scd), pieces=answer_pieces,
        pause=0.0002 if answer_pieces else 0.0))
    return Session(host, agent, conn, aid)


def mark(ctx, sess, within=6.0):
    """Injects marker messages (XMSG1 <n>) until one is reported; returns
    every NACCB received meanwhile (the marker's info last)."""
    def tick():
        sess.marks += 1
        text = "%s MARK %d" % (MARK, sess.marks)
        sess.injected.append(text)
        ctx.inject_message(text)
    return sess.conn.collect(lambda n: is_info(n, codec.INFO_MSG, MARK),
                             within=ctx.t(within), tick=tick, every=1.0,
                             what="the report of an injected %s message"
                             % MARK,
                             reject=lambda n: reject_malformed_text(
                                 sess, n, sess.injected))


def ascii_report(wire, prefix):
    """True when the wire bytes of a report read as ASCII text starting
    with `prefix` (a text never converted to the code page)."""
    return bytes(wire).rstrip(b"\x00 ").decode("latin-1").startswith(
        prefix)


def closest(candidates, obj):
    """The injected text (str) the object `obj` most likely reports: the
    one it begins with (in the code page or in ASCII), or that begins with
    it, else None."""
    obj = bytes(obj)
    best = None
    for t in candidates:
        wire = codec.encode_text(t)
        plain = t.encode("latin-1")
        if obj == wire:
            return t
        for form in (wire, plain):
            if obj.startswith(form) or (len(obj) >= len(MARK) and
                                        form.startswith(obj.rstrip(
                                            b"\x00 \x40"))):
                if best is None or len(t) > len(best):
                    best = t
    return best


def text_failure(conn, n, text, obj, rule, fixed=False):
    """The Failure for an info NACCB n whose object `obj` is a malformed
    report of `text`: the rule in the check's words, the diagnosis, the
    objects in hex beside the expected ones."""
    wire = codec.field(text) if fixed else codec.encode_text(text)
    why = diagnose.text(wire, obj, fixed=fixed) or [
        "the bytes differ from %r in the session's code page" % text]
    objects = [wire if o is obj else o for o in n.objects]
    if len({len(o) for o in objects}) > 1:
        # The objects of one NACCB have one size: what was expected is a
        # NACCB of this text alone.
        objects = [wire]
    expected = Naccb(n.key, agent_id=conn.agent_id, system=SYSTEM,
                     objects=objects)
    return Failure("%s: %s; the report of %r came as %s: %s" % (
        conn.label, rule, text, name_of(n), "; ".join(why)),
        expected=expected, got=n)


def reject_malformed_text(sess, n, candidates,
                          rule="an event text is reported byte for byte, "
                               "in the session's code page",
                          prefix=MARK, keys=(codec.INFO_MSG,)):
    """Failure at once when n (an info NACCB of `keys`) has an object that
    reports an injected text (`candidates`, all starting with `prefix`) in
    a form that can never become the expected one (ASCII instead of
    EBCDIC): waiting longer cannot help."""
    if n.key not in keys:
        return
    for o in n.objects:
        ascii_text = bytes(o).rstrip(b"\x00 ").decode("latin-1")
        if not ascii_text.startswith(prefix):
            continue
        t = closest(candidates, o)
        if t is not None:
            raise text_failure(sess.conn, n, t, o, rule)


def not_marker(n):
    return not (n.key == codec.INFO_MSG and
                all(t.startswith(MARK) for t in texts(n)))


def check_ids(conn, got, aid):
    for n in got:
        if n.agent_id != aid or n.system != codec.sysname(SYSTEM):
            exp = Naccb(n.key, agent_id=aid, system=SYSTEM, error=n.error,
                        objects=n.objects)
            raise Failure("%s: %s does not carry the session's agent-ID "
                          "%08X and system name" % (conn.label, name_of(n),
                                                    aid), expected=exp, got=n)


def prove_alive(ctx, sess, what):
    """The agent still reads and answers in step: a marker message is
    reported (or, without a message adapter, an exec command answered)."""
    if ctx.has("messages"):
        got = mark(ctx, sess)
    else:
        sess.conn.send(to_agent(codec.EXEC_CMD, sess.agent_id,
                                objects=[codec.encode_text("XCMD PROBE")]))
        got = sess.conn.collect(
            lambda n: is_info(n, codec.INFO_CMD) or
            n.key == codec.agent_error_key(codec.OBJ_CMD), within=ctx.t(5),
            what="the answer to an exec command (%s)" % what)
    check_ids(sess.conn, got, sess.agent_id)
    return got


def expect_logout_close(ctx, conn, aid, why):
    n = conn.poll(ctx.t(5))
    if n is None:
        if conn.eof:
            raise Failure("%s: %s, the agent closed the connection without "
                          "a logout" % (conn.label, why),
                          expected=from_agent(codec.LOGOUT, aid))
        raise Failure("%s: %s, the agent sent no logout within %.1f s"
                      % (conn.label, why, ctx.t(5)),
                      expected=from_agent(codec.LOGOUT, aid))
    if n.raw != from_agent(codec.LOGOUT, aid).encode():
        raise Failure("%s: %s, expected a logout, got %s" % (
            conn.label, why, name_of(n)),
            expected=from_agent(codec.LOGOUT, aid), got=n)
    conn.expect_closed(ctx.t(5), "the agent to close after its logout")


def reject_job_text(sess, n, job=JOB):
    """Failure at once for an info EOJ/EOS about `job` whose object has a
    width no job text has: it can never become the 8-byte job name (EOJ)
    or the 16-byte job + step name (EOS) awaited."""
    if n.key not in (codec.INFO_EOJ, codec.INFO_EOS):
        return
    name = codec.encode_text(job)
    for o in n.objects:
        if bytes(o).startswith(name) and len(o) not in (8, 16):
            raise text_failure(sess.conn, n, job, o,
                               "a job text carries the 8-byte job name "
                               "(EOJ) or job + step name, 16 bytes (EOS)",
                               fixed=True)
