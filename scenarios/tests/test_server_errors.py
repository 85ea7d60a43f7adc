"""Every row of docs/protocol.md §6 and every reject reason of
§11.1 step 2, against the real xdi-server on fixtures/test.

Each case sends a NACCB written by hand as hex, expects the reply bytes
written by hand from the notes (§3, §6, §7, §11: agent-ID 0 and the
echoed system name before a session, the session's after; error key
01020Bxx naming the offending object code, 00 when the header cannot be
trusted), checks the journal (the received NACCB's bytes, the check that
failed, the reply's bytes), and checks the connection is still usable
afterwards (only lost framing closes it).

§6 row 07 (EVX component error) is sent "only when a scenario
injects it"; xdi-server has no injection yet, so it has no case here.
"""

import pytest

from xdi import codec
from xdi.codec import unhex
from xdi.testset import WIRE

A = WIRE["TESTA"]
E = WIRE["TESTE"]
BLANKS = "40404040 40404040"

ACCEPT_1_TESTA = f"00000024 00000001 {A} 01020700 00000000 00000000 00000000 00000000"
ACQ_EMS_1 = f"00000024 00000001 {A} 02010901 00000000 00000000 00000000 00000000"
ACQ_SCD_1 = f"00000024 00000001 {A} 02010902 00000000 00000000 00000000 00000000"


def login_testa(agent):
    """Login as TESTA on a fresh server: the accept carries agent-ID 1."""
    agent.send(unhex(f"00000024 00000000 {A} 02010500 00000000 00000000 00000000 00000000"))
    agent.expect_bytes(ACCEPT_1_TESTA)
    agent.agent_id, agent.system = 1, unhex(A)


def still_usable(agent):
    """The connection stayed up and the session works: acquire EMS is
    answered with TESTA's 7-EVBLOK table."""
    agent.send(unhex(ACQ_EMS_1))
    got = agent.expect(codec.RCV_EMS, error=0, agent_id=1, count=7)
    assert len(got.objects[0]) == codec.EVBLOK_SIZE


def check_violation(srv, agent, request, reply, check, error):
    """Send request; expect exactly reply; journal: a violation naming the
    check with the request's bytes, and a send record with the reply's."""
    agent.send(unhex(request))
    agent.expect_bytes(reply)
    j = srv.journal
    v = j.wait_for(event="violation", check=check, error=error)[-1]
    assert v["naccb"].lower() == unhex(request).hex(), v
    j.wait_naccb(reply, event="send", error=error)


# ---- errors in a session (TESTA, agent-ID 1) -----------------------------------

IN_SESSION = [
    # 01: an agent-ID that is not this session's
    pytest.param(
        f"00000024 00000002 {A} 02010901 00000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B01 01000000 00000000 00000000 00000000",
        "agent_id", 0x01, id="01-agent-id-not-the-sessions"),
    # 02: direction 0x0102 (to agent) and 0x0000
    pytest.param(
        f"00000024 00000001 {A} 01020901 00000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B01 02000000 00000000 00000000 00000000",
        "direction", 0x02, id="02-direction-to-agent"),
    pytest.param(
        f"00000024 00000001 {A} 00000902 00000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B02 02000000 00000000 00000000 00000000",
        "direction", 0x02, id="02-direction-zero"),
    # 03: acquire with an object code other than 01 / 02
    pytest.param(
        f"00000024 00000001 {A} 02010903 00000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B03 03000000 00000000 00000000 00000000",
        "object", 0x03, id="03-acquire-object-03"),
    pytest.param(
        f"00000024 00000001 {A} 02010900 00000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B00 03000000 00000000 00000000 00000000",
        "object", 0x03, id="03-acquire-object-00"),
    # 04: request codes the server does not take from an agent
    pytest.param(
        f"00000024 00000001 {A} 02010104 00000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B04 04000000 00000000 00000000 00000000",
        "request", 0x04, id="04-execute"),
    pytest.param(
        f"00000024 00000001 {A} 02010201 00000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B01 04000000 00000000 00000000 00000000",
        "request", 0x04, id="04-save"),
    pytest.param(
        f"00000024 00000001 {A} 02010302 00000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B02 04000000 00000000 00000000 00000000",
        "request", 0x04, id="04-replace"),
    pytest.param(
        f"00000024 00000001 {A} 02010400 00000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B00 04000000 00000000 00000000 00000000",
        "request", 0x04, id="04-shutdown"),
    pytest.param(
        f"00000024 00000001 {A} 02010700 00000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B00 04000000 00000000 00000000 00000000",
        "request", 0x04, id="04-accept"),
    pytest.param(
        f"00000024 00000001 {A} 02010800 00000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B00 04000000 00000000 00000000 00000000",
        "request", 0x04, id="04-reject"),
    pytest.param(
        f"00000024 00000001 {A} 02010C00 00000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B00 04000000 00000000 00000000 00000000",
        "request", 0x04, id="04-unknown-request-0C"),
    pytest.param(
        f"00000024 00000001 {A} 02010000 00000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B00 04000000 00000000 00000000 00000000",
        "request", 0x04, id="04-unknown-request-00"),
    # 04: object codes not valid for the request
    pytest.param(
        f"00000024 00000001 {A} 02010601 00000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B01 04000000 00000000 00000000 00000000",
        "object", 0x04, id="04-logout-object-01"),
    pytest.param(
        f"0000002C 00000001 {A} 02010A08 00000000 00000000 00000001 00000008"
        " D7C1E8D9 D6D3D3F1",
        f"00000024 00000001 {A} 01020B08 04000000 00000000 00000000 00000000",
        "object", 0x04, id="04-info-object-08"),
    pytest.param(
        f"0000002C 00000001 {A} 02010A02 00000000 00000000 00000001 00000008"
        " D7C1E8D9 D6D3D3F1",
        f"00000024 00000001 {A} 01020B02 04000000 00000000 00000000 00000000",
        "object", 0x04, id="04-info-object-02"),
    pytest.param(
        f"00000024 00000001 {A} 02010B09 04000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B09 04000000 00000000 00000000 00000000",
        "object", 0x04, id="04-agent-error-object-09"),
    # 04: a login on a connection that already holds a session
    pytest.param(
        f"00000024 00000000 {A} 02010500 00000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B00 04000000 00000000 00000000 00000000",
        "login_in_session", 0x04, id="04-login-in-session"),
    # 05: total length / count / size (the header cannot be trusted: 00)
    pytest.param(
        f"00000028 00000001 {A} 02010901 00000000 00000000 00000000 00000000"
        " 00000000",
        f"00000024 00000001 {A} 01020B00 05000000 00000000 00000000 00000000",
        "length", 0x05, id="05-total-length-not-36-plus-count-size"),
    pytest.param(
        f"00000024 00000001 {A} 02010901 00000000 00000000 00000001 00000000",
        f"00000024 00000001 {A} 01020B00 05000000 00000000 00000000 00000000",
        "length", 0x05, id="05-count-without-size"),
    pytest.param(
        f"00000024 00000001 {A} 02010901 00000000 00000000 00000000 00000008",
        f"00000024 00000001 {A} 01020B00 05000000 00000000 00000000 00000000",
        "length", 0x05, id="05-size-without-count"),
    # 05: the request's own object rules
    pytest.param(  # docs/protocol.md A10: 01020B01 with 05 is not "no EMS"
        f"00000028 00000001 {A} 02010901 00000000 00000000 00000001 00000004"
        " 00000000",
        f"00000024 00000001 {A} 01020B01 05000000 00000000 00000000 00000000",
        "objects", 0x05, id="05-acquire-with-an-object"),
    pytest.param(
        f"00000028 00000001 {A} 02010600 00000000 00000000 00000001 00000004"
        " 00000000",
        f"00000024 00000001 {A} 01020B00 05000000 00000000 00000000 00000000",
        "objects", 0x05, id="05-logout-with-an-object"),
    pytest.param(
        f"00000024 00000001 {A} 02010A03 00000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B03 05000000 00000000 00000000 00000000",
        "objects", 0x05, id="05-info-without-objects"),
    pytest.param(
        f"000000A5 00000001 {A} 02010A03 00000000 00000000 00000001 00000081"
        + " C1" * 129,
        f"00000024 00000001 {A} 01020B03 05000000 00000000 00000000 00000000",
        "objects", 0x05, id="05-info-text-of-129-bytes"),
    pytest.param(
        f"000000C5 00000001 {A} 02010A07 00000000 00000000 00000001 000000A1"
        + " 00" * 161,
        f"00000024 00000001 {A} 01020B07 05000000 00000000 00000000 00000000",
        "objects", 0x05, id="05-info-eotinfo-of-161-bytes"),
    pytest.param(
        f"000000A5 00000001 {A} 02010B04 04000000 00000000 00000001 00000081"
        + " 40" * 129,
        f"00000024 00000001 {A} 01020B04 05000000 00000000 00000000 00000000",
        "objects", 0x05, id="05-agent-error-text-of-129-bytes"),
    pytest.param(
        f"00000024 00000001 {A} 02010B04 06000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B04 05000000 00000000 00000000 00000000",
        "agent_error_code", 0x05, id="05-agent-error-code-not-04-or-05"),
    # 09: a system name other than the session's (TESTE)
    pytest.param(
        f"00000024 00000001 {E} 02010901 00000000 00000000 00000000 00000000",
        f"00000024 00000001 {A} 01020B01 09000000 00000000 00000000 00000000",
        "system_name", 0x09, id="09-system-name-not-the-sessions"),
]


@pytest.mark.parametrize("request_hex, reply_hex, check, error", IN_SESSION)
def test_server_error_in_session(xdi_server, xdi_agent, request_hex,
                                 reply_hex, check, error):
    a = xdi_agent()
    login_testa(a)
    check_violation(xdi_server, a, request_hex, reply_hex, check, error)
    still_usable(a)


# ---- 01 before a session ---------------------------------------------------------


@pytest.mark.parametrize("key", ["02010901", "02010902", "02010600"])
def test_server_error_01_before_login(xdi_server, xdi_agent, key):
    """Anything but a login before a session: error 01, agent-ID 0, the
    system name echoed; then a login still works."""
    a = xdi_agent()
    obj = key[-2:]
    check_violation(
        xdi_server, a,
        f"00000024 00000000 {A} {key} 00000000 00000000 00000000 00000000",
        f"00000024 00000000 {A} 01020B{obj} 01000000 00000000 00000000 00000000",
        "no_session", 0x01)
    login_testa(a)


def test_server_error_02_before_login_comes_before_01(xdi_server, xdi_agent):
    """Direction is checked before "log in first" (section 11 order)."""
    a = xdi_agent()
    check_violation(
        xdi_server, a,
        f"00000024 00000000 {A} 01020500 00000000 00000000 00000000 00000000",
        f"00000024 00000000 {A} 01020B00 02000000 00000000 00000000 00000000",
        "direction", 0x02)
    login_testa(a)


def test_server_error_05_login_with_bad_length_is_an_error(xdi_server,
                                                           xdi_agent):
    """A login-keyed NACCB whose count and size disagree fails the length
    check, which comes before everything else: an error 05 naming object
    00 (not a reject; docs/protocol.md 11.2 "open point"), and the
    connection may still log in."""
    a = xdi_agent()
    check_violation(
        xdi_server, a,
        f"00000024 00000000 {A} 02010500 00000000 00000000 00000001 00000000",
        f"00000024 00000000 {A} 01020B00 05000000 00000000 00000000 00000000",
        "length", 0x05)
    assert not xdi_server.journal.find(event="reject")
    login_testa(a)


def test_server_error_05_length_before_direction(xdi_server, xdi_agent):
    """Length consistency is checked before direction."""
    a = xdi_agent()
    check_violation(
        xdi_server, a,
        f"00000024 00000000 {A} 01020500 00000000 00000000 00000001 00000000",
        f"00000024 00000000 {A} 01020B00 05000000 00000000 00000000 00000000",
        "length", 0x05)


# ---- 05: lost framing closes the connection ---------------------------------------


@pytest.mark.parametrize("logged_in", [False, True], ids=["no-session",
                                                        "session"])
def test_server_error_05_lost_framing_short(xdi_server, xdi_agent, logged_in):
    """Total length 16 < 36: error 05 object 00, then the connection is
    closed (docs/protocol.md 11.4 gives this reply for session ID 1).  No
    NACCB to echo: before a session the system name is blanks."""
    a = xdi_agent()
    if logged_in:
        login_testa(a)
        reply = f"00000024 00000001 {A} 01020B00 05000000 00000000 00000000 00000000"
    else:
        reply = f"00000024 00000000 {BLANKS} 01020B00 05000000 00000000 00000000 00000000"
    a.send(unhex("00000010 00000001 E3C5E2E3 C1404040"))
    a.expect_bytes(reply)
    a.expect_closed()
    j = xdi_server.journal
    j.wait_naccb(reply, event="send", error=5)
    j.wait_for(event="disconnect", conn=1)


def test_server_error_05_lost_framing_over_maximum(xdi_server_factory,
                                                   xdi_agent):
    """A total length above --max-naccb-size is lost framing too, caught
    from the first 4 bytes: nothing more needs to arrive."""
    srv = xdi_server_factory(args=["--max-naccb-size", "4096"])
    a = xdi_agent(server=srv)
    login_testa(a)
    a.send(unhex(f"00001001 00000001 {A}"))
    a.expect_bytes(f"00000024 00000001 {A} 01020B00 05000000 00000000 00000000 00000000")
    a.expect_closed()
    # The server and other agents are unaffected.
    b = xdi_agent(server=srv)
    b.send(unhex(f"00000024 00000000 {E} 02010500 00000000 00000000 00000000 00000000"))
    b.expect_bytes(f"00000024 00000002 {E} 01020700 00000000 00000000 00000000 00000000")


def test_server_error_05_largest_allowed_naccb_is_not_lost_framing(
        xdi_server_factory, xdi_agent):
    """A NACCB of exactly --max-naccb-size bytes is allowed: with the
    maximum at 44, a 44-byte login (one password object) is accepted,
    not treated as lost framing."""
    srv = xdi_server_factory(args=["--max-naccb-size", "44"])
    a = xdi_agent(server=srv)
    a.send(unhex(f"0000002C 00000000 {WIRE['TESTP']} 02010500 00000000"
                 " 00000000 00000001 00000008 E2C5C3D9 C5E34040"))
    a.expect_bytes(f"00000024 00000001 {WIRE['TESTP']} 01020700 00000000"
                   " 00000000 00000000 00000000")


# ---- 05: content checks of info NACCBs (§11.1 step 4) -------------------------

EOT_HEAD = f"000000C6 00000001 {A} 02010A07 00000000 00000000 00000001 000000A2"


def eot_payroll1(system=A, job="D7C1E8D9 D6D3D3F1", reserved1="00" * 24,
                 notes="D1C9D5D9"):
    """TESTA's PAYROLL1 entry (flag2 80: job name only) reported as ended
    normally with max CC 8 (above its trigger's 4, so no exec job follows):
    notes J I N R."""
    return ("00" * 80 + " 00 80 " + reserved1 + " 40404040 40404040 "
            + system + " " + job + " " + "40" * 16
            + " 0000 0000 0000 0008 " + notes + " 00000000")


CONTENT = [
    pytest.param(True, "02010A03", "D8D8D8D8 D8D8D8D8", "unmatched",
                 id="text-matching-no-evblok"),
    pytest.param(True, "02010A03", "D2C9D3D3 40D1D6D2 D6", "unmatched",
                 id="command-text-sent-as-message"),
    pytest.param(True, "02010A04", "D2C9D3", "unmatched",
                 id="text-shorter-than-kl"),
    pytest.param(True, "02010A06", "D7C1E8D9 D6D3D3F1", "unmatched",
                 id="eoj-job-name-sent-as-eos-object-06"),
    pytest.param(False, "02010A04", "D2C9D3D3 40D1D6D2 D6", "table_not_sent",
                 id="text-before-ems-was-sent"),
]


@pytest.mark.parametrize("acquire, key, text, verdict", CONTENT)
def test_server_error_05_info_text(xdi_server, xdi_agent, acquire, key, text,
                                   verdict):
    a = xdi_agent()
    login_testa(a)
    if acquire:
        a.send(unhex(ACQ_EMS_1))
        a.expect(codec.RCV_EMS)
    n = len(unhex(text))
    req = (f"{36 + n:08X} 00000001 {A} {key} 00000000 00000000 00000001 "
           f"{n:08X} {text}")
    reply = f"00000024 00000001 {A} 01020B{key[-2:]} 05000000 00000000 00000000 00000000"
    a.send(unhex(req))
    a.expect_bytes(reply)
    j = xdi_server.journal
    info = j.wait_for(event="info", verdict=verdict)[-1]
    assert info["object"].lower() == unhex(text).hex()
    j.wait_for(event="violation", check="content", error=5)
    j.wait_naccb(reply, event="send")
    still_usable(a)


EOT_CASES = [
    pytest.param(True, dict(system=E), "wrong_system",
                 id="eotinfo-names-another-host"),
    pytest.param(True, dict(job="D7C1E8D9 D6D3D3F9"), "unmatched",
                 id="eotinfo-job-in-no-entry"),
    pytest.param(True, dict(reserved1="01" + "00" * 23), "invalid",
                 id="eotinfo-reserved-not-zero"),
    pytest.param(True, dict(notes="D1C9D5D3"), "invalid",
                 id="eotinfo-notes-local-not-remote"),
    pytest.param(True, dict(notes="E7C9D5D9"), "invalid",
                 id="eotinfo-notes-letter-invalid"),
    pytest.param(False, {}, "table_not_sent",
                 id="eotinfo-before-scd-was-sent"),
]


@pytest.mark.parametrize("acquire, change, verdict", EOT_CASES)
def test_server_error_05_info_eotinfo(xdi_server, xdi_agent, acquire, change,
                                      verdict):
    a = xdi_agent()
    login_testa(a)
    if acquire:
        a.send(unhex(ACQ_SCD_1))
        a.expect(codec.RCV_SCD, count=2)
    reply = f"00000024 00000001 {A} 01020B07 05000000 00000000 00000000 00000000"
    a.send(unhex(EOT_HEAD + eot_payroll1(**change)))
    a.expect_bytes(reply)
    j = xdi_server.journal
    j.wait_for(event="info", verdict=verdict, kind="EOT")
    j.wait_for(event="violation", check="content", error=5)
    still_usable(a)


def test_server_info_eotinfo_valid_gets_no_reply(xdi_server, xdi_agent):
    """The same EOTINFO, valid: the server never acknowledges an info."""
    a = xdi_agent()
    login_testa(a)
    a.send(unhex(ACQ_SCD_1))
    a.expect(codec.RCV_SCD, count=2)
    a.send(unhex(EOT_HEAD + eot_payroll1()))
    rec = xdi_server.journal.wait_for(event="info", kind="EOT")[-1]
    assert rec["verdict"] == "ok", rec
    assert rec["eotinfo"]["job_name"] == "PAYROLL1"
    assert rec["eotinfo"]["notes"] == "JINR"
    a.expect_nothing(within=0.2)
    assert not xdi_server.journal.find(event="violation")


def test_server_error_05_one_bad_object_fails_the_naccb(xdi_server,
                                                        xdi_agent):
    """Two texts of 4 bytes, "KILL" (matches) and "QQQQ" (does not): one
    error 05 for the NACCB, each object journalled with its own verdict."""
    a = xdi_agent()
    login_testa(a)
    a.send(unhex(ACQ_EMS_1))
    a.expect(codec.RCV_EMS)
    a.send(unhex(f"0000002C 00000001 {A} 02010A04 00000000 00000000 00000002"
                 " 00000004 D2C9D3D3 D8D8D8D8"))
    a.expect_bytes(f"00000024 00000001 {A} 01020B04 05000000 00000000 00000000 00000000")
    a.expect_nothing(within=0.1)
    recs = xdi_server.journal.wait_for(event="info", count=2)
    verdicts = {r["index"]: r["verdict"] for r in recs}
    assert verdicts[0] in ("in_frame", "out_of_frame")
    assert verdicts[1] == "unmatched"


# ---- 08: table not available ------------------------------------------------------

NOT_AVAILABLE = [
    pytest.param("TESTS", "01", id="no-ems-host-without-ems"),
    pytest.param("TESTE", "02", id="no-scd-host-without-scd"),
    pytest.param("TESTN", "01", id="no-ems-table-not-ready"),
    pytest.param("TESTN", "02", id="no-scd-table-not-ready"),
    pytest.param("TESTZ", "01", id="no-ems-table-empty"),
]


@pytest.mark.parametrize("host, obj", NOT_AVAILABLE)
def test_server_error_08_table_not_available(xdi_server, xdi_agent, host, obj):
    w = WIRE[host]
    a = xdi_agent()
    a.send(unhex(f"00000024 00000000 {w} 02010500 00000000 00000000 00000000 00000000"))
    a.expect_bytes(f"00000024 00000001 {w} 01020700 00000000 00000000 00000000 00000000")
    req = f"00000024 00000001 {w} 020109{obj} 00000000 00000000 00000000 00000000"
    reply = f"00000024 00000001 {w} 01020B{obj} 08000000 00000000 00000000 00000000"
    a.send(unhex(req))
    got = a.expect_bytes(reply)
    assert got.name() == ("no EMS" if obj == "01" else "no SCD")
    j = xdi_server.journal
    rec = j.wait_naccb(req, event="acquire")[-1]
    assert rec["available"] == 0
    j.wait_naccb(reply, event="send", error=8)


# ---- rejects: every failure of a login (§11.1 step 2) -------------------------

P = WIRE["TESTP"]
NOSUCH = "D5D6E2E4 C3C84040"  # NOSUCH

REJECTS = [
    pytest.param(
        [], f"00000024 00000005 {A} 02010500 00000000 00000000 00000000 00000000",
        f"00000024 00000000 {A} 01020800 01000000 00000000 00000000 00000000",
        "agent_id", id="01-agent-id-not-zero"),
    pytest.param(
        [], f"00000024 00000000 {A} 02010501 00000000 00000000 00000000 00000000",
        f"00000024 00000000 {A} 01020800 04000000 00000000 00000000 00000000",
        "object", id="04-object-code-not-00"),
    pytest.param(
        ["--xdi-down"],
        f"00000024 00000000 {A} 02010500 00000000 00000000 00000000 00000000",
        f"00000024 00000000 {A} 01020800 06000000 00000000 00000000 00000000",
        "xdi_down", id="06-xdi-down"),
    pytest.param(
        [], f"00000024 00000000 {NOSUCH} 02010500 00000000 00000000 00000000 00000000",
        f"00000024 00000000 {NOSUCH} 01020800 09000000 00000000 00000000 00000000",
        "system_name", id="09-unknown-system-name"),
    pytest.param(
        [], f"00000024 00000000 {WIRE['TESTX']} 02010500 00000000 00000000 00000000 00000000",
        f"00000024 00000000 {WIRE['TESTX']} 01020800 05000000 00000000 00000000 00000000",
        "source_address", id="05-source-address-not-allowed"),
    pytest.param(
        [], f"00000024 00000000 {WIRE['TEST6']} 02010500 00000000 00000000 00000000 00000000",
        f"00000024 00000000 {WIRE['TEST6']} 01020800 05000000 00000000 00000000 00000000",
        "source_address", id="05-ipv4-peer-for-an-ipv6-only-host"),
    pytest.param(
        [], f"00000024 00000000 {P} 02010500 00000000 00000000 00000000 00000000",
        f"00000024 00000000 {P} 01020800 05000000 00000000 00000000 00000000",
        "password_missing", id="05-password-missing"),
    pytest.param(
        [], f"0000002C 00000000 {P} 02010500 00000000 00000000 00000001 00000008"
            " E2C5C3D9 C5E34041",
        f"00000024 00000000 {P} 01020800 05000000 00000000 00000000 00000000",
        "password_wrong", id="05-password-wrong-in-padding"),
    pytest.param(
        [], f"0000002C 00000000 {P} 02010500 00000000 00000000 00000001 00000008"
            " A2858389 85A34040",  # "secret": compared byte for byte
        f"00000024 00000000 {P} 01020800 05000000 00000000 00000000 00000000",
        "password_wrong", id="05-password-wrong-case"),
    pytest.param(
        [], f"0000002C 00000000 {A} 02010500 00000000 00000000 00000001 00000008"
            " E2C5C3D9 C5E34040",
        f"00000024 00000000 {A} 01020800 05000000 00000000 00000000 00000000",
        "password_not_configured", id="05-password-for-a-host-without-one"),
    pytest.param(
        [], f"00000028 00000000 {P} 02010500 00000000 00000000 00000001 00000004"
            " E2C5C3D9",
        f"00000024 00000000 {P} 01020800 05000000 00000000 00000000 00000000",
        "objects", id="05-login-object-of-4-bytes"),
    pytest.param(
        [], f"00000034 00000000 {P} 02010500 00000000 00000000 00000002 00000008"
            " E2C5C3D9 C5E34040 E2C5C3D9 C5E34040",
        f"00000024 00000000 {P} 01020800 05000000 00000000 00000000 00000000",
        "objects", id="05-login-two-passwords"),
    # the order of the checks: the first failure wins
    pytest.param(
        [], f"00000024 00000005 {NOSUCH} 02010501 00000000 00000000 00000000 00000000",
        f"00000024 00000000 {NOSUCH} 01020800 01000000 00000000 00000000 00000000",
        "agent_id", id="order-agent-id-before-object-and-system"),
    pytest.param(
        ["--xdi-down"],
        f"00000024 00000000 {NOSUCH} 02010501 00000000 00000000 00000000 00000000",
        f"00000024 00000000 {NOSUCH} 01020800 04000000 00000000 00000000 00000000",
        "object", id="order-object-before-down"),
    pytest.param(
        ["--xdi-down"],
        f"00000024 00000000 {NOSUCH} 02010500 00000000 00000000 00000000 00000000",
        f"00000024 00000000 {NOSUCH} 01020800 06000000 00000000 00000000 00000000",
        "xdi_down", id="order-down-before-system-name"),
    pytest.param(
        [], f"0000002C 00000000 {WIRE['TESTX']} 02010500 00000000 00000000 00000001"
            " 00000008 E2C5C3D9 C5E34040",
        f"00000024 00000000 {WIRE['TESTX']} 01020800 05000000 00000000 00000000 00000000",
        "source_address", id="order-source-address-before-password"),
]


@pytest.mark.parametrize("args, request_hex, reply_hex, check", REJECTS)
def test_server_reject(xdi_server_factory, xdi_agent, args, request_hex,
                       reply_hex, check):
    """Each failing login gets a reject with its code; the connection stays
    open and a corrected login (where one is possible) is accepted with
    agent-ID 1: a reject hands out no ID."""
    srv = xdi_server_factory(args=args)
    a = xdi_agent(server=srv)
    a.send(unhex(request_hex))
    a.expect_bytes(reply_hex)
    j = srv.journal
    j.wait_naccb(request_hex, event="login")
    rec = j.wait_naccb(reply_hex, event="reject")[-1]
    assert rec["check"] == check, rec
    assert rec["error"] == unhex(reply_hex)[20], rec
    a.expect_nothing(within=0.05)
    if "--xdi-down" in args:
        assert a.is_open()
        return
    a.send(unhex(f"0000002C 00000000 {P} 02010500 00000000 00000000 00000001"
                 " 00000008 E2C5C3D9 C5E34040"))
    a.expect_bytes(f"00000024 00000001 {P} 01020700 00000000 00000000 00000000 00000000")
