"""The form of event texts: in the session's code page, at their own
length.  These run before the session checks (they need only the first
EVBLOK of the table, the marker's), so that an agent with a text bug
fails first a check named for it, with the objects in hex beside the
expected ones and a diagnosis; every later check that sees the bug fails
at once too (common.reject_malformed_text).  texts.eoj_job_name, which
needs a job, is defined with the events (events.py) and runs after
tables.all_entries (which proves the whole table is read) and before
tables.without_scd, the first other check that waits for a job's end.
"""

from ... import codec
from ..engine import check
from ..errors import Failure
from .common import (MARK, check_ids, closest, mark, name_of, open_session,
                     text_failure)

CODE_PAGE_RULE = ("an event text is sent in the session's code page "
                  "(IBM-037 here), not in ASCII")
LENGTH_RULE = ("an event text is sent at its own length: the object size "
               "is the text length, no padding and nothing cut")


@check("texts.code_page",
       "message texts are reported in the session's code page (EBCDIC)",
       seed="Character fields and texts are EBCDIC (the host is z/OS); the "
            "agent converts from its own character set",
       notes="section 1 (character fields, code pages), section 5 (texts)",
       needs=("messages",))
def texts_code_page(ctx):
    sess = open_session(ctx)
    injected = []

    def tick():
        injected.append("%s CODE PAGE %d" % (MARK, len(injected) + 1))
        ctx.inject_message(injected[-1])
    got = sess.conn.collect(lambda n: n.key == codec.INFO_MSG,
                            within=ctx.t(6), tick=tick, every=1.0,
                            what="the report of an injected %s message"
                            % MARK)
    check_ids(sess.conn, got, sess.agent_id)
    n = got[-1]
    for o in n.objects:
        t = closest(injected, o) or injected[-1]
        wire = codec.encode_text(t)
        # Only the code page is judged here: the length is
        # texts.own_length's.
        if not bytes(o).startswith(wire):
            raise text_failure(sess.conn, n, t, o, CODE_PAGE_RULE)


# Three lengths: short, middling and the limit (128 bytes, the EVBLOK's
# key plus its additional text).
def _length_texts():
    long = "%s LIMIT " % MARK
    long += "L" * (128 - len(long))
    return ["%s S" % MARK, "%s MIDDLE LENGTH TEXT OF 40 BYTES ....." % MARK,
            long]


@check("texts.own_length",
       "event texts are sent at their own length (1..128 bytes), never "
       "padded to 128 or cut",
       seed="Object size: 'length of each attached object'; EVBLOK: 20-byte "
            "key plus 108 bytes of additional event text",
       notes="section 5 (texts: the object size is the text length, with "
             "no padding)",
       needs=("messages",))
def texts_own_length(ctx):
    sess = open_session(ctx)
    check_ids(sess.conn, mark(ctx, sess), sess.agent_id)
    want = _length_texts()
    for t in want:
        ctx.inject_message(t)
    seen = set()
    candidates = want + sess.injected

    def judge(n):
        if n.key != codec.INFO_MSG:
            return
        for o in n.objects:
            t = closest(candidates, o)
            if t is None:
                continue
            if bytes(o) != codec.encode_text(t):
                raise text_failure(sess.conn, n, t, o, LENGTH_RULE)
            seen.add(t)

    def done(n):
        judge(n)
        return all(t in seen for t in want)
    got = sess.conn.collect(done, within=ctx.t(6),
                            what="the reports of three injected messages "
                                 "of %s bytes" % ", ".join(
                                     str(len(t)) for t in want))
    check_ids(sess.conn, got, sess.agent_id)
    for n in got:
        sizes = {len(o) for o in n.objects}
        if n.key == codec.INFO_MSG and len(sizes) > 1:
            raise Failure("%s: %s holds objects of different sizes %s"
                          % (sess.conn.label, name_of(n), sorted(sizes)),
                          got=n)
