"""Requests from the host: exec command and exec job.
"""

from ... import codec
from ..engine import check
from ..errors import Failure
from ..tables import JOB
from .common import (check_ids, from_agent, is_info, name_of,
                     open_session, text_failure, texts, to_agent)


def _agent_error(n, obj):
    return n.key == codec.agent_error_key(obj)


@check("exec.command",
       "exec command is carried out (a command event) or refused with an "
       "agent error, never dropped",
       seed="Interaction Steps (11) 'When requested by zJOS-XDI server by "
            "means NACCB; Execute the request based on detail information "
            "specified in NACCB.'",
       notes="section 7 (exec command 01020104; agent error 02010B04 with "
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
        if text not in texts(last) and last.objects:
            raise text_failure(sess.conn, last, text, last.objects[0],
                               "the command event carries the command's "
                               "text, byte for byte")
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


@check("exec.refusal",
       "an exec command outside the agent's policy is refused with an "
       "agent error, never carried out",
       seed="Interaction Steps (11) 'Execute the request based on detail "
            "information specified in NACCB'; agent error: the request "
            "cannot or must not be carried out",
       notes="section 7 (exec command 01020104; agent error 02010B04 with "
             "error 04 or 05, no object or one reason text)",
       needs=("refusal",))
def exec_refusal(ctx):
    sess = open_session(ctx)
    text = ctx.config.refused_command
    sess.conn.send(to_agent(codec.EXEC_CMD, sess.agent_id,
                            objects=[codec.encode_text(text)]))
    want = from_agent(codec.agent_error_key(codec.OBJ_CMD), sess.agent_id,
                      error=codec.E_REQUEST)
    got = sess.conn.drain_until(
        lambda n: n.key == codec.INFO_CMD or _agent_error(n, 4),
        ctx.t(5))
    check_ids(sess.conn, got, sess.agent_id)
    if not got or not (got[-1].key == codec.INFO_CMD or
                       _agent_error(got[-1], 4)):
        raise Failure("%s: exec command %r is outside the agent's policy "
                      "(--refused-command), but no agent error 02010B04 "
                      "came within %.1f s: the agent carried it out (an "
                      "action that matches no EVBLOK is not reported) or "
                      "dropped it%s" % (
                          sess.conn.label, text, ctx.t(5),
                          "; it sent %s" % ", ".join(name_of(n) for n in got)
                          if got else ""), expected=want)
    last = got[-1]
    if last.key == codec.INFO_CMD:
        raise Failure("%s: exec command %r is outside the agent's policy "
                      "(--refused-command), but the agent carried it out: "
                      "it sent a command event, not agent error 02010B04"
                      % (sess.conn.label, text), expected=want, got=last)
    if last.error not in (codec.E_REQUEST, codec.E_INFORMATION) or \
            len(last.objects) > 1:
        raise Failure("%s: the refusal must be agent error 02010B04 with "
                      "error 04 or 05 and no object or one reason text"
                      % sess.conn.label, expected=want, got=last)
    sess.conn.expect_nothing(ctx.t(0.4), "nothing more for the refused "
                             "command")


@check("exec.job",
       "exec job of an unknown job is refused with agent error 02010B08; "
       "a known job is run and reported",
       seed="Interaction Steps (11) 'Execute the request based on detail "
            "information specified in NACCB'",
       notes="section 7 (exec job 01020108; agent error 02010B08 with "
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
