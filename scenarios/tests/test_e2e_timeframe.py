"""End to end: time frames and the holiday calendar, with the agent and
the server under the same libfaketime clock, the real xdi-agent against
the real xdi-server, no proxy (issue 4, part C, scenario 4).

Host TFRAME (fixtures/e2e): OFFICE is in frame 08:30:00..17:00:00, Monday
to Friday, not on a holiday; HOLI only on a holiday; MARK always.  The
agent gets the set's holiday calendar with --holidays (the calendar
belongs to the host, docs/protocol.md §8: an agent must be told).
Its simulation script reports OFFICE, HOLI, then MARK: a text out of
frame is not sent (the agent's log says so, the journal has no info
record for it); one in frame is, and the server agrees (in_frame).  MARK
is the barrier: it is sent after the others, so once the server has it,
it has everything the agent sent.

Both clocks start at the instant named: the server's at 1/100 speed
(xdi.faketime.faketime_env: its journal stays within that second), the
agent's at real speed (e2e.agent_env says why), so within the test's
second or two both sides see the same day and the same side of every
frame edge (the instants are hours away from them).
"""

import pytest
import yaml

from e2e import E2E, agent_env
from xdi.faketime import faketime_env, faketime_library

SCRIPT = """# OFFICE and HOLI at once (two lengths: two NACCBs), then MARK
+0 msg OFFICE HOURS
+0 msg HOLI DAY
+0.05 msg MARK END
"""


def holidays_file(path):
    """The set's own calendar (fixtures/e2e/settings.yaml), one date a
    line, as the agent's --holidays reads it: the two cannot disagree."""
    settings = yaml.safe_load((E2E / "settings.yaml").read_text())
    days = settings["settings"]["holidays"]
    assert [str(d) for d in days] == ["2026-12-25", "2027-01-01"]
    path.write_text("# from fixtures/e2e/settings.yaml\n" +
                    "".join("%s\n" % d for d in days))
    return path


@pytest.mark.skipif(faketime_library() is None,
                    reason="libfaketime (Debian package libfaketime) is "
                           "not installed")
@pytest.mark.parametrize("when, calendar, sent, server_verdict", [
    # A Friday, 10:00, but a holiday: OFFICE says holidays: false.
    pytest.param("2026-12-25 10:00:00", True, {"HOLI DAY"}, {},
                 id="holiday"),
    # The Thursday before, in office hours.
    pytest.param("2026-12-24 10:00:00", True, {"OFFICE HOURS"}, {},
                 id="weekday-in-frame"),
    # The same Thursday, after ETIME: nothing.
    pytest.param("2026-12-24 18:00:00", True, set(), {},
                 id="weekday-after-etime"),
    # The control: an agent not told the calendar takes the holiday for a
    # plain Friday: it sends OFFICE, which the server (whose calendar it
    # is) journals out_of_frame, and never sends HOLI.
    pytest.param("2026-12-25 10:00:00", False, {"OFFICE HOURS"},
                 {"OFFICE HOURS": "out_of_frame"},
                 id="holiday-agent-without-calendar"),
])
def test_e2e_time_frame_and_holidays(tmp_path, xdi_server_factory, agents,
                                     when, calendar, sent, server_verdict):
    srv = xdi_server_factory(fixtures=E2E, env=faketime_env(when))
    j = srv.journal
    script = tmp_path / "frame.sim"
    script.write_text(SCRIPT)
    extra = ["--simulate", script]
    if calendar:
        extra += ["--holidays", holidays_file(tmp_path / "holidays.txt")]
    agent = agents.start("tframe", srv, "TFRAME", extra,
                         env=agent_env(when))
    if calendar:
        agent.wait_line(r"2 holiday\(s\) from .*holidays\.txt$")
    agent.wait_line(r"running: EMS ready \(3 entries\), SCD not available")

    mark = j.wait_for(event="info", kind="MSG", text="MARK END")[0]
    assert (mark["verdict"], mark["evblok"]) == ("in_frame", 2)
    for text in ("OFFICE HOURS", "HOLI DAY"):
        agent.wait_line(r"'%s': %s$" % (
            text, "queued" if text in sent else "out of frame: not sent"))

    infos = j.find(event="info", kind="MSG")
    # Exactly the texts the agent found in frame, then the barrier; each
    # with the server's verdict (in_frame unless the control says not).
    assert [r["text"] for r in infos] == \
        [t for t in ("OFFICE HOURS", "HOLI DAY") if t in sent] + \
        ["MARK END"]
    for r in infos:
        assert r["verdict"] == server_verdict.get(r["text"], "in_frame")
        assert r["event_key"] == r["text"].split()[0]
    # The server's clock was the faked one, to the second, as the
    # agent's (the second is all both sides compare).
    stamp = when.replace(" ", "T")
    assert all(r["ts"].startswith(stamp) for r in infos), \
        [r["ts"] for r in infos]
    # An out-of-frame text fires nothing and is no error.
    assert j.find(event="action") == []
    assert j.find(event="violation") == []

    assert agents.stop(agent) == 0
    j.wait_for(event="logout")
    assert len(j.find(event="info")) == len(infos)
