"""The journal after a kill -9 of the server.

The journal is written with one write(2) per line, and a received NACCB
is journalled before it is answered (docs/journal.md), so once an agent
holds a reply, the records of what it sent are in the kernel: a SIGKILL
right then must leave a journal in which every line parses and every NACCB
the agent was answered for is present.  Bytes are written by hand from docs/protocol.md
§3, §6, §7.
"""

import json
import signal

from xdi import codec
from xdi.codec import unhex
from xdi.testset import WIRE

A = WIRE["TESTA"]
LOGIN = f"00000024 00000000 {A} 02010500 00000000 00000000 00000000 00000000"
ACCEPT = f"00000024 00000001 {A} 01020700 00000000 00000000 00000000 00000000"
ACQ_EMS = f"00000024 00000001 {A} 02010901 00000000 00000000 00000000 00000000"
# info MSG "NOPE" (D5 D6 D7 C5): matches no EVBLOK of TESTA -> error 05
INFO_NOPE = f"00000028 00000001 {A} 02010A03 00000000 00000000 00000001 00000004 D5D6D7C5"
ERROR_05 = f"00000024 00000001 {A} 01020B03 05000000 00000000 00000000 00000000"


def test_server_journal_survives_kill_9(xdi_server, xdi_agent):
    agent = xdi_agent()
    agent.send(unhex(LOGIN))
    agent.expect_bytes(ACCEPT)
    agent.send(unhex(ACQ_EMS))
    agent.expect(codec.RCV_EMS, error=0, agent_id=1)
    for _ in range(20):
        agent.send(unhex(INFO_NOPE))
        agent.expect_bytes(ERROR_05)
    # The agent holds every reply: kill the server without any chance to
    # flush or close.
    xdi_server.send_signal(signal.SIGKILL)
    assert xdi_server.wait() == -signal.SIGKILL

    with open(xdi_server.journal.path, "rb") as f:
        data = f.read()
    assert data.endswith(b"\n"), "the last record is complete"
    records = [json.loads(line) for line in data.splitlines()]
    events = [r["event"] for r in records]
    assert events.count("login") == 1 and events.count("accept") == 1
    assert events.count("acquire") == 1
    violations = [r for r in records if r["event"] == "violation"]
    assert len(violations) == 20
    # a content violation carries the header; the object is in its info record
    assert all(v["naccb"].lower() == unhex(INFO_NOPE)[:36].hex() for v in violations)
    infos = [r for r in records if r["event"] == "info"]
    assert len(infos) == 20
    sent_errors = [r for r in records if r["event"] == "send"
                   and r.get("naccb", "").lower() == unhex(ERROR_05).hex()]
    # A send record is written once the transport has taken the bytes, so
    # the last reply can reach the agent a moment before its record does
    # (docs/journal.md); every earlier one must be there.
    assert len(sent_errors) in (19, 20)


# ---- a journal that cannot be written ---------------------------------------


def test_server_journal_errors_warn_goes_on(xdi_server_factory, xdi_agent):
    """--journal-errors warn (the default): the server serves on, and says
    on stderr that records were lost, without a line per record."""
    srv = xdi_server_factory(args=["--journal", "/dev/full"])
    agent = xdi_agent(server=srv)
    agent.send(unhex(LOGIN))
    agent.expect_bytes(ACCEPT)
    agent.send(unhex(ACQ_EMS))
    agent.expect(codec.RCV_EMS, error=0, agent_id=1)
    agent.close()
    assert srv.stop() == 0
    err = srv.stderr()
    assert "journal: a record could not be written: No space left on device" \
        in err, err
    # connect, login, accept, acquire, send, disconnect, stop ...: logged
    # at failures 1, 2, 4 (and 8), not once each
    assert err.count("could not be written: ") <= 4, err
    assert "records could not be written" in err, err


def test_server_journal_errors_fatal_answers_nothing(xdi_server_factory,
                                                     xdi_agent):
    """--journal-errors fatal: the first record that cannot be written ends
    the server (exit 3) before anything is answered, so no agent is ever
    answered for a NACCB the journal lacks."""
    srv = xdi_server_factory(args=["--journal", "/dev/full",
                                   "--journal-errors", "fatal"])
    agent = xdi_agent(server=srv)
    agent.send(unhex(LOGIN))
    agent.expect_closed()
    assert srv.wait() == 3
    assert agent.received == []
    assert "--journal-errors fatal" in srv.stderr()
