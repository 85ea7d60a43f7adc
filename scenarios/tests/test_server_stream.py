"""The byte stream (docs/protocol.md §2 and §11.4): NACCBs in pieces,
several in one write, one byte at a time while another agent's traffic
interleaves, and the timers and limits of the connection.
"""

import random

import pytest

from xdi import codec
from xdi.codec import unhex
from xdi.testset import WIRE

A = WIRE["TESTA"]
E = WIRE["TESTE"]

LOGIN_A = unhex(f"00000024 00000000 {A} 02010500 00000000 00000000 00000000 00000000")
ACCEPT_A1 = f"00000024 00000001 {A} 01020700 00000000 00000000 00000000 00000000"
ACQ_SCD_A1 = unhex(f"00000024 00000001 {A} 02010902 00000000 00000000 00000000 00000000")
ACQ_EMS_A1 = unhex(f"00000024 00000001 {A} 02010901 00000000 00000000 00000000 00000000")
SCD_HEAD_A1 = unhex(f"00000168 00000001 {A} 01020202 00000000 00000000 00000002 000000A2")
# Info CMD "KILL JOKO" (45 bytes) and EOJ "PAYROLL1" (44 bytes).
INFO_KILL = unhex(f"0000002D 00000001 {A} 02010A04 00000000 00000000 00000001"
                  " 00000009 D2C9D3D3 40D1D6D2 D6")
INFO_EOJ = unhex(f"0000002C 00000001 {A} 02010A05 00000000 00000000 00000001"
                 " 00000008 D7C1E8D9 D6D3D3F1")


@pytest.mark.parametrize("pieces", [
    [1, 35], [4, 32], [35, 1], [3, 1, 30, 2], [8, 8, 8, 8, 4], 1,
], ids=["1+35", "4+32", "35+1", "3+1+30+2", "8x4+4", "bytes"])
def test_server_stream_login_in_pieces(xdi_server, xdi_agent, pieces):
    """A login split anywhere (even inside the total length) is one NACCB."""
    a = xdi_agent()
    a.send(LOGIN_A, pieces=pieces, pause=0.002)
    a.expect_bytes(ACCEPT_A1)
    rec = xdi_server.journal.wait_for(event="login")[-1]
    assert rec["naccb"].lower() == LOGIN_A.hex()
    assert rec["seq"] == 1


def test_server_stream_two_naccbs_in_one_write(xdi_server, xdi_agent):
    """Login and acquire SCD in one write: both answered, in order."""
    a = xdi_agent()
    a.send_together(LOGIN_A, ACQ_SCD_A1)
    a.expect_bytes(ACCEPT_A1)
    got = a.expect(codec.RCV_SCD)
    assert got.raw[:36] == SCD_HEAD_A1
    seqs = [r["seq"] for r in xdi_server.journal.wait_for(
        lambda r: r["event"] in ("login", "acquire"), count=2)]
    assert seqs == [1, 2]


def test_server_stream_one_and_a_half_naccbs(xdi_server, xdi_agent):
    """A write holding a whole NACCB and the start of the next: the first
    is answered at once, the second once its rest arrives."""
    a = xdi_agent()
    a.send(LOGIN_A + ACQ_SCD_A1[:20])
    a.expect_bytes(ACCEPT_A1)
    a.expect_nothing(within=0.1)
    a.send(ACQ_SCD_A1[20:])
    assert a.expect(codec.RCV_SCD).raw[:36] == SCD_HEAD_A1


def test_server_stream_many_naccbs_in_one_write(xdi_server, xdi_agent):
    """Fifty acquires in one write: fifty whole tables, in order."""
    a = xdi_agent()
    a.send(LOGIN_A)
    a.expect_bytes(ACCEPT_A1)
    a.send_together(*([ACQ_SCD_A1, ACQ_EMS_A1] * 25))
    for _ in range(25):
        assert a.expect(codec.RCV_SCD, count=2).raw[:36] == SCD_HEAD_A1
        a.expect(codec.RCV_EMS, count=7)


def test_server_stream_byte_at_a_time_interleaved(xdi_server, xdi_agent):
    """Agent A writes its login, acquire SCD, an info and an EOJ one byte
    per write; after every byte agent B (TESTE) does a whole acquire round
    trip, so the server reads A's bytes between B's NACCBs.  Both sessions
    come out exactly as if each were alone."""
    a = xdi_agent(name="slow A")
    b = xdi_agent(name="whole B")
    b.send(unhex(f"00000024 00000000 {E} 02010500 00000000 00000000 00000000 00000000"))
    b.expect_bytes(f"00000024 00000001 {E} 01020700 00000000 00000000 00000000 00000000")
    b_acq = unhex(f"00000024 00000001 {E} 02010901 00000000 00000000 00000000 00000000")
    stream = LOGIN_A  # login: agent-ID 0
    # After the login A is agent 2 (B took ID 1).
    stream += unhex(f"00000024 00000002 {A} 02010902 00000000 00000000 00000000 00000000")
    stream += unhex(f"0000002C 00000002 {A} 02010A05 00000000 00000000 00000001"
                    " 00000008 D7C1E8D9 D6D3D3F1")
    b_round_trips = 0
    for i in range(len(stream)):
        a.send(stream[i:i + 1])
        b.send(b_acq)
        b.expect(codec.RCV_EMS, agent_id=1, count=1)
        b_round_trips += 1
    a.expect_bytes(f"00000024 00000002 {A} 01020700 00000000 00000000 00000000 00000000")
    got = a.expect(codec.RCV_SCD, agent_id=2, count=2)
    assert got.raw[:36] == unhex(
        f"00000168 00000002 {A} 01020202 00000000 00000000 00000002 000000A2")
    # The EOJ text came after SCD only: it needs EMS, so error 05, not a
    # garbled frame.
    a.expect_bytes(f"00000024 00000002 {A} 01020B05 05000000 00000000 00000000 00000000")
    j = xdi_server.journal
    a_recs = j.wait_for(lambda r: r["event"] in ("login", "acquire", "info"),
                        count=3, peer=a.peer)
    assert [r["seq"] for r in a_recs] == [1, 2, 3]
    assert a_recs[2]["verdict"] == "table_not_sent"
    assert len(j.find(event="acquire", peer=b.peer)) == b_round_trips
    assert not j.find(event="violation", peer=b.peer)


def test_server_stream_partial_timeout(xdi_server_factory, xdi_agent):
    """--partial-timeout: a NACCB begun and not finished closes the
    connection, journalled with the bytes held."""
    srv = xdi_server_factory(args=["--partial-timeout", "0.3"])
    a = xdi_agent(server=srv)
    a.send(LOGIN_A)
    a.expect_bytes(ACCEPT_A1)
    a.send(ACQ_SCD_A1[:10])
    a.expect_closed(within=5)
    rec = srv.journal.wait_for(event="timeout")[-1]
    assert rec["timer"] == "partial" and rec["pending"] == 10
    assert rec["ms"] == 300


def test_server_stream_login_timeout(xdi_server_factory, xdi_agent):
    srv = xdi_server_factory(args=["--login-timeout", "0.3"])
    a = xdi_agent(server=srv)
    b = xdi_agent(server=srv)
    b.send(LOGIN_A)          # a session stops the login timer
    b.expect_bytes(ACCEPT_A1)
    a.expect_closed(within=5)
    rec = srv.journal.wait_for(event="timeout")[-1]
    assert rec["timer"] == "login" and rec["peer"] == a.peer
    assert b.is_open(within=0.5)


def test_server_stream_idle_timeout(xdi_server_factory, xdi_agent):
    srv = xdi_server_factory(args=["--idle-timeout", "0.4"])
    a = xdi_agent(server=srv)
    a.send(LOGIN_A)
    a.expect_bytes(ACCEPT_A1)
    a.expect_closed(within=5)
    rec = srv.journal.wait_for(event="timeout")[-1]
    assert rec["timer"] == "idle"


def test_server_stream_max_connections(xdi_server_factory, xdi_agent):
    """--max-connections 2: a third connection is refused (closed at once,
    journalled), the two others keep working."""
    srv = xdi_server_factory(args=["--max-connections", "2"])
    a = xdi_agent(server=srv)
    b = xdi_agent(server=srv)
    a.send(LOGIN_A)
    a.expect_bytes(ACCEPT_A1)
    c = xdi_agent(server=srv)
    try:
        c.send(unhex(f"00000024 00000000 {E} 02010500 00000000 00000000 00000000 00000000"))
    except OSError:
        pass  # already reset
    c.expect_closed()
    rec = srv.journal.wait_for(event="refused", peer=c.peer)[-1]
    assert rec["reason"]
    b.send(unhex(f"00000024 00000000 {E} 02010500 00000000 00000000 00000000 00000000"))
    b.expect_bytes(f"00000024 00000002 {E} 01020700 00000000 00000000 00000000 00000000")


def test_server_stream_garbage_does_not_disturb_others(xdi_server, xdi_agent):
    """Twenty connections each write 4 KiB of seeded random bytes (most
    are lost framing at once, some a NACCB header that is then filled with
    noise).  Whatever each gets, a logged-in agent next to them is served
    throughout, and the server is still running."""
    good = xdi_agent(name="good")
    good.send(LOGIN_A)
    good.expect_bytes(ACCEPT_A1)
    for seed in range(20):
        rnd = random.Random(seed)
        noise = bytes(rnd.getrandbits(8) for _ in range(4096))
        if seed % 2:  # a plausible small total length, then noise
            noise = (36 + rnd.randrange(200)).to_bytes(4, "big") + noise[4:]
        bad = xdi_agent(name="noise %d" % seed)
        try:
            bad.send(noise)
        except OSError:
            pass  # the server may have closed it already
        good.send(ACQ_SCD_A1)
        assert good.expect(codec.RCV_SCD).raw[:36] == SCD_HEAD_A1
        bad.close()
    assert xdi_server.running()
    assert not xdi_server.journal.find(event="violation", peer=good.peer)
