"""The seed's interaction steps (1)-(14), from the agent's side, against
the real xdi-server on fixtures/test (docs/protocol.md §11).

Replies are checked byte for byte against hex written by hand from the
notes where the bytes are fixed; tables are checked entry by entry through
libnaccb's validators (test_server_golden.py has them byte for byte).
"""

import datetime

import pytest

from xdi import codec
from xdi.agent import ipv6_loopback
from xdi.codec import unhex
from xdi.faketime import faketime_env, faketime_library
from xdi.testset import TESTA_EVENTS, TESTA_JOBS, WIRE

A = WIRE["TESTA"]
P = WIRE["TESTP"]


needs_ipv6 = pytest.mark.skipif(not ipv6_loopback(),
                                reason="no IPv6 loopback on this machine")


def login_hex(wire, agent_id=0):
    return (f"00000024 {agent_id:08X} {wire} 02010500 00000000 00000000"
            " 00000000 00000000")


def accept_hex(wire, agent_id):
    return (f"00000024 {agent_id:08X} {wire} 01020700 00000000 00000000"
            " 00000000 00000000")


def logged_in(agent, host, agent_id):
    """Login on a fresh server, checking the accept byte for byte."""
    agent.send(unhex(login_hex(WIRE[host])))
    agent.expect_bytes(accept_hex(WIRE[host], agent_id))
    agent.agent_id, agent.system = agent_id, unhex(WIRE[host])


# ---- (1) connect over IPv4 and IPv6 --------------------------------------------


@needs_ipv6
def test_server_step01_connect_ipv4_and_ipv6(xdi_server_factory, xdi_agent):
    """One server, two listeners: each prints its own listening line, and
    agents log in over both; the journal's peer is the agent's address."""
    srv = xdi_server_factory(listen=["127.0.0.1:0", "[::1]:0"])
    assert srv.addresses[0][0] == "127.0.0.1"
    assert srv.addresses[1][0] == "::1"
    assert srv.addresses[0][1] != 0 and srv.addresses[1][1] != 0
    v4 = xdi_agent(server=srv, address=srv.addresses[0])
    v6 = xdi_agent(server=srv, address=srv.addresses[1])
    logged_in(v4, "TESTA", 1)
    logged_in(v6, "TESTE", 2)
    host4, port4 = v4.sock.getsockname()[:2]
    host6, port6 = v6.sock.getsockname()[:2]
    j = srv.journal
    j.wait_for(event="connect", peer=f"{host4}:{port4}")
    j.wait_for(event="connect", peer=f"[{host6}]:{port6}")
    j.wait_for(event="accept", peer=f"[{host6}]:{port6}", agent_id=2,
               system="TESTE")


@needs_ipv6
def test_server_step01_ipv6_only_host(xdi_server_factory, xdi_agent):
    """TEST6 allows ::1 only: accepted over IPv6 (and refused over IPv4 in
    test_server_errors)."""
    srv = xdi_server_factory(listen=["[::1]:0"])
    a = xdi_agent(server=srv)
    logged_in(a, "TEST6", 1)


# ---- (2) login, rejected, corrected and retried ---------------------------------


def test_server_step02_corrected_login_is_accepted(xdi_server, xdi_agent):
    """A wrong password is rejected (05), the connection stays, and the
    same agent logs in with the right one."""
    a = xdi_agent()
    a.send(unhex(f"0000002C 00000000 {P} 02010500 00000000 00000000 00000001"
                 " 00000008 E2C5C3D9 C5E3F140"))  # SECRET1
    a.expect_bytes(f"00000024 00000000 {P} 01020800 05000000 00000000 00000000 00000000")
    a.send(unhex(f"0000002C 00000000 {P} 02010500 00000000 00000000 00000001"
                 " 00000008 E2C5C3D9 C5E34040"))  # SECRET
    a.expect_bytes(accept_hex(P, 1))


@pytest.mark.xdi_server(args=["--xdi-down"])
def test_server_step02_login_fails_while_xdi_down(xdi_server, xdi_agent):
    a = xdi_agent()
    for _ in range(2):  # and keeps failing: the connection stays open
        a.send(unhex(login_hex(A)))
        a.expect_bytes(f"00000024 00000000 {A} 01020800 06000000 00000000 00000000 00000000")
    assert a.is_open()


# ---- (3) accept and agent-IDs -----------------------------------------------------


def test_server_step03_agent_ids_sequential_never_reused(xdi_server,
                                                         xdi_agent):
    """IDs 1, 2, 3 for three hosts; after a logout, the same host gets a
    new ID (4), never an old one."""
    agents = []
    for i, host in enumerate(["TESTA", "TESTE", "TESTS"], start=1):
        a = xdi_agent(name=host)
        logged_in(a, host, i)
        agents.append(a)
    agents[0].send(unhex(f"00000024 00000001 {A} 02010600 00000000 00000000 00000000 00000000"))
    agents[0].expect_closed()
    again = xdi_agent(name="TESTA again")
    logged_in(again, "TESTA", 4)
    recs = xdi_server.journal.wait_for(event="accept", count=4)
    assert [r["agent_id"] for r in recs] == [1, 2, 3, 4]


def test_server_step03_random_agent_ids(xdi_server_factory, xdi_agent):
    """--random-ids: non-zero, distinct, not the sequence 1, 2, 3, and the
    journal records the ID the agent was given."""
    srv = xdi_server_factory(args=["--random-ids", "--seed", "12345"])
    ids = []
    for host in ["TESTA", "TESTE", "TESTS"]:
        a = xdi_agent(server=srv, name=host)
        acc = a.login(host)
        ids.append(acc.agent_id)
        # The session's NACCBs must carry that ID: an acquire is answered.
        a.acquire(codec.ACQ_EMS if host != "TESTS" else codec.ACQ_SCD)
        a.expect(codec.RCV_EMS if host != "TESTS" else codec.RCV_SCD,
                 agent_id=acc.agent_id)
    assert 0 not in ids
    assert len(set(ids)) == 3
    assert ids != [1, 2, 3]
    recs = srv.journal.wait_for(event="accept", count=3)
    assert [r["agent_id"] for r in recs] == ids


# ---- (4)-(7) acquire the tables ----------------------------------------------------


def test_server_step04_06_receive_ems_whole_table(xdi_server, xdi_agent):
    """TESTA's EMS table: one NACCB, 7 EVBLOKs of 230 bytes in fixture
    order, each valid, each naming TESTA, with its key and event type."""
    a = xdi_agent()
    logged_in(a, "TESTA", 1)
    a.send(unhex(f"00000024 00000001 {A} 02010901 00000000 00000000 00000000 00000000"))
    got = a.expect(codec.RCV_EMS, error=0, agent_id=1, system=unhex(A),
                   count=7, size=230)
    assert got.raw[:36] == unhex(
        f"0000066E 00000001 {A} 01020201 00000000 00000000 00000007 000000E6")
    for obj, (key, et) in zip(got.objects, TESTA_EVENTS):
        e = codec.evblok_decode(obj)
        assert codec.evblok_validate(e) == 0, key
        assert e.system() == "TESTA"
        assert e.key_text() == key
        assert e.event_type == et
        assert e.il == 8 + e.kl
    xdi_server.journal.wait_for(event="send", key="01020201", count=1,
                                body_len=7 * 230)


def test_server_step05_07_receive_scd_whole_table(xdi_server, xdi_agent):
    """TESTA's SCD table: 2 EOTINFOs, valid table entries, status zero."""
    a = xdi_agent()
    logged_in(a, "TESTA", 1)
    a.send(unhex(f"00000024 00000001 {A} 02010902 00000000 00000000 00000000 00000000"))
    got = a.expect(codec.RCV_SCD, error=0, agent_id=1, count=2, size=162)
    assert got.raw[:36] == unhex(
        f"00000168 00000001 {A} 01020202 00000000 00000000 00000002 000000A2")
    for obj, job in zip(got.objects, TESTA_JOBS):
        e = codec.eotinfo_decode(obj)
        assert codec.eotinfo_validate(e, codec.EOTINFO_TABLE_ENTRY) == 0, job
        assert e.job() == job and e.system() == "TESTA"
        assert (e.step_number, e.scc, e.ucc, e.max_cc) == (0, 0, 0, 0)
        assert bytes(e.notes) == bytes(4)


def test_server_step04_05_either_order_any_number_of_times(xdi_server,
                                                           xdi_agent):
    """SCD before EMS, each twice: the same bytes every time."""
    a = xdi_agent()
    logged_in(a, "TESTA", 1)
    seen = {}
    for key, reply in [(codec.ACQ_SCD, codec.RCV_SCD),
                       (codec.ACQ_EMS, codec.RCV_EMS),
                       (codec.ACQ_SCD, codec.RCV_SCD),
                       (codec.ACQ_EMS, codec.RCV_EMS)]:
        a.acquire(key)
        got = a.expect(reply)
        assert seen.setdefault(reply, got.raw) == got.raw


def test_server_step04_raw_tables_served_byte_for_byte(xdi_server, xdi_agent,
                                                       xdi_test_fixtures):
    """TESTR's tables are raw binary files: the objects are the file."""
    ems = (xdi_test_fixtures / "raw" / "testr.ems").read_bytes()
    scd = (xdi_test_fixtures / "raw" / "testr.scd").read_bytes()
    a = xdi_agent()
    logged_in(a, "TESTR", 1)
    a.acquire(codec.ACQ_EMS)
    got = a.expect(codec.RCV_EMS, count=len(ems) // 230)
    assert got.raw[36:] == ems
    a.acquire(codec.ACQ_SCD)
    got = a.expect(codec.RCV_SCD, count=len(scd) // 162)
    assert got.raw[36:] == scd


def test_server_step06_runs_without_ems(xdi_server, xdi_agent):
    """TESTS has SCD only: no-EMS, then its SCD, and EOT events work."""
    s = WIRE["TESTS"]
    a = xdi_agent()
    logged_in(a, "TESTS", 1)
    a.send(unhex(f"00000024 00000001 {s} 02010901 00000000 00000000 00000000 00000000"))
    a.expect_bytes(f"00000024 00000001 {s} 01020B01 08000000 00000000 00000000 00000000")
    a.acquire(codec.ACQ_SCD)
    entry = codec.eotinfo_decode(a.expect(codec.RCV_SCD, count=1).objects[0])
    assert entry.job() == "PAYFIX" and entry.flag2 & 0xF0 == 0xA0
    rep = codec.eotinfo_report(entry, "SINR", step_number=1)
    a.send(a.naccb(codec.INFO_EOT, objects=[codec.eotinfo_encode(rep)]))
    rec = xdi_server.journal.wait_for(event="info", kind="EOT")[-1]
    assert rec["verdict"] == "ok", rec
    a.expect_nothing(within=0.1)


def test_server_step07_neither_table_then_agent_shuts_down(xdi_server,
                                                           xdi_agent):
    """TESTN: no-EMS and no-SCD; the agent then logs out (it shuts down
    itself) and the server closes the connection."""
    n = WIRE["TESTN"]
    a = xdi_agent()
    logged_in(a, "TESTN", 1)
    a.send_together(
        unhex(f"00000024 00000001 {n} 02010901 00000000 00000000 00000000 00000000"),
        unhex(f"00000024 00000001 {n} 02010902 00000000 00000000 00000000 00000000"))
    a.expect_bytes(f"00000024 00000001 {n} 01020B01 08000000 00000000 00000000 00000000")
    a.expect_bytes(f"00000024 00000001 {n} 01020B02 08000000 00000000 00000000 00000000")
    a.send(unhex(f"00000024 00000001 {n} 02010600 00000000 00000000 00000000 00000000"))
    a.expect_closed()


# ---- (8)-(10), (12): events ----------------------------------------------------------


def acquired_testa(agent):
    logged_in(agent, "TESTA", 1)
    agent.acquire(codec.ACQ_EMS)
    agent.expect(codec.RCV_EMS)
    agent.acquire(codec.ACQ_SCD)
    agent.expect(codec.RCV_SCD)


def text(s):
    return codec.encode_text(s)


def test_server_step08_events_count_only_once_table_is_sent(xdi_server,
                                                            xdi_agent):
    """The same message before and after EMS was sent: error 05 with
    verdict table_not_sent, then accepted silently."""
    a = xdi_agent()
    logged_in(a, "TESTA", 1)
    msg = a.naccb(codec.INFO_MSG, objects=[text("IEF450I JOB1 ABEND")])
    a.send(msg)
    a.expect(codec.error_key(3), error=5)
    a.acquire(codec.ACQ_EMS)
    a.expect(codec.RCV_EMS)
    a.send(msg)
    a.expect_nothing(within=0.2)
    verdicts = [r["verdict"] for r in
                xdi_server.journal.wait_for(event="info", count=2)]
    assert verdicts == ["table_not_sent", "in_frame"]


def test_server_step09_nothing_unsolicited_while_idle(xdi_server, xdi_agent):
    a = xdi_agent()
    acquired_testa(a)
    a.expect_nothing(within=0.3)
    assert a.is_open()


# (key, object text, verdict, evblok index): the matching rules of §8.
EVENTS = [
    pytest.param(codec.INFO_MSG, "IEF450I PAYROLL1 ABENDED", "in_frame", 1,
                 id="message-key-prefix"),
    pytest.param(codec.INFO_CMD, "KILL JOKO", "in_frame", 0,
                 id="command-kill"),
    pytest.param(codec.INFO_EOJ, "PAYROLL1", "in_frame", 4,
                 id="eoj-object-05-matches-et-06"),
    pytest.param(codec.INFO_EOS, "PAYROLL1STEP2", "in_frame", 5,
                 id="eos-object-06-matches-et-05"),
    pytest.param(codec.INFO_MSG, "LONGWAY", "in_frame", 6,
                 id="only-kl-bytes-of-the-key-count"),
]


@pytest.mark.parametrize("key, event_text, verdict, index", EVENTS)
def test_server_step10_event_reported(xdi_server, xdi_agent, key, event_text,
                                      verdict, index):
    """A matching event is journalled with its EVBLOK and never
    acknowledged (exec actions are checked in step 11)."""
    a = xdi_agent()
    acquired_testa(a)
    a.send(a.naccb(key, objects=[text(event_text)]))
    rec = xdi_server.journal.wait_for(event="info")[-1]
    assert rec["verdict"] == verdict, rec
    assert rec["evblok"] == index
    assert rec["text"] == event_text
    assert rec["object"].lower() == text(event_text).hex()
    if key != codec.INFO_CMD:  # KILL has an action (step 11)
        a.expect_nothing(within=0.2)


def test_server_step10_out_of_frame_is_journalled_only(xdi_server, xdi_agent):
    """HOLI is in frame on holidays only: on any other day it matches but
    is out of frame: journalled, no error (docs/protocol.md §8)."""
    today = datetime.date.today()
    holiday = today in (datetime.date(2026, 12, 25), datetime.date(2027, 1, 1))
    a = xdi_agent()
    acquired_testa(a)
    a.send(a.naccb(codec.INFO_MSG, objects=[text("HOLIDAY CHECK")]))
    rec = xdi_server.journal.wait_for(event="info")[-1]
    assert rec["verdict"] == ("in_frame" if holiday else "out_of_frame")
    assert rec["evblok"] == 3
    a.expect_nothing(within=0.2)
    assert not xdi_server.journal.find(event="violation")


# BUSY: 2026-11-02 .. 2026-11-30, 08:30:00 .. 17:00:00, weekdays, not on
# holidays.  The server runs under libfaketime at 1/100 speed, so the
# clock stays within the second the test names.
FRAME = [
    ("2026-11-23 08:30:00", "in_frame"),      # Monday, start inclusive
    ("2026-11-23 08:29:59", "out_of_frame"),  # a second early
    ("2026-11-23 17:00:00", "in_frame"),      # end inclusive
    ("2026-11-23 17:00:01", "out_of_frame"),
    ("2026-11-30 12:00:00", "in_frame"),      # EDATE inclusive
    ("2026-12-01 12:00:00", "out_of_frame"),  # Tuesday after EDATE
    ("2026-11-21 12:00:00", "out_of_frame"),  # Saturday
]


@pytest.mark.skipif(faketime_library() is None,
                    reason="libfaketime is not installed")
@pytest.mark.parametrize("when, verdict", FRAME, ids=[f[0] for f in FRAME])
def test_server_step10_time_frame(xdi_server_factory, xdi_agent, when,
                                  verdict):
    srv = xdi_server_factory(env=faketime_env(when))
    a = xdi_agent(server=srv)
    acquired_testa(a)
    a.send(a.naccb(codec.INFO_MSG, objects=[text("BUSY")]))
    rec = srv.journal.wait_for(event="info")[-1]
    assert rec["ts"].startswith(when.replace(" ", "T")), rec["ts"]
    assert rec["verdict"] == verdict, rec
    a.expect_nothing(within=0.1)


def test_server_step12_event_loop(xdi_server, xdi_agent):
    """Twenty events in a row get no reply; the session goes on: the next
    thing received is the answer to a later acquire."""
    a = xdi_agent()
    acquired_testa(a)
    for i in range(20):
        a.send(a.naccb(codec.INFO_MSG,
                       objects=[text("IEF450I JOB%02d" % i)]))
    a.acquire(codec.ACQ_SCD)
    a.expect(codec.RCV_SCD)
    assert len(xdi_server.journal.wait_for(event="info", count=20)) == 20


def test_server_agent_error_is_journalled_never_answered(xdi_server,
                                                         xdi_agent):
    """docs/protocol.md A11: the agent reports it could not run a command
    (02010B04, error 04, text "NOT ALLOWED")."""
    a = xdi_agent()
    acquired_testa(a)
    req = (f"0000002F 00000001 {A} 02010B04 04000000 00000000 00000001"
           " 0000000B D5D6E340 C1D3D3D6 E6C5C4")
    a.send(unhex(req))
    rec = xdi_server.journal.wait_naccb(req, event="agent_error")[-1]
    assert rec["error"] == 4 and rec["object"] == 4
    assert rec["text"] == "NOT ALLOWED"
    a.expect_nothing(within=0.2)


# ---- (11) requests from the host -----------------------------------------------------


def eot_hex(system, flag2, job_id, job, step, step_number, codes, notes):
    """An EOTINFO report, hand-written fields (§9): work areas and
    flag1 zero, proc-step blank, reserved zero."""
    return ("00" * 80 + "00" + flag2 + "00" * 24 + job_id + system + job
            + step + "40" * 8 + step_number + codes + notes + "00000000")


EOT_INFO_HEAD = "000000C6 00000001 {} 02010A07 00000000 00000000 00000001 000000A2"
PAYROLL1 = "D7C1E8D9 D6D3D3F1"
PAYROLL2 = "D7C1E8D9 D6D3D3F2"
BLANK8 = "40404040 40404040"


def payroll1_eoj(max_cc):
    """PAYROLL1 ended normally (J I N R) with this max CC."""
    return unhex(EOT_INFO_HEAD.format(A) + eot_hex(
        A, "80", BLANK8, PAYROLL1, BLANK8, "0000",
        "0000 0000 %04X" % max_cc, "D1C9D5D9"))


def test_server_step11_exec_command_from_verb_substitution(xdi_server,
                                                           xdi_agent):
    """docs/protocol.md §7 worked example, on TESTA: KILL JOKO makes
    the host send exec command CANCEL U=JOKO to the reporting agent."""
    a = xdi_agent()
    acquired_testa(a)
    a.send(unhex(f"0000002D 00000001 {A} 02010A04 00000000 00000000 00000001"
                 " 00000009 D2C9D3D3 40D1D6D2 D6"))
    a.expect_bytes(f"00000031 00000001 {A} 01020104 00000000 00000000 00000001"
                   " 0000000D C3C1D5C3 C5D340E4 7ED1D6D2 D6")
    rec = xdi_server.journal.wait_for(event="action")[-1]
    assert rec["outcome"] == "sent" and rec["command"] == "CANCEL U=JOKO"
    a.expect_nothing(within=0.1)


def test_server_step11_argument_blanks_trimmed(xdi_server, xdi_agent):
    """Leading and trailing blanks of the argument are removed (section 8)."""
    a = xdi_agent()
    acquired_testa(a)
    a.send(a.naccb(codec.INFO_CMD, objects=[text("KILL   JOKO  ")]))
    a.expect_bytes(f"00000031 00000001 {A} 01020104 00000000 00000000 00000001"
                   " 0000000D C3C1D5C3 C5D340E4 7ED1D6D2 D6")


def test_server_step11_command_over_128_bytes_not_sent(xdi_server,
                                                       xdi_agent):
    """KILL with a 123-byte argument: CANCEL U= plus it is 132 bytes; the
    command is journalled and never sent (never truncated)."""
    a = xdi_agent()
    acquired_testa(a)
    a.send(a.naccb(codec.INFO_CMD, objects=[text("KILL " + "J" * 123)]))
    rec = xdi_server.journal.wait_for(event="action")[-1]
    assert rec["outcome"] == "too_long" and rec["length"] == 132
    a.expect_nothing(within=0.2)


def test_server_step11_exec_command_to_the_target_host(xdi_server,
                                                       xdi_agent):
    """IEF450I on TESTA has the action "D A,L" for TESTE: TESTE's agent gets
    the exec command (with its own agent-ID), TESTA's gets nothing."""
    e = WIRE["TESTE"]
    a = xdi_agent(name="TESTA")
    acquired_testa(a)
    t = xdi_agent(name="TESTE")
    logged_in(t, "TESTE", 2)
    a.send(a.naccb(codec.INFO_MSG, objects=[text("IEF450I PAYROLL1 ABEND")]))
    t.expect_bytes(f"00000029 00000002 {e} 01020104 00000000 00000000 00000001"
                   " 00000005 C440C16B D3")
    a.expect_nothing(within=0.1)


def test_server_step11_action_for_a_host_not_logged_in_is_dropped(
        xdi_server, xdi_agent):
    a = xdi_agent()
    acquired_testa(a)
    a.send(a.naccb(codec.INFO_MSG, objects=[text("IEF450I PAYROLL1 ABEND")]))
    rec = xdi_server.journal.wait_for(event="action")[-1]
    assert rec["outcome"] == "target_not_connected" and rec["target"] == "TESTE"
    t = xdi_agent(name="TESTE")
    logged_in(t, "TESTE", 2)
    t.expect_nothing(within=0.2)


def test_server_step11_exec_job_from_trigger(xdi_server, xdi_agent):
    """PAYROLL1 ends with max CC 4 (<= 4): its trigger runs PAYROLL2 on
    TESTA, the reporting host."""
    a = xdi_agent()
    acquired_testa(a)
    a.send(payroll1_eoj(4))
    a.expect_bytes(f"0000002C 00000001 {A} 01020108 00000000 00000000 00000001"
                   f" 00000008 {PAYROLL2}")
    rec = xdi_server.journal.wait_for(event="trigger")[-1]
    assert rec["outcome"] == "sent" and rec["run_job"] == "PAYROLL2"


def test_server_step11_trigger_condition_not_met(xdi_server, xdi_agent):
    """Max CC 8 > 4: no exec job, journalled as not met."""
    a = xdi_agent()
    acquired_testa(a)
    a.send(payroll1_eoj(8))
    rec = xdi_server.journal.wait_for(event="trigger")[-1]
    assert rec["outcome"] == "not_met" and rec["value"] == 8
    a.expect_nothing(within=0.2)


def test_server_step11_trigger_held_until_target_logs_in(xdi_server,
                                                         xdi_agent):
    """PAYROLL2 step STEP2 abends (S I A R): its trigger runs PAYFIX on
    TESTS, which is not logged in: held, and sent after TESTS's accept."""
    s = WIRE["TESTS"]
    a = xdi_agent(name="TESTA")
    acquired_testa(a)
    a.send(unhex(EOT_INFO_HEAD.format(A) + eot_hex(
        A, "C0", "D1D6C2F0 F0F0F0F2", PAYROLL2, "E2E3C5D7 F2404040", "0002",
        "00C4 0000 0000", "E2C9C1D9")))
    rec = xdi_server.journal.wait_for(event="trigger")[-1]
    assert rec["outcome"] == "held" and rec["run_job"] == "PAYFIX"
    a.expect_nothing(within=0.1)
    t = xdi_agent(name="TESTS")
    logged_in(t, "TESTS", 2)
    t.expect_bytes(f"0000002C 00000002 {s} 01020108 00000000 00000000 00000001"
                   " 00000008 D7C1E8C6 C9E74040")


# ---- (13) logout, (14) shutdown ---------------------------------------------------------


def test_server_step13_logout_closes_and_frees_the_host(xdi_server,
                                                        xdi_agent):
    a = xdi_agent()
    acquired_testa(a)
    req = f"00000024 00000001 {A} 02010600 00000000 00000000 00000000 00000000"
    a.send(unhex(req))
    a.expect_closed()
    j = xdi_server.journal
    j.wait_naccb(req, event="logout", agent_id=1, system="TESTA")
    rec = j.wait_for(event="disconnect", conn=1)[-1]
    assert rec["cause"] == "requested" and rec["received"] == 4
    b = xdi_agent()
    logged_in(b, "TESTA", 2)
    assert not j.find(event="takeover")


def test_server_step14_shutdown_then_logout(xdi_server_factory, xdi_agent):
    """SIGTERM: the agent gets shutdown (byte for byte), logs out and
    closes as step (13)/(14) say; the server then exits 0 without waiting
    out its (long) grace period."""
    srv = xdi_server_factory(args=["--grace", "30"])
    a = xdi_agent(server=srv)
    acquired_testa(a)
    srv.send_signal(15)
    a.expect_bytes(f"00000024 00000001 {A} 01020400 00000000 00000000 00000000 00000000")
    a.send(unhex(f"00000024 00000001 {A} 02010600 00000000 00000000 00000000 00000000"))
    a.expect_closed()
    a.close()
    assert srv.wait(timeout=10) == 0
    events = srv.journal.events()
    assert events.index("stop") < events.index("logout")
    assert events[-1] == "disconnect"
