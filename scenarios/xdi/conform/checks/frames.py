"""Time frames against xdi-server under libfaketime: time of day, days,
holidays.
"""

from ..engine import check
from ..errors import Failure
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
