"""The login (protocol §3): its format, waiting for the accept, the
retry after a reject.
"""

import time

from ... import codec
from ...codec import Naccb
from ..engine import check, random_agent_id
from ..errors import Failure
from ..tables import SYSTEM
from .common import (connect, give_accept, logged_in, name_of,
                     take_acquires)


@check("login.format",
       "the login: agent-ID 0, system name blank-padded EBCDIC, no stray "
       "objects, correct length",
       seed="Interaction Steps (2) 'Send login request'; Agent-ID: 'Login "
            "request NACCB is sent without agent-ID'; System name: '8-byte "
            "character string left justified and padded with blanks'; NACCB "
            "total length 'in binary fullword format'",
       notes="section 1, section 3, section 7 (login 02010500), section 11.1 step 2")
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
       notes="section 11.1 steps 2-3 (before a session only a login is taken)")
def login_wait_for_accept(ctx):
    host, agent, conn = logged_in(ctx)
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
       notes="section 7 (reject 01020800), section 11.1 step 2")
def login_retry_after_reject(ctx):
    host, agent, conn = logged_in(ctx)
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
