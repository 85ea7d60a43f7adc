"""The form of event texts: in the session's code page, at their own
length, job names 8 bytes.  These run before the session checks, so that
an agent with a text bug fails first a check named for it, with the
objects in hex beside the expected ones and a diagnosis.
"""

from ... import codec
from ..engine import check
from ..errors import Failure
from ..tables import JOB
from .common import (MARK, check_ids, closest, mark, name_of, open_session,
                     text_failure)

CODE_PAGE_RULE = ("an event text is sent in the session's code page "
                  "(IBM-037 here), not in ASCII")
LENGTH_RULE = ("an event text is sent at its own length: the object size "
               "is the text length, no padding and nothing cut")
JOB_NAME_RULE = ("the EOJ text is the 8-byte job name, blank padded, never "
                 "trimmed to the name's length")


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


@check("texts.eoj_job_name",
       "the EOJ text is the job name as an 8-byte blank-padded field",
       seed="Object code X'05' end-of-job event text; job names are 8 "
            "bytes",
       notes="section 1 (names are 8 bytes, blank padded), section 5 "
             "(EOJ text: the 8-byte job name)",
       needs=("jobs",))
def texts_eoj_job_name(ctx):
    sess = open_session(ctx)
    ctx.run_job(sess.conn, JOB, rc=0)
    name = codec.encode_text(JOB)

    def about_job(n):
        return n.key in (codec.INFO_EOJ, codec.INFO_EOS) and any(
            bytes(o).startswith(name) for o in n.objects)
    got = sess.conn.collect(about_job, within=ctx.t(8),
                            what="the end-of-job text of job %s (%d "
                                 "letters)" % (JOB, len(JOB)))
    check_ids(sess.conn, got, sess.agent_id)
    n = got[-1]
    for o in n.objects:
        if bytes(o).startswith(name) and len(o) not in (
                codec.NAME_SIZE, 2 * codec.NAME_SIZE):
            raise text_failure(sess.conn, n, JOB, o, JOB_NAME_RULE,
                               fixed=True)
        if len(o) == codec.NAME_SIZE and bytes(o) != codec.field(JOB):
            raise text_failure(sess.conn, n, JOB, o, JOB_NAME_RULE,
                               fixed=True)
