"""Checks of the harness itself: the ctypes binding against hand-written
hex vectors (docs/protocol.md §3, §7, §8, §9), and ScriptedAgent's
framing and failure messages against a plain Python socket peer.

The vectors are written by hand from the notes, never produced by the code
under test: a binding that passed a field in the wrong place, or a
structure laid out differently from the C one, fails here before any
server scenario runs.
"""

import socket
import threading

import pytest

from xdi import codec
from xdi.codec import Naccb, unhex
from xdi.agent import ScriptedAgent, parse_address

# Login from SYSA, no password (§7: 02010500, agent-ID 0, count 0).
LOGIN_SYSA = unhex("""
    00000024 00000000 E2E8E2C1 40404040 02010500 00000000
    00000000 00000000 00000000""")

# Login from SYSA with password SECRET: one object of 8 bytes (§11).
LOGIN_SYSA_PW = unhex("""
    0000002C 00000000 E2E8E2C1 40404040 02010500 00000000
    00000000 00000001 00000008 E2C5C3D9 C5E34040""")

# Accept with agent-ID 7 (01020700, no objects).
ACCEPT_7 = unhex("""
    00000024 00000007 E2E8E2C1 40404040 01020700 00000000
    00000000 00000000 00000000""")

# Info MSG with two 4-byte texts "KILL" and "STOP" (one NACCB, same size).
INFO_MSG_2 = unhex("""
    0000002C 00000003 E2E8E2C1 40404040 02010A03 00000000
    00000000 00000002 00000004 D2C9D3D3 E2E3D6D7""")

# EVBLOK of the seed's KILL example, "always" frame (§8).
EVBLOK_KILL = unhex(
    "E2E8E2C140404040"                    # system name SYSA
    "D2C9D3D3" + "40" * 16 +              # event key KILL
    "40" * 108 +                          # additional text
    "000C" "0004" "0004"                  # IL 8+KL, KL 4, VL 4
    "01900001" "09999365"                 # SDATE, EDATE
    "00000000" "00000000"                 # STIME, STSEC
    "23595900" "0001517F"                 # ETIME, ETSEC 86399
    "0101010101010101"                    # every day, holidays too
    "02" + "00" * 15 +                    # ET command, reserved
    "19000101" "99991231" +               # SSDT, ESDT
    "00" * 32)                            # user working area

# EOTINFO report: job PAYROLL on SYSA ended normally, max CC 4 (§9).
EOTINFO_PAYROLL = unhex(
    "00" * 80 +                           # two work areas
    "00" "80" + "00" * 24 +               # flag1, flag2 job name, reserved
    "40" * 8 +                            # job-id blank
    "E2E8E2C140404040"                    # system SYSA
    "D7C1E8D9D6D3D340"                    # job PAYROLL
    + "40" * 16 +                         # step, proc-step blank
    "0000" "0000" "0000" "0004"           # step, SCC, UCC, max CC
    "D1C9D5D9" "00000000")                # notes J I N R, reserved


def test_harness_lengths_of_vectors():
    assert len(LOGIN_SYSA) == 36
    assert len(EVBLOK_KILL) == codec.EVBLOK_SIZE
    assert len(EOTINFO_PAYROLL) == codec.EOTINFO_SIZE


def test_harness_encode_login():
    assert Naccb(codec.LOGIN, system="SYSA").encode() == LOGIN_SYSA


def test_harness_encode_login_with_password():
    n = Naccb(codec.LOGIN, system="SYSA", objects=[codec.field("SECRET")])
    assert n.encode() == LOGIN_SYSA_PW


def test_harness_encode_two_texts():
    n = Naccb(codec.INFO_MSG, agent_id=3, system="SYSA",
              objects=[codec.encode_text("KILL"), codec.encode_text("STOP")])
    assert n.encode() == INFO_MSG_2


def test_harness_encode_refuses_mixed_object_sizes():
    with pytest.raises(ValueError):
        Naccb(codec.INFO_MSG, objects=[b"ab", b"abc"]).encode()


def test_harness_decode_accept():
    n = Naccb.decode(ACCEPT_7)
    assert n.key == codec.ACCEPT
    assert n.agent_id == 7
    assert n.system == unhex("E2E8E2C140404040")
    assert n.system_text() == "SYSA"
    assert n.error == 0 and n.objects == []
    assert n.name() == "accept"
    assert n.raw == ACCEPT_7


def test_harness_decode_objects():
    n = Naccb.decode(INFO_MSG_2 + b"trailing")
    assert n.objects == [unhex("D2C9D3D3"), unhex("E2E3D6D7")]
    assert n.raw == INFO_MSG_2


def test_harness_decode_short_total_length_is_error_at_offset_0():
    with pytest.raises(codec.CodecError) as e:
        Naccb.decode(unhex("00000023") + LOGIN_SYSA[4:])
    assert codec.err_name(e.value.rc) == "NACCB_ELENGTH_SHORT"
    assert e.value.offset == 0


def test_harness_hostile_header_written_field_for_field():
    n = Naccb(codec.LOGIN, system="SYSA", total_length=0x23, count=1, size=0)
    assert n.encode() == unhex("""
        00000023 00000000 E2E8E2C1 40404040 02010500 00000000
        00000000 00000001 00000000""")


def test_harness_key_names_need_the_error_byte():
    assert codec.key_name(codec.NO_EMS, 0x08) == "no EMS"
    assert codec.key_name(codec.NO_EMS, 0x05) == "error"
    assert codec.key_name(codec.SHUTDOWN) == "shutdown"


def test_harness_check_objects_login_with_object_code():
    n = Naccb(0x02010501, system="SYSA")
    assert n.check_objects() == ("NACCB_EOBJECT", 19)


def test_harness_fields_ebcdic_037():
    assert codec.sysname("SYSA") == unhex("E2E8E2C140404040")
    assert codec.field_get(unhex("E2E8E2C140404040")) == "SYSA"
    assert codec.encode_text("CANCEL U=JOKO") == unhex(
        "C3C1D5C3C5D340E47ED1D6D2D6")
    assert codec.decode_text(unhex("D2C9D3D340D1D6D2D6")) == "KILL JOKO"
    with pytest.raises(codec.CodecError):
        codec.field("NINECHARS")


def test_harness_framer_two_in_one_chunk():
    f = codec.Framer()
    assert f.feed(LOGIN_SYSA + ACCEPT_7) == [LOGIN_SYSA, ACCEPT_7]
    assert f.pending() == 0


def test_harness_framer_one_byte_at_a_time():
    f = codec.Framer()
    stream = INFO_MSG_2 + ACCEPT_7
    out = []
    for i in range(len(stream)):
        got = f.feed(stream[i:i + 1])
        if i == len(INFO_MSG_2) - 1:
            assert got == [INFO_MSG_2]
        out += got
    assert out == [INFO_MSG_2, ACCEPT_7]


def test_harness_framer_lost_framing_is_sticky():
    f = codec.Framer()
    with pytest.raises(codec.FramingError) as e:
        f.feed(ACCEPT_7 + unhex("00000010") + bytes(12))
    assert codec.err_name(e.value.rc) == "NACCB_ELENGTH_SHORT"
    assert e.value.offset == 36
    with pytest.raises(codec.FramingError):
        f.feed(ACCEPT_7)


def test_harness_evblok_decode_validate_encode():
    e = codec.evblok_decode(EVBLOK_KILL)
    assert (e.il, e.kl, e.vl) == (12, 4, 4)
    assert e.sdate == 0x01900001 and e.edate == 0x09999365
    assert e.etime == 0x23595900 and e.etsec == 86399
    assert e.event_type == 2
    assert e.ssdt == 0x19000101 and e.esdt == 0x99991231
    assert e.key_text() == "KILL" and e.system() == "SYSA"
    assert codec.evblok_validate(e) == 0
    assert codec.evblok_encode(e) == EVBLOK_KILL


def test_harness_evblok_validate_reports_offset():
    bad = bytearray(EVBLOK_KILL)
    bad[174] = 0x07  # ET outside 01..06
    assert codec.evblok_validate(codec.evblok_decode(bad)) == \
        ("NACCB_EEVENT_TYPE", 174)


def test_harness_eotinfo_report_round_trip():
    e = codec.eotinfo_decode(EOTINFO_PAYROLL)
    assert e.flag2 == 0x80 and e.max_cc == 4
    assert e.job() == "PAYROLL" and e.system() == "SYSA"
    assert codec.eotinfo_validate(e, codec.EOTINFO_REPORT) == 0
    assert codec.eotinfo_encode(e) == EOTINFO_PAYROLL


def test_harness_eotinfo_report_from_entry():
    entry = bytearray(EOTINFO_PAYROLL)
    entry[146:158] = bytes(12)  # a table entry has no status
    rep = codec.eotinfo_report(codec.eotinfo_decode(entry), "JINR", max_cc=4)
    assert codec.eotinfo_encode(rep) == EOTINFO_PAYROLL


def test_harness_hex_diff_points_at_first_difference():
    text = codec.hex_diff(unhex("0000002400000001"), unhex("0000002400000002"))
    lines = text.splitlines()
    assert lines[0] == "expected 00000024 00000001"
    assert lines[1] == "got      00000024 00000002"
    # The caret stands under the first hex digit of byte 7.
    assert lines[2].index("^") == len("expected 00000024 000000")
    assert "byte 7" in lines[2]


def test_harness_parse_address():
    assert parse_address("127.0.0.1:40123") == ("127.0.0.1", 40123)
    assert parse_address("[::1]:40124") == ("::1", 40124)


# ---- ScriptedAgent against a plain Python peer -------------------------------


@pytest.fixture
def peer():
    """A one-connection TCP peer on a kernel-chosen port; the test gets
    (address, accepted-socket future)."""
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    lsock.settimeout(5)
    box = {}

    def accept():
        box["conn"], _ = lsock.accept()
    t = threading.Thread(target=accept, daemon=True)
    t.start()

    def conn():
        t.join(5)
        return box["conn"]
    yield lsock.getsockname(), conn
    lsock.close()
    if "conn" in box:
        box["conn"].close()


def test_harness_agent_pieces_arrive_whole(peer):
    addr, conn = peer
    with ScriptedAgent(addr) as a:
        a.send(Naccb(codec.LOGIN, system="SYSA"), pieces=[1, 3, 10])
        c = conn()
        c.settimeout(5)
        got = b""
        while len(got) < 36:
            got += c.recv(100)
        assert got == LOGIN_SYSA


def test_harness_agent_expect_two_in_one_write(peer):
    addr, conn = peer
    with ScriptedAgent(addr) as a:
        conn().sendall(ACCEPT_7 + INFO_MSG_2)
        assert a.expect(codec.ACCEPT, agent_id=7).agent_id == 7
        assert a.expect_bytes(INFO_MSG_2.hex()).objects[1] == \
            unhex("E2E3D6D7")


def test_harness_agent_expect_failure_is_a_readable_diff(peer):
    addr, conn = peer
    with ScriptedAgent(addr) as a:
        conn().sendall(ACCEPT_7)
        with pytest.raises(AssertionError) as e:
            a.expect(codec.REJECT, error=codec.E_SYSTEM_NAME)
        text = str(e.value)
        assert "01020800 (reject)" in text and "01020700 (accept)" in text
        assert "! key" in text and "! error" in text
        assert "  agent_id" in text


def test_harness_agent_expect_bytes_failure_shows_hex(peer):
    addr, conn = peer
    with ScriptedAgent(addr) as a:
        conn().sendall(ACCEPT_7)
        with pytest.raises(AssertionError) as e:
            a.expect_bytes(ACCEPT_7[:7] + b"\x08" + ACCEPT_7[8:])
        assert "first difference at byte 7" in str(e.value)


def test_harness_agent_nothing_then_closed(peer):
    addr, conn = peer
    with ScriptedAgent(addr) as a:
        c = conn()
        a.expect_nothing(within=0.1)
        c.sendall(ACCEPT_7[:10])
        with pytest.raises(AssertionError):
            a.expect_nothing(within=0.2)   # a partial NACCB is something
        c.close()
        a.expect_closed(within=2)
