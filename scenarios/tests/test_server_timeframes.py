"""Time frames on the server's clock, against the real xdi-server under
libfaketime (docs/protocol.md §8, "Matching and the time frame").

The server runs on fixtures/timeframes (its README.md lists every frame
and what is in frame when) with its wall clock started at a fixed instant
by xdi.faketime.faketime_env (1/100 speed, TZ=UTC, monotonic clock left
alone).  At each instant the agent reports all five texts of host TIMEF;
the journal must give each its verdict (in_frame / out_of_frame, never an
error), and exactly the in-frame events must fire their EMS action: an
exec command, checked byte for byte on the wire, in report order.

Instants: a holiday (2026-12-25, a Friday), the day before, a Sunday, a
Saturday, day 366 of 2024 and the seconds around it, and STIME / ETIME to
the second on both sides.
"""

import pytest

from xdi import codec
from xdi.faketime import faketime_env, faketime_library
from xdi.server import fixture_dir

TIMEF = "E3C9D4C5 C6404040"
KEYS = ["XMAS", "WEEKDAY", "SUNDAY", "LEAPDAY", "OFFICE"]


def exec_command(text_hex):
    """Exec command (§7) to TIMEF's session (agent-ID 1): one
    object of 2 bytes, total length 36 + 2 = 0x26."""
    return (f"00000026 00000001 {TIMEF} 01020104 00000000 00000000"
            f" 00000001 00000002 {text_hex}")


# Each event's action, as TIMEF's agent must receive it.
ACTION = {
    "XMAS": exec_command("E7F1"),      # X1
    "WEEKDAY": exec_command("E6F1"),   # W1
    "SUNDAY": exec_command("E2F1"),    # S1
    "LEAPDAY": exec_command("D3F1"),   # L1
    "OFFICE": exec_command("D6F1"),    # O1
}

# (instant in UTC, the keys in frame then): fixtures/timeframes/README.md.
INSTANTS = [
    pytest.param("2026-12-25 10:00:00", {"XMAS", "OFFICE"},
                 id="holiday-friday-only-byte-7-counts"),
    pytest.param("2026-12-24 10:00:00", {"WEEKDAY", "OFFICE"},
                 id="thursday-before-the-holiday"),
    pytest.param("2026-12-27 10:00:00", {"SUNDAY", "OFFICE"},
                 id="sunday"),
    pytest.param("2026-12-26 10:00:00", {"OFFICE"},
                 id="saturday"),
    pytest.param("2024-12-30 23:59:59", {"WEEKDAY"},
                 id="day-365-last-second"),
    pytest.param("2024-12-31 00:00:00", {"WEEKDAY", "LEAPDAY"},
                 id="day-366-first-second"),
    pytest.param("2024-12-31 23:59:59", {"WEEKDAY", "LEAPDAY"},
                 id="day-366-last-second"),
    pytest.param("2025-01-01 00:00:00", {"WEEKDAY"},
                 id="day-1-after-day-366"),
    pytest.param("2026-11-23 08:29:59", {"WEEKDAY"},
                 id="stime-minus-one-second"),
    pytest.param("2026-11-23 08:30:00", {"WEEKDAY", "OFFICE"},
                 id="stime-exactly"),
    pytest.param("2026-11-23 17:00:00", {"WEEKDAY", "OFFICE"},
                 id="etime-exactly"),
    pytest.param("2026-11-23 17:00:01", {"WEEKDAY"},
                 id="etime-plus-one-second"),
]


@pytest.mark.skipif(faketime_library() is None,
                    reason="libfaketime (Debian package libfaketime) is "
                           "not installed")
@pytest.mark.parametrize("when, in_frame", INSTANTS)
def test_server_timeframe(xdi_server_factory, xdi_agent, when, in_frame):
    srv = xdi_server_factory(fixtures=fixture_dir("timeframes"),
                             env=faketime_env(when))
    a = xdi_agent(server=srv)
    a.login("TIMEF")
    a.acquire(codec.ACQ_EMS)
    a.expect(codec.RCV_EMS, count=len(KEYS))
    for key in KEYS:
        a.send(a.naccb(codec.INFO_MSG, objects=[codec.encode_text(key)]))
    # The actions of the in-frame events, in report order, and nothing
    # else: no error for an out-of-frame text, no action for it.
    for key in KEYS:
        if key in in_frame:
            a.expect_bytes(ACTION[key])
    a.expect_nothing(within=0.3)

    j = srv.journal
    infos = j.wait_for(event="info", count=len(KEYS))
    # The server's clock was the faked one, to the second.
    stamp = when.replace(" ", "T")
    assert all(r["ts"].startswith(stamp) for r in infos), \
        [r["ts"] for r in infos]
    verdicts = {r["text"]: r["verdict"] for r in infos}
    assert verdicts == {k: "in_frame" if k in in_frame else "out_of_frame"
                        for k in KEYS}
    assert [r["evblok"] for r in infos] == list(range(len(KEYS)))
    actions = j.find(event="action")
    assert [r["event_key"] for r in actions] == \
        [k for k in KEYS if k in in_frame]
    assert all(r["outcome"] == "sent" for r in actions), actions
    assert not j.find(event="violation")
