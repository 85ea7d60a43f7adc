"""Limits that protect the server from one agent: --max-info-objects.

An info NACCB costs the server one match and one journal record per
object, so a single 16 MiB NACCB of 1-byte texts would stall it for every
agent.  The server takes at most --max-info-objects objects in one info
NACCB (default 4096) and answers more with error 05 for the NACCB, without
looking at the objects.  All bytes below are written by hand from
docs/protocol.md §3, §6 and §7.
"""

import pytest

from xdi import codec
from xdi.codec import unhex
from xdi.testset import WIRE

A = WIRE["TESTA"]
IEF450I = "C9C5C6F4F5F0C9"  # "IEF450I" in IBM-037: TESTA's message key


def info_msg(count):
    """Info MSG from agent 1 of TESTA with count texts "IEF450I"."""
    total = 36 + 7 * count
    return unhex(f"{total:08X} 00000001 {A} 02010A03 00000000 00000000 "
                 f"{count:08X} 00000007" + IEF450I * count)


def session(agent):
    agent.send(unhex(f"00000024 00000000 {A} 02010500 00000000 00000000 00000000 00000000"))
    agent.expect_bytes(f"00000024 00000001 {A} 01020700 00000000 00000000 00000000 00000000")
    agent.send(unhex(f"00000024 00000001 {A} 02010901 00000000 00000000 00000000 00000000"))
    agent.expect(codec.RCV_EMS, error=0, agent_id=1)


@pytest.mark.xdi_server(args=["--max-info-objects", "2"])
def test_limits_info_objects_at_the_limit_are_taken(xdi_server, xdi_agent):
    agent = xdi_agent()
    session(agent)
    agent.send(info_msg(2))
    agent.expect_nothing()
    recs = xdi_server.journal.wait_for(event="info", verdict="in_frame", count=2)
    assert len(recs) == 2


@pytest.mark.xdi_server(args=["--max-info-objects", "2"])
def test_limits_info_objects_over_the_limit_is_error_05(xdi_server, xdi_agent):
    agent = xdi_agent()
    session(agent)
    request = info_msg(3)
    agent.send(request)
    # error 05 about an info MSG NACCB: key 01020B03, agent-ID 1, TESTA
    agent.expect_bytes(f"00000024 00000001 {A} 01020B03 05000000 00000000 00000000 00000000")
    v = xdi_server.journal.wait_for(event="violation", check="too_many_objects")[-1]
    assert v["naccb"].lower() == request.hex()
    assert v["offset"] == 28  # the object count field
    # no object of the refused NACCB was judged, and the session goes on
    assert not xdi_server.journal.find(event="info")
    agent.send(info_msg(1))
    agent.expect_nothing()
    xdi_server.journal.wait_for(event="info", verdict="in_frame")
