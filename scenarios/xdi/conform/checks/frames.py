"""Time frames against xdi-server under libfaketime: time of day, days,
holidays.
"""

import time

from ..engine import check
from ..errors import Failure, SkipCheck
from .serverrun import misreported, server_check, shown


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
        bad = misreported(t, reported) if t not in reported else None
        if bad is not None:
            raise Failure("at %s (UTC) %r is inside its EVBLOK's time frame "
                          "and was reported, but malformed, as %s: an event "
                          "text is sent byte for byte, at its own length "
                          "(see the texts.* checks)" % (when, t,
                                                        shown(bad[0])),
                          details="\n".join(bad[1]))
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
       notes="section 8 (in frame, rule 4)",
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
    server_check(ctx, "frames", "CONFT", body)


@check("frame.days",
       "the date range (SDATE..EDATE) and the day-list weekdays are "
       "respected",
       seed="Start date (SDATE): 'event that occures before SDATE is "
            "ignored'; Valid day-list: 'X'0001010101010100' means that "
            "event will be captured only from Monday to Saturday'",
       notes="section 8 (in frame, rules 3 and 5)",
       needs=("messages", "faketime"), host="xdi-server")
def frame_days(ctx):
    def body(run, fx):
        _frame_run(ctx, run, "2026-11-21 10:00:00", ["BUSY ON SATURDAY"],
                   [], ["BUSY ON SATURDAY"])
        _frame_run(ctx, run, "2026-12-01 10:00:00", ["BUSY IN DECEMBER"],
                   [], ["BUSY IN DECEMBER"])
        _frame_run(ctx, run, "2026-11-20 10:00:00", ["BUSY ON FRIDAY"],
                   ["BUSY ON FRIDAY"], [])
    server_check(ctx, "frames", "CONFT", body)


@check("frame.holiday",
       "the day-list holiday byte is respected on a holiday of the "
       "calendar the agent is given",
       seed="Valid day-list: 'the last byte (byte 7) represents holiday'; "
            "'zJOS-XDI admin must provide holiday calendar'",
       notes="section 8 (in frame, rule 5: on a holiday only byte 7 counts)",
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
    server_check(ctx, "frames", "CONFT", body)


# ---- the edges of a frame: its first and last second -----------------------
#
# A frame's ends are inside it, to the second (docs/protocol.md section
# 8.3, rule 4 and A17).  The agent's clock starts at the named instant
# (libfaketime, real speed): an instant *after* which everything is on the
# same side of the edge (08:30:00: in until 17:00:00) needs nothing more;
# an instant *before* an edge (08:29:59, 17:00:00) holds only for one
# real second, so such a run counts only when the agent read the text
# within that second: when its report of the marker that follows came in
# time.  A run that was too slow is repeated (three times at most), then
# the check is skipped as one that cannot be run on this agent (never
# passed).

EDGE_SECOND = 0.9    # real seconds from the agent's start to the marker
EDGE_TRIES = 3


def _edge_run(ctx, run, when, inject, want, dont, last_second=False):
    for _ in range(EDGE_TRIES):
        if run.agent is not None:
            run.stop()
        t0 = time.monotonic()
        run.start(when=when)
        run.mark()
        for t in inject:
            ctx.inject_message(t)
        run.mark()
        took = time.monotonic() - t0
        if not last_second or took < EDGE_SECOND:
            break
        ctx.transcript.note("the run at %s took %.2f s to the marker: the "
                            "agent's clock left the second, again" % (when,
                                                                     took))
    else:
        raise SkipCheck("the agent took %.2f s from its start to the report "
                        "of a marker (%d tries): the last second before %s "
                        "cannot be tested on it (the agent's clock leaves "
                        "the second first)" % (took, EDGE_TRIES, when))
    reported = [r.get("text") for r in run.infos()]
    for t in want:
        bad = misreported(t, reported) if t not in reported else None
        if bad is not None:
            raise Failure("at %s (UTC) %r was reported, but malformed, as "
                          "%s" % (when, t, shown(bad[0])),
                          details="\n".join(bad[1]))
        if t not in reported:
            raise Failure("at %s (UTC) %r is inside its EVBLOK's frame (an "
                          "edge second: the ends of a frame are inside it) "
                          "but was not reported" % (when, t),
                          details="reported: %r" % reported)
    for t in dont:
        if t in reported or misreported(t, reported):
            raise Failure("at %s (UTC) %r is one second outside its "
                          "EVBLOK's frame but was reported" % (when, t),
                          details="reported: %r" % reported)


@check("frame.time_edges",
       "the first and last second of STIME..ETIME are inside the frame, "
       "the seconds next to them outside",
       seed="Start time (STIME): 'event that occures before STIME is "
            "ignored'; End time (ETIME): 'event that occures after ETIME is "
            "ignored'",
       notes="section 8.3 (rule 4: both ends included, to the second; "
             "A17)",
       needs=("messages", "faketime"), host="xdi-server")
def frame_time_edges(ctx):
    def body(run, fx):
        # BUSY: 08:30:00..17:00:00, Monday 2026-11-23.
        _edge_run(ctx, run, "2026-11-23 08:29:59", ["BUSY AT 082959"], [],
                  ["BUSY AT 082959"], last_second=True)
        _edge_run(ctx, run, "2026-11-23 08:30:00", ["BUSY AT 083000"],
                  ["BUSY AT 083000"], [])
        _edge_run(ctx, run, "2026-11-23 17:00:00", ["BUSY AT 170000"],
                  ["BUSY AT 170000"], [], last_second=True)
        _edge_run(ctx, run, "2026-11-23 17:00:01", ["BUSY AT 170001"], [],
                  ["BUSY AT 170001"])
    server_check(ctx, "frames", "CONFT", body)


@check("frame.date_edges",
       "the first day (SDATE) and the last day (EDATE) are inside the "
       "frame to their last second, the day after EDATE outside",
       seed="Start date (SDATE): 'event that occures before SDATE is "
            "ignored'; End date (EDATE): 'one day or more after EDATE ... "
            "ignored'",
       notes="section 8.3 (rule 3: SDATE <= date <= EDATE; A17)",
       needs=("messages", "faketime"), host="xdi-server")
def frame_date_edges(ctx):
    def body(run, fx):
        # BUSY: 2026-11-02 (a Monday) .. 2026-11-30 (a Monday).  The day
        # before SDATE is a Sunday, outside the day-list anyway: SDATE's
        # own first second of the frame is what is checked.
        _edge_run(ctx, run, "2026-11-02 08:30:00", ["BUSY ON SDATE"],
                  ["BUSY ON SDATE"], [])
        _edge_run(ctx, run, "2026-11-30 17:00:00", ["BUSY ON EDATE"],
                  ["BUSY ON EDATE"], [], last_second=True)
        _edge_run(ctx, run, "2026-12-01 08:30:00", ["BUSY AFTER EDATE"], [],
                  ["BUSY AFTER EDATE"])
    server_check(ctx, "frames", "CONFT", body)


@check("frame.day_edges",
       "the day-list and holiday bytes change at midnight: the last second "
       "of the day before and the first second of the day after",
       seed="Valid day-list: 'Each byte represents a day of the week ... "
            "the last byte (byte 7) represents holiday'",
       notes="section 8.3 (rule 5: the byte of the day of T; on a holiday "
             "only byte 7; A16)",
       needs=("messages", "faketime", "holidays"), host="xdi-server")
def frame_day_edges(ctx):
    def body(run, fx):
        # HOLI: holidays only; NOHOL: every weekday, never on a holiday.
        # 2026-12-25 (a Friday) is a holiday, 12-24 and 12-26 are not.
        _edge_run(ctx, run, "2026-12-24 23:59:59",
                  ["HOLI 1224 235959", "NOHOL 1224 235959"],
                  ["NOHOL 1224 235959"], ["HOLI 1224 235959"],
                  last_second=True)
        _edge_run(ctx, run, "2026-12-25 00:00:00",
                  ["HOLI 1225 000000", "NOHOL 1225 000000"],
                  ["HOLI 1225 000000"], ["NOHOL 1225 000000"])
        _edge_run(ctx, run, "2026-12-25 23:59:59",
                  ["HOLI 1225 235959", "NOHOL 1225 235959"],
                  ["HOLI 1225 235959"], ["NOHOL 1225 235959"],
                  last_second=True)
        _edge_run(ctx, run, "2026-12-26 00:00:00",
                  ["HOLI 1226 000000", "NOHOL 1226 000000"],
                  ["NOHOL 1226 000000"], ["HOLI 1226 000000"])
    server_check(ctx, "frames", "CONFT", body)
