"""The checks of xdi-conform, in the order the suite runs them.

Each check is documented in docs/conformance.md with the seed passage it
comes from (also in its `seed` and `notes` below, which the JUnit report
carries as properties).  Checks against the scripted host (host.py) use the
tables of tables.py; checks against the real xdi-server use the fixture
sets of fixtures/conformance/ (see its README.md).

A check reads like the protocol step it tests: start the agent, play the
host's part, and raise Failure with the evidence at the first thing the
agent gets wrong.  Deadlines are short (the agent answers on loopback) and
scaled by --timeout-scale; "nothing may arrive" windows are bounded.
"""

import time

from .. import codec
from ..codec import Naccb
from . import tables
from .engine import check, random_agent_id
from .errors import Failure
from .host import describe
from .tables import JOB, SYSTEM

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


def open_session(ctx, ems="default", scd="default", aid=None, when=None,
                 answer_pieces=None):
    """Agent connected, logged in with a random agent-ID, both acquires
    answered: ems/scd are object lists, None for no-EMS / no-SCD."""
    ems = tables.default_ems() if ems == "default" else ems
    scd = tables.default_scd() if scd == "default" else scd
    host, agent, conn = connect(ctx, when=when)
    expect_login(ctx, conn)
    aid = aid or random_agent_id()
    give_accept(conn, aid)
    take_acquires(ctx, conn, aid, lambda n: conn.send(
        table_answer(n.key, aid, ems, scd), pieces=answer_pieces,
        pause=0.0002 if answer_pieces else 0.0))
    return Session(host, agent, conn, aid)


def mark(ctx, sess, within=6.0):
    """Injects marker messages (XMSG1 <n>) until one is reported; returns
    every NACCB received meanwhile (the marker's info last)."""
    def tick():
        sess.marks += 1
        ctx.inject_message("%s MARK %d" % (MARK, sess.marks))
    return sess.conn.collect(lambda n: is_info(n, codec.INFO_MSG, MARK),
                             within=ctx.t(within), tick=tick, every=1.0,
                             what="the report of an injected %s message"
                             % MARK)


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
            n.key == 0x02010B04, within=ctx.t(5),
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


# ---- login ---------------------------------------------------------------------------


@check("login.format",
       "the login: agent-ID 0, system name blank-padded EBCDIC, no stray "
       "objects, correct length",
       seed="Interaction Steps (2) 'Send login request'; Agent-ID: 'Login "
            "request NACCB is sent without agent-ID'; System name: '8-byte "
            "character string left justified and padded with blanks'; NACCB "
            "total length 'in binary fullword format'",
       notes="sections 1, 2, 6 (login 02010500), 9 step 2")
def login_format(ctx):
    host, agent, conn = connect(ctx)
    expected = Naccb(codec.LOGIN, agent_id=0, system=SYSTEM)
    deadline = time.monotonic() + ctx.t(5)
    while len(conn.raw) < codec.HEADER_SIZE and not conn.inbox:
        try:
            if not conn._fill(deadline):
                break
        except Failure as f:
            f.expected = expected
            f.message += " (expected the login, byte for byte)"
            raise
        if conn.eof:
            break
    if not conn.inbox:
        raise Failure("%s: no whole login NACCB within %.1f s (%d bytes "
                      "received)" % (conn.label, ctx.t(5), len(conn.raw)),
                      expected=expected, raw=conn.raw)
    got = conn._decode(conn.inbox.pop(0))
    if got.raw != expected.encode():
        raise Failure("%s: the login is not %s" % (
            conn.label, "02010500 with agent-ID 0, the system name in "
            "blank-padded EBCDIC and no object"), expected=expected, got=got)


@check("login.wait_for_accept",
       "nothing but the login is sent before the login is accepted",
       seed="Interaction Steps (3) 'Receive login acceptance ... This ID "
            "must be used in subsequent interaction'; (4) comes after (3)",
       notes="section 9 steps 2-3 (before a session only a login is taken)")
def login_wait_for_accept(ctx):
    host, agent, conn = connect(ctx)
    expect_login(ctx, conn)
    conn.expect_nothing(ctx.t(0.6), "nothing before the accept")
    aid = random_agent_id()
    give_accept(conn, aid)
    take_acquires(ctx, conn, aid)


@check("login.retry_after_reject",
       "a rejected login is corrected and retried; no acquire without a new "
       "accepted login",
       seed="Interaction Steps (2) 'When login information is invalid, "
            "zJOS-XDI rejects it. It must correct login information and "
            "retry it. Login will also fail when zJOS-XDI ... is not up.'",
       notes="section 6 (reject 01020800), section 9 step 2")
def login_retry_after_reject(ctx):
    host, agent, conn = connect(ctx)
    expect_login(ctx, conn)
    conn.send(Naccb(codec.REJECT, agent_id=0, system=SYSTEM,
                    error=codec.E_RESOURCE_MANAGER),
              note="XDI is not up (error 06)")
    deadline = time.monotonic() + ctx.t(10)
    retry = None
    while retry is None:
        if time.monotonic() > deadline:
            raise Failure("no new login within %.1f s of the reject"
                          % ctx.t(10))
        for c in list(host.conns):
            n = c.poll(0.02)
            if n is None:
                continue
            if n.key != codec.LOGIN:
                raise Failure("%s: after a reject the agent must log in "
                              "again before anything else; it sent %s"
                              % (c.label, name_of(n)),
                              expected=Naccb(codec.LOGIN, system=SYSTEM),
                              got=n)
            retry = (c, n)
            break
        if retry is None:
            host.try_accept(0.02)
            agent.check_alive("after the reject")
    c, n = retry
    if n.raw != Naccb(codec.LOGIN, agent_id=0, system=SYSTEM).encode():
        raise Failure("%s: the retried login is not a proper login"
                      % c.label, expected=Naccb(codec.LOGIN, system=SYSTEM),
                      got=n)
    aid = random_agent_id()
    give_accept(c, aid)
    take_acquires(ctx, c, aid, strict=True)


# ---- the session ---------------------------------------------------------------------


@check("session.agent_id",
       "the agent-ID of the accept (a random one) is in every later NACCB",
       seed="Agent-ID: 'This ID then must be used in all subsequent "
            "interaction'",
       notes="section 2 (agent-ID), section 9 step 2 (random IDs)")
def session_agent_id(ctx):
    sess = open_session(ctx)
    if ctx.has("messages"):
        check_ids(sess.conn, mark(ctx, sess), sess.agent_id)
    sess.agent.signal(ctx.config.stop_signal)
    expect_logout_close(ctx, sess.conn, sess.agent_id,
                        "after the stop signal")


@check("tables.acquire_both",
       "both tables are acquired, each with a well-formed acquire",
       seed="Interaction Steps (4) 'Send system events management (EMS) "
            "parameters request'; (5) 'Send workloads scheduler (SCD) "
            "parameter request'",
       notes="section 6 (acquire 02010901 / 02010902), section 9 step 3")
def tables_acquire_both(ctx):
    host, agent, conn = connect(ctx)
    expect_login(ctx, conn)
    aid = random_agent_id()
    give_accept(conn, aid)
    take_acquires(ctx, conn, aid, strict=True, answer=lambda n: conn.send(
        table_answer(n.key, aid, tables.default_ems(),
                     tables.default_scd())))


@check("tables.all_entries",
       "every entry of a table is taken (the event of the last EVBLOK of "
       "six is reported)",
       seed="EMS Parameter Format: 'Collection of EVBLOKs is then tabulated "
            "by agent'; Object size: 'length of each attached object'",
       notes="section 2 (object count and size), section 7",
       needs=("messages",))
def tables_all_entries(ctx):
    sess = open_session(ctx)
    n = [0]

    def tick():
        n[0] += 1
        ctx.inject_message("XLAST ENTRY %d" % n[0])
    got = sess.conn.collect(lambda x: is_info(x, codec.INFO_MSG, "XLAST"),
                            within=ctx.t(6), tick=tick, every=1.0,
                            what="the report of a message matching the 6th "
                                 "EVBLOK (key XLAST)")
    check_ids(sess.conn, got, sess.agent_id)
    bad = [x for x in got if x.key != codec.INFO_MSG]
    if bad:
        raise Failure("%s: unexpected %s while the table was in use"
                      % (sess.conn.label, name_of(bad[0])), got=bad[0])


@check("tables.one_byte_writes",
       "the accept and both tables are taken when the host sends them one "
       "byte per write",
       seed="Socket Client: 'no guarantee that data can be sent by once "
            "send() service call nor received by once recv() service call. "
            "Socket client must put its recv() and send() service call in "
            "loop mechanism'",
       notes="section 2 (a reader loops on recv() until it holds total "
             "length bytes)")
def tables_one_byte_writes(ctx):
    host, agent, conn = connect(ctx)
    expect_login(ctx, conn)
    aid = random_agent_id()
    conn.send(to_agent(codec.ACCEPT, aid), pieces=1, pause=0.002)
    conn.agent_id = aid
    ems, scd = tables.default_ems(), tables.default_scd()
    take_acquires(ctx, conn, aid, lambda n: conn.send(
        table_answer(n.key, aid, ems, scd), pieces=1, pause=0.0002))
    sess = Session(host, agent, conn, aid)
    prove_alive(ctx, sess, "after tables sent one byte per write")


@check("tables.coalesced",
       "NACCBs that arrive in one read (SCD table, EMS table and an exec "
       "command together) are all taken",
       seed="Socket Client: 'no guarantee that data can be ... received by "
            "once recv() service call'",
       notes="section 2 (one recv() may hold several NACCBs)")
def tables_coalesced(ctx):
    host, agent, conn = connect(ctx)
    expect_login(ctx, conn)
    aid = random_agent_id()
    give_accept(conn, aid)
    take_acquires(ctx, conn, aid)
    text = "XCMD COALESCED"
    conn.send_together(
        to_agent(codec.RCV_SCD, aid, objects=tables.default_scd()),
        to_agent(codec.RCV_EMS, aid, objects=tables.default_ems()),
        to_agent(codec.EXEC_CMD, aid, objects=[codec.encode_text(text)]))
    got = conn.collect(
        lambda n: is_info(n, codec.INFO_CMD, text) or n.key == 0x02010B04,
        within=ctx.t(5), what="the answer to the exec command that came in "
                              "the same read as both tables (a command "
                              "event or an agent error)")
    sess = Session(host, agent, conn, aid)
    check_ids(conn, got, aid)
    if ctx.has("messages"):
        check_ids(conn, mark(ctx, sess), aid)


@check("tables.without_scd",
       "no-SCD: the agent runs with EMS only",
       seed="Interaction Steps (7) 'When SCD is not ready, zJOS-XDI reply "
            "with \"not ready SCD\". Agent then runs without workloads "
            "scheduler support.'",
       notes="section 6 (no SCD 01020B02 with error 08)")
def tables_without_scd(ctx):
    sess = open_session(ctx, scd=None)
    if ctx.has("messages"):
        got = mark(ctx, sess)
        check_ids(sess.conn, got, sess.agent_id)
    else:
        sess.conn.expect_nothing(ctx.t(QUIET * 2), "the agent to keep "
                                 "running without SCD")
    if ctx.has("jobs"):
        ctx.run_job(sess.conn, JOB, rc=0)
        got = sess.conn.collect(lambda n: n.key in INFO_KEYS[:4] and any(
            o == codec.field(JOB) for o in n.objects), within=ctx.t(8),
            what="the end-of-job text of job %s" % JOB)
        got += sess.conn.drain(ctx.t(QUIET))
        eot = [n for n in got if n.key == codec.INFO_EOT]
        if eot:
            raise Failure("%s: EOTINFO sent although the host has no SCD "
                          "table" % sess.conn.label, got=eot[0])


@check("tables.without_ems",
       "no-EMS: the agent runs with SCD only and reports no texts",
       seed="Interaction Steps (6) 'When EMS is not ready, zJOS-XDI reply "
            "with \"not ready EMS\". Agent then runs without EMS support.'",
       notes="section 6 (no EMS 01020B01 with error 08), section 9 step 4")
def tables_without_ems(ctx):
    sess = open_session(ctx, ems=None)
    if ctx.has("messages"):
        ctx.inject_message("%s WITHOUT EMS" % MARK)
    if ctx.has("jobs"):
        ctx.run_job(sess.conn, JOB, rc=0)
        got = sess.conn.collect(lambda n: n.key == codec.INFO_EOT,
                                within=ctx.t(8),
                                what="the EOTINFO of job %s (SCD is "
                                     "there)" % JOB)
        check_ids(sess.conn, got, sess.agent_id)
    else:
        got = []
    got += sess.conn.drain(ctx.t(QUIET * 2))
    texts_sent = [n for n in got if n.key in INFO_KEYS[:4]]
    if texts_sent:
        raise Failure("%s: an event text was sent although the host has no "
                      "EMS table" % sess.conn.label, got=texts_sent[0])
    other = [n for n in got if n.key != codec.INFO_EOT]
    if other:
        raise Failure("%s: the agent must keep running without EMS; it "
                      "sent %s" % (sess.conn.label, name_of(other[0])),
                      got=other[0])
    if sess.conn.eof:
        raise Failure("%s: the agent closed the connection although SCD "
                      "is there" % sess.conn.label)


@check("tables.both_missing",
       "no-EMS and no-SCD: the agent logs out and closes",
       seed="Interaction Steps (7) 'When both EMS and SCD not ready, socket "
            "client is then shutting down itself.'; (13) 'send logout'",
       notes="section 6, section 9 steps 3 and 6")
def tables_both_missing(ctx):
    sess = open_session(ctx, ems=None, scd=None)
    expect_logout_close(ctx, sess.conn, sess.agent_id,
                        "with neither EMS nor SCD")


# ---- events --------------------------------------------------------------------------


@check("events.only_matched",
       "only events that match an EVBLOK (first KL bytes, event type) are "
       "reported",
       seed="EMS Parameter Format: 'Only matched events will be processed. "
            "Unmatched events are ignored.'; KL: 'Matching is done based on "
            "this value'",
       notes="section 7 (matching rules 1-2)",
       needs=("messages",))
def events_only_matched(ctx):
    sess = open_session(ctx)
    check_ids(sess.conn, mark(ctx, sess), sess.agent_id)
    sent = ["NOMATCH AT ALL",       # no key
            "XCMD AS A MESSAGE",    # key of a command EVBLOK: wrong type
            "XMS",                  # shorter than KL 5 of XMSG1
            "LONGXYZ SHORT KEY"]    # LONGKEY1234 with KL 4: matches
    for t in sent:
        ctx.inject_message(t)
    got = mark(ctx, sess)
    got += sess.conn.drain(ctx.t(QUIET))
    check_ids(sess.conn, got, sess.agent_id)
    reported = [t for n in got if n.key == codec.INFO_MSG for t in texts(n)
                if not t.startswith(MARK)]
    others = [n for n in got if n.key != codec.INFO_MSG]
    if others:
        raise Failure("%s: unexpected %s" % (sess.conn.label,
                                             name_of(others[0])),
                      got=others[0])
    if reported != ["LONGXYZ SHORT KEY"]:
        raise Failure(
            "%s: injected %r; only %r matches an EVBLOK (key LONGKEY1234, "
            "KL 4), but the agent reported %r" % (
                sess.conn.label, sent, "LONGXYZ SHORT KEY", reported))


def _job_events(ctx, sess, steps, rc):
    """Run CJOB1 and collect what the agent reports until its EOJ text,
    and a little more (the EOTINFOs may follow)."""
    ctx.run_job(sess.conn, JOB, steps, rc)
    got = sess.conn.collect(lambda n: n.key in (codec.INFO_EOJ,
                                                codec.INFO_EOS) and
                            any(len(o) == 8 for o in n.objects),
                            within=ctx.t(8),
                            what="the end-of-job text of job %s (object 05, "
                                 "the 8-byte job name)" % JOB)
    got += sess.conn.drain(ctx.t(QUIET))
    check_ids(sess.conn, got, sess.agent_id)
    return got


STEPS = [("STEP1", 0), ("STEP2", 4)]
JOB_RC = 2


@check("events.job_texts",
       "end of job and end of step are reported as info EOJ (object 05, "
       "the job name) and info EOS (object 06, job + step name)",
       seed="Object code: X'05' end-of-job event text (EOJ), X'06' "
            "end-of-jobstep event text (EOS); Event type: X'05' EOS, X'06' "
            "EOJ",
       notes="section 4 (the EOJ/EOS trap), section 6 (info 02010A05 / "
             "02010A06)",
       needs=("jobs",))
def events_job_texts(ctx):
    sess = open_session(ctx)
    got = _job_events(ctx, sess, STEPS, JOB_RC)
    jobname = codec.field(JOB)
    eoj = from_agent(codec.INFO_EOJ, sess.agent_id, objects=[jobname])
    eojs = [n for n in got if any(o == jobname for o in n.objects)
            and n.key in (codec.INFO_EOJ, codec.INFO_EOS)]
    if not eojs or eojs[0].key != codec.INFO_EOJ:
        raise Failure("%s: the end of job %s must be info EOJ (02010A05) "
                      "with the 8-byte job name" % (sess.conn.label, JOB),
                      expected=eoj, got=eojs[0] if eojs else None)
    if eojs[0].raw != eoj.encode():
        raise Failure("%s: the EOJ text is not as expected" % sess.conn.label,
                      expected=eoj, got=eojs[0])
    if ctx.has("steps") and not ctx.config.inject_job:
        step = codec.field(JOB) + codec.field("STEP2")
        eos = from_agent(codec.INFO_EOS, sess.agent_id, objects=[step])
        found = [n for n in got if step in n.objects]
        if not found or found[0].raw != eos.encode():
            raise Failure("%s: the end of step STEP2 of %s (EVBLOK key "
                          "'CJOB1   STEP2', ET 05) must be info EOS "
                          "(02010A06) with job + step name" % (
                              sess.conn.label, JOB), expected=eos,
                          got=found[0] if found else None)
        stray = [n for n in got if n.key == codec.INFO_EOS and
                 any(o.startswith(codec.field(JOB) + codec.field("STEP1")[:5])
                     for o in n.objects)]
        if stray:
            raise Failure("%s: STEP1 matches no EVBLOK, but its end was "
                          "reported" % sess.conn.label, got=stray[0])


def _expected_reports(steps, rc):
    """{(notes0, step): (entry index, step_number, ucc, max_cc)} a
    conformant agent may send for CJOB1 (required ones marked)."""
    exp = {}
    maxcc = 0
    for i, (step, src) in enumerate(steps, 1):
        maxcc = max(maxcc, src)
        exp[("S", step, 0)] = (i, src, maxcc, False)
        if step == "STEP2":
            exp[("S", step, 1)] = (i, src, maxcc, True)
    exp[("J", "", 0)] = (0, rc, max(maxcc, rc) if steps else None, True)
    return exp


@check("eotinfo.content",
       "EOTINFO reports: a copy of the matched SCD entry with names, flag2, "
       "step number, codes and notes (J/S, N, R) filled in",
       seed="Scheduler Parameters in Agent Program: 'Copy of matched "
            "EOTINFO is updated by listener'; Job notes: 'Agent must always "
            "R'; Flags: flag2 bits 0-3",
       notes="section 8 (EOTINFO fields, notes letters), section 9 step 4",
       needs=("jobs",))
def eotinfo_content(ctx):
    sess = open_session(ctx)
    steps = STEPS if ctx.has("steps") else []
    rc = JOB_RC if steps else 4
    got = _job_events(ctx, sess, steps, rc)
    entries = [codec.eotinfo_decode(o) for o in tables.default_scd()]
    expected = _expected_reports(steps, rc)
    seen = set()
    for n in got:
        if n.key != codec.INFO_EOT:
            continue
        for o in n.objects:
            if len(o) != codec.EOTINFO_SIZE:
                raise Failure("%s: an EOTINFO object is %d bytes, not 162"
                              % (sess.conn.label, len(o)), got=n)
            _check_report(sess, n, o, entries, expected, seen)
    missing = [k for k, v in expected.items() if v[3] and k not in seen]
    if missing:
        kinds = ", ".join("%s %s for SCD entry %d" % (
            "EOJ" if k[0] == "J" else "EOS", k[1] or JOB, k[2])
            for k in missing)
        raise Failure("%s: no EOTINFO report for: %s" % (sess.conn.label,
                                                         kinds))


def _check_report(sess, n, o, entries, expected, seen):
    e = codec.eotinfo_decode(o)
    notes = codec.decode_text(bytes(e.notes))
    step = codec.field_get(bytes(e.step_name))
    label = sess.conn.label
    # Which entry is it a copy of?  flag2 and the names it marks.
    idx = None
    for i, entry in enumerate(entries):
        if e.flag2 == entry.flag2 and bytes(e.job_name) == \
                bytes(entry.job_name) and (not entry.flag2 & 0x20 or
                                           bytes(e.step_name) ==
                                           bytes(entry.step_name)):
            idx = i
    if idx is None:
        raise Failure("%s: an EOTINFO that is no copy of an SCD entry "
                      "(flag2 %02X, job %r, step %r)" % (
                          label, e.flag2, e.job(), step), got=n,
                      details=_eot_lines(e))
    key = (notes[:1], step if notes[:1] == "S" else "", idx)
    if key not in expected:
        raise Failure("%s: an EOTINFO report nobody expects: notes %r, step "
                      "%r, copy of entry %d" % (label, notes, step, idx),
                      got=n, details=_eot_lines(e))
    step_no, ucc, maxcc, _ = expected[key]
    entry = entries[idx]
    want = codec.eotinfo_report(entry, ("J" if key[0] == "J" else "S") +
                                notes[1:2] + "NR", step_number=step_no,
                                ucc=ucc, max_cc=maxcc if maxcc is not None
                                else e.max_cc)
    want.step_name[:] = list(bytes(e.step_name))
    want.work_area1[:] = list(bytes(e.work_area1))   # the agent's own
    want.work_area2[:] = list(bytes(e.work_area2))
    problems = []
    for f, _ in codec.Eotinfo._fields_:
        a, b = getattr(want, f), getattr(e, f)
        a = bytes(a) if not isinstance(a, int) else a
        b = bytes(b) if not isinstance(b, int) else b
        if a != b:
            problems.append((f, a, b))
    if notes[1:2] not in (" ", "I", "S"):
        problems.append(("notes[1]", "blank, I or S", notes[1:2]))
    if problems:
        lines = ["  %-16s %-30s %s" % ("field", "expected", "got")]
        for f, a, b in problems:
            lines.append("! %-16s %-30s %s" % (f, _show(f, a), _show(f, b)))
        raise Failure("%s: the %s report (copy of SCD entry %d) has wrong "
                      "fields: %s" % (label, "EOJ" if key[0] == "J" else
                                      "EOS " + step, idx,
                                      ", ".join(p[0] for p in problems)),
                      got=n, details=lines)
    seen.add(key)


def _show(f, v):
    if isinstance(v, int):
        return "%d (0x%04X)" % (v, v)
    if isinstance(v, str):
        return v
    if f == "notes":
        return "%s %r" % (v.hex().upper(), codec.decode_text(v))
    if f in ("job_id", "system_name", "job_name", "step_name",
             "proc_step_name"):
        return "%s %r" % (v.hex().upper(), codec.field_get(v))
    return v.hex().upper()[:28]


def _eot_lines(e):
    return ["  %-16s %s" % (f, _show(f, getattr(e, f) if isinstance(
        getattr(e, f), int) else bytes(getattr(e, f))))
        for f, _ in codec.Eotinfo._fields_]


# ---- requests from the host -------------------------------------------------------


def _agent_error(n, obj):
    return n.key == (0x02010B00 | obj)


@check("exec.command",
       "exec command is carried out (a command event) or refused with an "
       "agent error, never dropped",
       seed="Interaction Steps (11) 'When requested by zJOS-XDI server by "
            "means NACCB; Execute the request based on detail information "
            "specified in NACCB.'",
       notes="section 6 (exec command 01020104; agent error 02010B04 with "
             "error 04 or 05)")
def exec_command(ctx):
    sess = open_session(ctx)
    text = "XCMD CONFORMANCE RUN"
    sess.conn.send(to_agent(codec.EXEC_CMD, sess.agent_id,
                            objects=[codec.encode_text(text)]))
    got = sess.conn.collect(
        lambda n: is_info(n, codec.INFO_CMD) or _agent_error(n, 4),
        within=ctx.t(5), what="a command event for %r or an agent error "
                              "02010B04" % text)
    check_ids(sess.conn, got, sess.agent_id)
    last = got[-1]
    if last.key == codec.INFO_CMD:
        if text not in texts(last):
            raise Failure("%s: the command event does not carry the "
                          "command" % sess.conn.label, got=last,
                          expected=from_agent(codec.INFO_CMD, sess.agent_id,
                                              objects=[codec.encode_text(
                                                  text)]))
    elif last.error not in (codec.E_REQUEST, codec.E_INFORMATION) or \
            len(last.objects) > 1:
        raise Failure("%s: an agent error must carry error 04 or 05 and "
                      "no object or one reason text" % sess.conn.label,
                      got=last)


@check("exec.job",
       "exec job of an unknown job is refused with agent error 02010B08; "
       "a known job is run and reported",
       seed="Interaction Steps (11) 'Execute the request based on detail "
            "information specified in NACCB'",
       notes="section 6 (exec job 01020108; agent error 02010B08 with "
             "error 04 or 05)",
       needs=("exec_job",))
def exec_job(ctx):
    sess = open_session(ctx)
    sess.conn.send(to_agent(codec.EXEC_JOB, sess.agent_id,
                            objects=[codec.field("NOSUCH9")]))
    got = sess.conn.collect(lambda n: _agent_error(n, 8), within=ctx.t(5),
                            what="agent error 02010B08 for exec job of "
                                 "NOSUCH9 (no such job)")
    check_ids(sess.conn, got, sess.agent_id)
    err = got[-1]
    if err.error not in (codec.E_REQUEST, codec.E_INFORMATION) or \
            len(err.objects) > 1:
        raise Failure("%s: the agent error must carry error 04 or 05 and "
                      "no object or one reason text" % sess.conn.label,
                      got=err)
    ctx.write_job(JOB, [], 0)
    sess.conn.send(to_agent(codec.EXEC_JOB, sess.agent_id,
                            objects=[codec.field(JOB)]))
    got = sess.conn.collect(lambda n: n.key in (codec.INFO_EOJ,
                                                codec.INFO_EOT),
                            within=ctx.t(8),
                            what="a report of job %s, which the host asked "
                                 "to run" % JOB)
    check_ids(sess.conn, got, sess.agent_id)


# ---- robustness ------------------------------------------------------------------------


@check("robust.unknown_codes",
       "unknown request and object codes are survived: the agent stays "
       "connected and in step",
       seed="NACCB key: 'binary indicator to express the request or content "
            "of the attached object'; Interaction Steps (9) 'Wait for "
            "request'",
       notes="section 3 (request codes), section 4 (object codes); the "
             "framing rule of section 2")
def robust_unknown_codes(ctx):
    sess = open_session(ctx)
    aid = sess.agent_id
    junk = [
        to_agent(0x01020C00, aid),                       # request 0C
        to_agent(0x0102EE00, aid, objects=[b"\x01\x02\x03"]),
        to_agent(0x01020209, aid, objects=[b"\x40" * 16]),  # save, obj 09
        to_agent(0x01020100, aid),                       # execute nothing
        to_agent(0x01020700, aid),                       # accept in session
        # Requests only an agent sends, coming the other way.
        to_agent(0x01020500, aid),                       # "login"
        to_agent(0x01020901, aid),                       # "acquire EMS"
        to_agent(0x01020A03, aid, objects=[codec.encode_text("XMSG1 ECHO")]),
    ]
    for j in junk:
        sess.conn.send(j)
    got = prove_alive(ctx, sess, "after unknown codes")
    bad = [n for n in got if n.key not in (codec.INFO_MSG, codec.INFO_CMD)
           and n.request != 0x0B]
    if bad:
        raise Failure("%s: after unknown codes the agent sent %s" % (
            sess.conn.label, name_of(bad[0])), got=bad[0])


@check("robust.error_naccbs",
       "error NACCBs are survived; 01020B01 is no-EMS only with error 08",
       seed="NACCB extended key, Byte 0: Error code (01-09); Nac_rcv_noems "
            "equ x'01020B01'",
       notes="section 5, section 6 ('Agents must test the error byte')",
       needs=("messages",))
def robust_error_naccbs(ctx):
    sess = open_session(ctx)
    aid = sess.agent_id
    check_ids(sess.conn, mark(ctx, sess), aid)
    for key, err in [(codec.error_key(1), codec.E_INFORMATION),
                     (codec.error_key(2), codec.E_AGENT_ID),
                     (codec.error_key(3), codec.E_INFORMATION),
                     (codec.error_key(0), codec.E_REQUEST),
                     (codec.error_key(7), codec.E_EVX)]:
        sess.conn.send(to_agent(key, aid, error=err),
                       note="error %02X" % err)
    got = prove_alive(ctx, sess, "after error NACCBs")
    bad = [n for n in got if not_marker(n)]
    if bad:
        raise Failure("%s: after error NACCBs the agent sent %s" % (
            sess.conn.label, name_of(bad[0])), got=bad[0])


# ---- the end of a session -------------------------------------------------------------


@check("shutdown.host_request",
       "the host's shutdown NACCB: logout, then close",
       seed="Socket Client: 'Socket finish its work when requested to "
            "shutdown by either XDI (when XDI is shutted down) or local "
            "operator'; Interaction Steps (13) 'send logout information'",
       notes="section 6 (shutdown 01020400, logout 02010600), section 9 "
             "steps 6-7")
def shutdown_host_request(ctx):
    sess = open_session(ctx)
    sess.conn.send(to_agent(codec.SHUTDOWN, sess.agent_id))
    expect_logout_close(ctx, sess.conn, sess.agent_id,
                        "after the host's shutdown")


@check("shutdown.local_signal",
       "a local shutdown (the stop signal): logout, then close",
       seed="Interaction Steps (13) 'If requested to shutdown by events "
            "listener or local operator, send logout information to "
            "zJOS-XDI server.' (14) 'Shutdown'",
       notes="section 9 step 7")
def shutdown_local_signal(ctx):
    sess = open_session(ctx)
    sess.agent.signal(ctx.config.stop_signal)
    expect_logout_close(ctx, sess.conn, sess.agent_id,
                        "after the stop signal")


@check("session.reconnect",
       "after the host drops the connection the agent connects again, logs "
       "in anew and uses the new agent-ID",
       seed="Interaction Steps (1)-(3) on every connection; Agent-ID: "
            "'given by zJOS-XDI server on login acceptance'",
       notes="section 9 steps 1-2 (a fresh agent-ID per session)")
def session_reconnect(ctx):
    sess = open_session(ctx)
    sess.conn.drop()
    conn2 = sess.host.accept(sess.agent, within=ctx.t(10),
                             what="the agent to connect again")
    n = expect_login(ctx, conn2, "a new login after the lost connection")
    if n.raw != Naccb(codec.LOGIN, system=SYSTEM).encode():
        raise Failure("%s: the new login is not a proper login (agent-ID "
                      "0)" % conn2.label,
                      expected=Naccb(codec.LOGIN, system=SYSTEM), got=n)
    aid2 = random_agent_id()
    while aid2 == sess.agent_id:
        aid2 = random_agent_id()
    give_accept(conn2, aid2)
    ems, scd = tables.default_ems(), tables.default_scd()
    take_acquires(ctx, conn2, aid2, strict=True, answer=lambda x: conn2.send(
        table_answer(x.key, aid2, ems, scd)))
    sess2 = Session(sess.host, sess.agent, conn2, aid2)
    if ctx.has("messages"):
        check_ids(conn2, mark(ctx, sess2), aid2)


# ---- against xdi-server: time frames, replacement, automation ---------------------


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
        rc = self.agent.wait(self.ctx.t(5))
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
        ctx.transcript.add(where, "%s: %s%s" % (ev, _hdr(raw), extra),
                           at=str(r.get("ts", ""))[11:23])


def _hdr(raw):
    return describe(raw)


def _server_check(ctx, fixture, system, body, copy=False, args=()):
    fx = ctx.fixture_copy(fixture) if copy else ctx.fixture(fixture)
    srv = ctx.xdi_server(fx, args=args)
    try:
        body(ServerRun(ctx, srv, system), fx)
    finally:
        journal_transcript(ctx, srv)


def _frame_run(ctx, run, when, inject, want, dont):
    """One agent run at faketime `when`: inject the texts, then a marker;
    every text of `want` must be reported, none of `dont`."""
    if run.agent is not None:
        run.stop()
    run.start(when=when)
    run.mark()
    for t in inject:
        ctx.inject_message(t)
    run.mark()
    reported = [r.get("text") for r in run.infos()]
    for t in want:
        if t not in reported:
            raise Failure("at %s (UTC) %r is inside its EVBLOK's time frame "
                          "but was not reported" % (when, t),
                          details="reported: %r" % reported)
    for t in dont:
        if t in reported:
            raise Failure("at %s (UTC) %r is outside its EVBLOK's time "
                          "frame but was reported" % (when, t),
                          details="reported: %r" % reported)


@check("frame.time",
       "the time of day of the frame (STIME..ETIME) is respected",
       seed="Start time (STIME): 'event that occures before STIME is "
            "ignored'; End time (ETIME): 'event that occures after ETIME is "
            "ignored'",
       notes="section 7 (in frame, rule 4)",
       needs=("messages", "faketime"), host="xdi-server")
def frame_time(ctx):
    def body(run, fx):
        # BUSY: 2026-11-02..2026-11-30, 08:30:00..17:00:00, Mon-Fri.
        _frame_run(ctx, run, "2026-11-23 18:00:00", ["BUSY AFTER HOURS"],
                   [], ["BUSY AFTER HOURS"])
        _frame_run(ctx, run, "2026-11-23 08:29:00", ["BUSY TOO EARLY"],
                   [], ["BUSY TOO EARLY"])
        _frame_run(ctx, run, "2026-11-23 09:00:00", ["BUSY IN HOURS"],
                   ["BUSY IN HOURS"], [])
    _server_check(ctx, "frames", "CONFT", body)


@check("frame.days",
       "the date range (SDATE..EDATE) and the day-list weekdays are "
       "respected",
       seed="Start date (SDATE): 'event that occures before SDATE is "
            "ignored'; Valid day-list: 'X'0001010101010100' means that "
            "event will be captured only from Monday to Saturday'",
       notes="section 7 (in frame, rules 3 and 5)",
       needs=("messages", "faketime"), host="xdi-server")
def frame_days(ctx):
    def body(run, fx):
        _frame_run(ctx, run, "2026-11-21 10:00:00", ["BUSY ON SATURDAY"],
                   [], ["BUSY ON SATURDAY"])
        _frame_run(ctx, run, "2026-12-01 10:00:00", ["BUSY IN DECEMBER"],
                   [], ["BUSY IN DECEMBER"])
        _frame_run(ctx, run, "2026-11-20 10:00:00", ["BUSY ON FRIDAY"],
                   ["BUSY ON FRIDAY"], [])
    _server_check(ctx, "frames", "CONFT", body)


@check("frame.holiday",
       "the day-list holiday byte is respected on a holiday of the "
       "calendar the agent is given",
       seed="Valid day-list: 'the last byte (byte 7) represents holiday'; "
            "'zJOS-XDI admin must provide holiday calendar'",
       notes="section 7 (in frame, rule 5: on a holiday only byte 7 counts)",
       needs=("messages", "faketime", "holidays"), host="xdi-server")
def frame_holiday(ctx):
    def body(run, fx):
        # HOLI: holidays only; NOHOL: every weekday, not on holidays.
        # 2026-12-25 is a Friday and a holiday.
        _frame_run(ctx, run, "2026-12-25 10:00:00",
                   ["HOLI ON A HOLIDAY", "NOHOL ON A HOLIDAY"],
                   ["HOLI ON A HOLIDAY"], ["NOHOL ON A HOLIDAY"])
        _frame_run(ctx, run, "2026-12-24 10:00:00",
                   ["HOLI ON A THURSDAY", "NOHOL ON A THURSDAY"],
                   ["NOHOL ON A THURSDAY"], ["HOLI ON A THURSDAY"])
    _server_check(ctx, "frames", "CONFT", body)


@check("tables.replace",
       "a replacement EMS table (the host's fixtures changed) takes effect",
       seed="Nac_rep_emsparm equ x'01020301' * agent recv EMS parms "
            "replacement",
       notes="section 6 (replace 01020301 / 01020302), section 9 step 5",
       needs=("messages",), host="xdi-server")
def tables_replace(ctx):
    def body(run, fx):
        run.start()
        run.mark()
        hosts = fx / "hosts.yaml"
        hosts.write_text(hosts.read_text().replace('"OLDKEY"', '"NEWKEY"'))
        ctx.transcript.note("fixture changed: event key OLDKEY -> NEWKEY")
        run.wait(lambda r: r.get("conn") == run.conn and
                 r.get("event") == "send" and r.get("key") == "01020301",
                 what="xdi-server to send the replacement EMS table")
        n = [0]

        def tick():
            n[0] += 1
            ctx.inject_message("NEWKEY %d" % n[0])
        run.wait(lambda r: r.get("conn") == run.conn and
                 r.get("event") == "info" and
                 str(r.get("text", "")).startswith("NEWKEY"), tick=tick,
                 what="a message for the new key NEWKEY to be reported "
                      "(the replacement table in use)")
        ctx.inject_message("OLDKEY AFTER THE REPLACEMENT")
        run.mark()
        old = [r for r in run.infos() if
               str(r.get("text", "")).startswith("OLDKEY AFTER")]
        if old:
            raise Failure("the replaced EMS table no longer has key OLDKEY, "
                          "but 'OLDKEY AFTER THE REPLACEMENT' was reported")
    _server_check(ctx, "replace", "CONFR", body, copy=True,
                  args=("--reload-delay", "0.05"))


@check("server.exec_command_action",
       "xdi-server's EMS action (an exec command) is carried out or "
       "refused with an agent error",
       seed="Event verb length (VL): 'XDI then subtitute &arg ... and issue "
            "\"CANCEL U=JOKO\"'; Interaction Steps (11)",
       notes="section 7 (verb substitution), section 6 (exec command)",
       needs=("messages",), host="xdi-server")
def server_exec_command_action(ctx):
    def body(run, fx):
        run.start()
        run.mark()
        ctx.inject_message("XACT CONFORM")
        run.wait(lambda r: r.get("conn") == run.conn and
                 r.get("event") == "send" and r.get("key") == "01020104",
                 what="xdi-server to send exec command 'XCMD CONFORM' "
                      "(the action of key XACT)")
        run.wait(lambda r: r.get("conn") == run.conn and (
            r.get("event") == "info" and r.get("kind") == "CMD" and
            r.get("text") == "XCMD CONFORM" or
            r.get("event") == "agent_error" and r.get("object") == 4),
            what="a command event 'XCMD CONFORM' or an agent error for "
                 "the exec command")
        if run.violations():
            v = run.violations()[0]
            raise Failure("xdi-server found a protocol violation: %s (%s)"
                          % (v.get("check"), v.get("reason")))
    _server_check(ctx, "session", "CONFS", body)


@check("server.exec_job_trigger",
       "xdi-server's SCD trigger (the end of CJOB1 runs CJOB2: an exec job) "
       "is carried out and its end reported",
       seed="Scheduler Parameter Format: 'SCD parameters for each job "
            "either scheduled-job or triggering-job'; Interaction Steps (11)",
       notes="section 6 (exec job 01020108), section 9 step 5",
       needs=("jobs",), host="xdi-server")
def server_exec_job_trigger(ctx):
    def body(run, fx):
        ctx.write_job("CJOB2", [], 0)
        proxy = None
        if ctx.config.inject_job:
            run.start()
        else:
            # Only the host can make the reference kind of agent run a
            # job: a proxy slips in the exec job that starts the chain.
            proxy = ctx.proxy(run.srv)
            run.start(address=proxy.address)
        ctx.address, ctx.system = run.srv.address, run.system
        script = ctx.write_job(JOB, [], 0)
        if ctx.config.inject_job:
            ctx._run_adapter("inject job", ctx.config.inject_job,
                             {"job": JOB, "script": script, "rc": 0})
        else:
            proxy.inject(Naccb(codec.EXEC_JOB, agent_id=proxy.agent_id,
                               system=proxy.system,
                               objects=[codec.field(JOB)]))
        run.wait(lambda r: r.get("conn") == run.conn and
                 r.get("event") == "send" and r.get("key") == "01020108",
                 what="xdi-server to send exec job CJOB2 (the trigger on "
                      "the end of CJOB1)")
        run.wait(lambda r: r.get("conn") == run.conn and (
            r.get("event") == "info" and (
                str(r.get("text", "")).rstrip() == "CJOB2" or
                r.get("eotinfo", {}).get("job_name") == "CJOB2") or
            r.get("event") == "agent_error" and r.get("object") == 8),
            within=8.0, what="a report of job CJOB2 (or an agent error "
                             "refusing it)")
        if run.violations():
            v = run.violations()[0]
            raise Failure("xdi-server found a protocol violation: %s (%s)"
                          % (v.get("check"), v.get("reason")))
    _server_check(ctx, "session", "CONFS", body)


@check("server.clean_session",
       "a whole session against xdi-server (login, tables, events, stop) "
       "without one protocol violation",
       seed="Interaction Steps (1)-(14)",
       notes="section 9 (every check the server runs)", host="xdi-server")
def server_clean_session(ctx):
    def body(run, fx):
        run.start()
        if ctx.has("messages"):
            run.mark()
            ctx.inject_message("NOTHING MATCHES THIS")
            run.mark()
        run.stop()
        run.wait(lambda r: r.get("conn") == run.conn and
                 r.get("event") == "logout",
                 what="the logout in the journal")
        if run.violations():
            v = run.violations()[0]
            raise Failure("xdi-server found a protocol violation: %s (%s)"
                          % (v.get("check"), v.get("reason")),
                          details="\n".join(str(x) for x in
                                            run.violations()[:5]))
        errs = [r for r in run.records() if r.get("event") == "agent_error"]
        if errs:
            raise Failure("the agent sent an agent error in a plain session: "
                          "%s" % errs[0].get("text"))
    _server_check(ctx, "session", "CONFS", body)

