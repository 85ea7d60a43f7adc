"""Events: only matched messages are reported, job texts, the EOTINFO
reports of a job's end.
"""

from ... import codec
from .. import diagnose, tables
from ..engine import check
from ..errors import Failure
from ..tables import JOB
from .common import (MARK, QUIET, check_ids, from_agent, mark, name_of,
                     open_session, reject_job_text, text_failure, texts)


@check("events.only_matched",
       "only events that match an EVBLOK (first KL bytes, event type) are "
       "reported",
       seed="EMS Parameter Format: 'Only matched events will be processed. "
            "Unmatched events are ignored.'; KL: 'Matching is done based on "
            "this value'",
       notes="section 8 (matching rules 1-2)",
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
        objs = [o for n in got if n.key == codec.INFO_MSG
                for o in n.objects
                if not codec.decode_text(o).startswith(MARK)]
        raise Failure(
            "%s: injected %r; only %r matches an EVBLOK (key LONGKEY1234, "
            "KL 4), but the agent reported %r" % (
                sess.conn.label, sent, "LONGXYZ SHORT KEY", reported),
            details=diagnose.object_lines(
                [codec.encode_text("LONGXYZ SHORT KEY")], objs))


_JOB_NAME_RULE = ("the EOJ text is the 8-byte job name, blank padded, "
                  "never trimmed to the name's length")


@check("texts.eoj_job_name",
       "the EOJ text is the job name as an 8-byte blank-padded field",
       seed="Object code X'05' end-of-job event text; job names are 8 "
            "bytes",
       notes="section 1 (names are 8 bytes, blank padded), section 5 "
             "(EOJ text: the 8-byte job name)",
       needs=("jobs",), before="tables.without_scd")
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
            raise text_failure(sess.conn, n, JOB, o, _JOB_NAME_RULE,
                               fixed=True)
        if len(o) == codec.NAME_SIZE and bytes(o) != codec.field(JOB):
            raise text_failure(sess.conn, n, JOB, o, _JOB_NAME_RULE,
                               fixed=True)


def _job_events(ctx, sess, steps, rc):
    """Run CJOB1 and collect what the agent reports until its EOJ text,
    and a little more (the EOTINFOs may follow)."""
    ctx.run_job(sess.conn, JOB, steps, rc)
    got = sess.conn.collect(lambda n: n.key in (codec.INFO_EOJ,
                                                codec.INFO_EOS) and
                            any(len(o) == 8 for o in n.objects),
                            within=ctx.t(8),
                            what="the end-of-job text of job %s (object 05, "
                                 "the 8-byte job name)" % JOB,
                            reject=lambda n: reject_job_text(sess, n))
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
       notes="section 5 (the EOJ/EOS trap), section 7 (info 02010A05 / "
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
       notes="section 9 (EOTINFO fields, notes letters), section 11.1 step 4",
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
                raise Failure("%s: an EOTINFO object is %d bytes, not %d"
                              % (sess.conn.label, len(o),
                                 codec.EOTINFO_SIZE), got=n)
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


# Return codes 0..255 are what a job's exit status can carry; the kinds of
# end a job script can give on any host.
END_KINDS = [("rc 0", 0, None, "N"), ("rc 4", 4, None, "N"),
             ("rc 8", 8, None, "N"), ("rc 255", 255, None, "N"),
             ("killed by SIGKILL", 0, "KILL", "A")]


@check("eotinfo.end_kinds",
       "each kind of job end is reported in its EOTINFO: a normal end "
       "with its return code (notes N, UCC = max CC = rc, SCC 0), a job "
       "ended by a signal as an abend (notes A)",
       seed="Job notes: 'N normal end, A abend, C not executed'; UCC: "
            "'user completion or return code'; Max CC",
       notes="section 9 (SCC, UCC, max CC, notes letters); "
             "docs/conformance.md section 6 (a signal is an abend)",
       needs=("jobs",))
def eotinfo_end_kinds(ctx):
    sess = open_session(ctx)
    entry = codec.eotinfo_decode(tables.default_scd()[0])   # CJOB1, job
    for what, rc, kill, letter in END_KINDS:
        ctx.transcript.note("job %s: %s" % (JOB, what))
        ctx.run_job(sess.conn, JOB, (), rc, kill=kill)
        got = sess.conn.collect(
            lambda n: n.key == codec.INFO_EOT and any(
                len(o) == codec.EOTINFO_SIZE and
                codec.decode_text(bytes(codec.eotinfo_decode(o).notes))[:1]
                == "J" for o in n.objects),
            within=ctx.t(8), what="the EOTINFO end-of-job report of job "
                                  "%s (%s)" % (JOB, what))
        check_ids(sess.conn, got, sess.agent_id)
        n = got[-1]
        e = next(codec.eotinfo_decode(o) for o in n.objects
                 if codec.decode_text(bytes(
                     codec.eotinfo_decode(o).notes))[:1] == "J")
        notes = codec.decode_text(bytes(e.notes))
        problems = []
        if notes[2:3] != letter:
            problems.append(("notes[2]", letter, notes[2:3]))
        if notes[3:4] != "R":
            problems.append(("notes[3]", "R", notes[3:4]))
        if bytes(e.job_name) != bytes(entry.job_name) or \
                e.flag2 != entry.flag2:
            problems.append(("job_name/flag2", "a copy of SCD entry 0",
                             "%r flag2 %02X" % (e.job(), e.flag2)))
        if e.step_number != 0:
            problems.append(("step_number", 0, e.step_number))
        if kill is None:
            for f, want in (("ucc", rc), ("max_cc", rc), ("scc", 0)):
                if getattr(e, f) != want:
                    problems.append((f, want, getattr(e, f)))
        if problems:
            lines = ["  %-16s %-30s %s" % ("field", "expected", "got")]
            for f, a, b in problems:
                lines.append("! %-16s %-30s %s" % (
                    f, _show(f, a) if isinstance(a, int) else a,
                    _show(f, b) if isinstance(b, int) else b))
            raise Failure("%s: job %s %s: its end-of-job EOTINFO reports "
                          "it wrongly: %s" % (
                              sess.conn.label, JOB, what,
                              ", ".join(p[0] for p in problems)),
                          got=n, details=lines + _eot_lines(e))
