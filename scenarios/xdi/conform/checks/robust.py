"""Robustness: unknown codes and error NACCBs from the host.
"""

from ... import codec
from ..engine import check
from ..errors import Failure
from .common import (check_ids, mark, name_of, not_marker, open_session,
                     prove_alive, to_agent)


@check("robust.unknown_codes",
       "unknown request and object codes are survived: the agent stays "
       "connected and in step",
       seed="NACCB key: 'binary indicator to express the request or content "
            "of the attached object'; Interaction Steps (9) 'Wait for "
            "request'",
       notes="section 4 (request codes), section 5 (object codes); the "
             "framing rule of section 3")
def robust_unknown_codes(ctx):
    sess = open_session(ctx)
    aid = sess.agent_id
    junk = [
        to_agent(codec.make_key(codec.DIR_TO_AGENT, 0x0C, 0), aid),                       # request 0C
        to_agent(codec.make_key(codec.DIR_TO_AGENT, 0xEE, 0), aid, objects=[b"\x01\x02\x03"]),
        to_agent(codec.make_key(codec.DIR_TO_AGENT, codec.REQ_SAVE, 0x09), aid, objects=[b"\x40" * 16]),  # save, obj 09
        to_agent(codec.make_key(codec.DIR_TO_AGENT, codec.REQ_EXECUTE, codec.OBJ_NONE), aid),                       # execute nothing
        to_agent(codec.make_key(codec.DIR_TO_AGENT, codec.REQ_ACCEPT, codec.OBJ_NONE), aid),                       # accept in session
        # Requests only an agent sends, coming the other way.
        to_agent(codec.make_key(codec.DIR_TO_AGENT, codec.REQ_LOGIN, codec.OBJ_NONE), aid),                       # "login"
        to_agent(codec.make_key(codec.DIR_TO_AGENT, codec.REQ_ACQUIRE, codec.OBJ_EMS), aid),                       # "acquire EMS"
        to_agent(codec.make_key(codec.DIR_TO_AGENT, codec.REQ_INFO, codec.OBJ_MSG), aid, objects=[codec.encode_text("XMSG1 ECHO")]),
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
       notes="section 6, section 7 ('Agents must test the error byte')",
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
