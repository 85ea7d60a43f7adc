"""The end of a session: the host's shutdown request, the local stop
signal, and the reconnect after the host drops the connection.
"""

from ... import codec
from ...codec import Naccb
from .. import tables
from ..engine import check, random_agent_id
from ..errors import Failure
from ..tables import SYSTEM
from .common import (Session, check_ids, expect_login, expect_logout_close,
                     give_accept, mark, open_session, table_answer,
                     take_acquires, to_agent)


@check("shutdown.host_request",
       "the host's shutdown NACCB: logout, then close",
       seed="Socket Client: 'Socket finish its work when requested to "
            "shutdown by either XDI (when XDI is shutted down) or local "
            "operator'; Interaction Steps (13) 'send logout information'",
       notes="section 7 (shutdown 01020400, logout 02010600), section 11.1 "
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
       notes="section 11.1 step 7")
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
       notes="section 11.1 steps 1-2 (a fresh agent-ID per session)")
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
