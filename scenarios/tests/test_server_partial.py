"""The partial-NACCB timer (--partial-timeout) restarts with every NACCB
completed (issue 13, item 4).

An agent that streams continuously, with each write ending in the first
bytes of its next NACCB, always holds a partial NACCB at the server; the
timer is about one NACCB taking too long, so a healthy stream must never
trip it, however long it lasts.  Bytes written by hand from docs/protocol.md
§2 and §7.
"""

import time

from xdi import codec
from xdi.codec import unhex
from xdi.testset import WIRE

A = WIRE["TESTA"]
LOGIN_A = unhex(f"00000024 00000000 {A} 02010500 00000000 00000000 00000000 00000000")
ACCEPT_A1 = f"00000024 00000001 {A} 01020700 00000000 00000000 00000000 00000000"
ACQ_EMS_A1 = unhex(f"00000024 00000001 {A} 02010901 00000000 00000000 00000000 00000000")
# Info MSG "IEF450I" from agent 1 (43 bytes).
INFO = unhex(f"0000002B 00000001 {A} 02010A03 00000000 00000000 00000001"
             " 00000007 C9C5C6F4 F5F0C9")
TIMEOUT_S = 0.3


def test_server_partial_timer_restarts_per_naccb(xdi_server_factory, xdi_agent):
    """A stream that always holds a partial NACCB, for more than three
    times the timeout, each NACCB completed well within it: the connection
    stays open and no timeout is journalled.  Before the fix the timer kept
    the deadline of the first partial and cut the agent off after 0.3 s."""
    srv = xdi_server_factory(args=["--partial-timeout", str(TIMEOUT_S)])
    a = xdi_agent(server=srv)
    a.send(LOGIN_A)
    a.expect_bytes(ACCEPT_A1)
    a.send(ACQ_EMS_A1)
    a.expect(codec.RCV_EMS, error=0, agent_id=1)
    split = 20
    a.send(INFO[:split])           # the first partial NACCB
    start = time.monotonic()
    seq = 2                         # login 1, acquire 2
    # Each step completes the NACCB held and begins the next one; the
    # journal says when the server has the completed one, so each partial
    # lives one journal round trip plus a pause well under the timeout.
    while time.monotonic() - start < 4 * TIMEOUT_S:
        a.send(INFO[split:] + INFO[:split])
        seq += 1
        srv.journal.wait_for(event="info", seq=seq)
        time.sleep(TIMEOUT_S / 6)   # pace the stream: it spans the timeout
    a.send(INFO[split:])
    seq += 1
    srv.journal.wait_for(event="info", seq=seq)
    assert a.is_open(within=0.2)
    assert not srv.journal.find(event="timeout")
    # The timer still works: a partial left alone is cut off.
    a.send(INFO[:split])
    a.expect_closed(within=5)
    rec = srv.journal.wait_for(event="timeout")[-1]
    assert rec["timer"] == "partial" and rec["pending"] == split
