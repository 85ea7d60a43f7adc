"""The session's start: the agent-ID, and the EMS and SCD tables the agent
acquires (whole, in pieces, coalesced, missing).
"""

from ... import codec
from .. import tables
from ..engine import check, random_agent_id
from ..errors import Failure
from ..tables import JOB
from .common import (INFO_KEYS, MARK, QUIET, Session, accepted, check_ids,
                     expect_logout_close, is_info, logged_in, mark, name_of,
                     open_session, prove_alive, reject_job_text,
                     reject_malformed_text,
                     table_answer, take_acquires, to_agent)


@check("session.agent_id",
       "the agent-ID of the accept (a random one) is in every later NACCB",
       seed="Agent-ID: 'This ID then must be used in all subsequent "
            "interaction'",
       notes="section 3 (agent-ID), section 11.1 step 2 (random IDs)")
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
       notes="section 7 (acquire 02010901 / 02010902), section 11.1 step 3")
def tables_acquire_both(ctx):
    host, agent, conn, aid = accepted(ctx)
    take_acquires(ctx, conn, aid, strict=True, answer=lambda n: conn.send(
        table_answer(n.key, aid, tables.default_ems(),
                     tables.default_scd())))


@check("tables.all_entries",
       "every entry of a table is taken (the event of the last EVBLOK of "
       "six is reported)",
       seed="EMS Parameter Format: 'Collection of EVBLOKs is then tabulated "
            "by agent'; Object size: 'length of each attached object'",
       notes="section 3 (object count and size), section 8",
       needs=("messages",))
def tables_all_entries(ctx):
    sess = open_session(ctx)
    n = [0]

    sent = []

    def tick():
        n[0] += 1
        sent.append("XLAST ENTRY %d" % n[0])
        ctx.inject_message(sent[-1])
    got = sess.conn.collect(lambda x: is_info(x, codec.INFO_MSG, "XLAST"),
                            within=ctx.t(6), tick=tick, every=1.0,
                            what="the report of a message matching the 6th "
                                 "EVBLOK (key XLAST)",
                            reject=lambda x: reject_malformed_text(
                                sess, x, sent, prefix="XLAST"))
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
       notes="section 3 (a reader loops on recv() until it holds total "
             "length bytes)")
def tables_one_byte_writes(ctx):
    host, agent, conn = logged_in(ctx)
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
       notes="section 3 (one recv() may hold several NACCBs)")
def tables_coalesced(ctx):
    host, agent, conn, aid = accepted(ctx)
    take_acquires(ctx, conn, aid)
    text = "XCMD COALESCED"
    conn.send_together(
        to_agent(codec.RCV_SCD, aid, objects=tables.default_scd()),
        to_agent(codec.RCV_EMS, aid, objects=tables.default_ems()),
        to_agent(codec.EXEC_CMD, aid, objects=[codec.encode_text(text)]))
    sess = Session(host, agent, conn, aid)
    got = conn.collect(
        lambda n: is_info(n, codec.INFO_CMD, text) or n.key == codec.agent_error_key(codec.OBJ_CMD),
        within=ctx.t(5), what="the answer to the exec command that came in "
                              "the same read as both tables (a command "
                              "event or an agent error)",
        reject=lambda n: reject_malformed_text(
            sess, n, [text], prefix="XCMD", keys=(codec.INFO_CMD,)))
    check_ids(conn, got, aid)
    if ctx.has("messages"):
        check_ids(conn, mark(ctx, sess), aid)


@check("tables.without_scd",
       "no-SCD: the agent runs with EMS only",
       seed="Interaction Steps (7) 'When SCD is not ready, zJOS-XDI reply "
            "with \"not ready SCD\". Agent then runs without workloads "
            "scheduler support.'",
       notes="section 7 (no SCD 01020B02 with error 08)")
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
            what="the end-of-job text of job %s" % JOB,
            reject=lambda n: reject_job_text(sess, n))
        got += sess.conn.drain(ctx.t(QUIET))
        eot = [n for n in got if n.key == codec.INFO_EOT]
        if eot:
            raise Failure("%s: EOTINFO sent although the host has no SCD "
                          "table" % sess.conn.label, got=eot[0])


@check("tables.without_ems",
       "no-EMS: the agent runs with SCD only and reports no texts",
       seed="Interaction Steps (6) 'When EMS is not ready, zJOS-XDI reply "
            "with \"not ready EMS\". Agent then runs without EMS support.'",
       notes="section 7 (no EMS 01020B01 with error 08), section 11.1 step 4")
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
       notes="section 7, section 11.1 steps 3 and 6")
def tables_both_missing(ctx):
    sess = open_session(ctx, ems=None, scd=None)
    expect_logout_close(ctx, sess.conn, sess.agent_id,
                        "with neither EMS nor SCD")
