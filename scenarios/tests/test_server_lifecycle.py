"""The server's life: takeover of a host's session, a graceful stop with
agents connected, and fixture sets it must refuse (FILE:LINE)."""

import json
import re
import signal
import socket

import pytest

from xdi import codec, run_to_exit
from xdi.codec import unhex
from xdi.server import fixture_dir
from xdi.testset import WIRE

A = WIRE["TESTA"]
E = WIRE["TESTE"]
S = WIRE["TESTS"]
P = WIRE["TESTP"]


def login(agent, wire, agent_id, password_hex=None):
    if password_hex:
        agent.send(unhex(f"0000002C 00000000 {wire} 02010500 00000000 00000000"
                         f" 00000001 00000008 {password_hex}"))
    else:
        agent.send(unhex(f"00000024 00000000 {wire} 02010500 00000000 00000000"
                         " 00000000 00000000"))
    agent.expect_bytes(f"00000024 {agent_id:08X} {wire} 01020700 00000000"
                       " 00000000 00000000 00000000")
    agent.agent_id, agent.system = agent_id, unhex(wire)


# ---- takeover ----------------------------------------------------------------------


def test_server_takeover_new_login_wins(xdi_server, xdi_agent):
    """A second login for TESTA: the old connection gets shutdown (its own
    agent-ID 1) and is closed; the new one is accepted with ID 2 and
    works; the journal links the two."""
    old = xdi_agent(name="old")
    login(old, A, 1)
    old.acquire(codec.ACQ_EMS)
    old.expect(codec.RCV_EMS)
    new = xdi_agent(name="new")
    login(new, A, 2)
    old.expect_bytes(f"00000024 00000001 {A} 01020400 00000000 00000000 00000000 00000000")
    old.expect_closed()
    new.acquire(codec.ACQ_SCD)
    new.expect(codec.RCV_SCD, agent_id=2)
    j = xdi_server.journal
    t = j.wait_for(event="takeover")[-1]
    assert (t["conn"], t["by_conn"], t["agent_id"]) == (1, 2, 1)
    assert t["by_peer"] == new.peer
    acc = j.wait_for(event="accept", agent_id=2)[-1]
    assert acc["takeover_of"] == 1
    d = j.wait_for(event="disconnect", conn=1)[-1]
    assert d["cause"] == "requested"


def test_server_takeover_needs_a_valid_login(xdi_server, xdi_agent):
    """A login for TESTP with a wrong password is rejected and does not
    disturb TESTP's live session."""
    live = xdi_agent(name="live")
    login(live, P, 1, "E2C5C3D9 C5E34040")
    intruder = xdi_agent(name="intruder")
    intruder.send(unhex(f"0000002C 00000000 {P} 02010500 00000000 00000000"
                        " 00000001 00000008 D6D7C5D5 40404040"))    # OPEN
    intruder.expect_bytes(f"00000024 00000000 {P} 01020800 05000000 00000000 00000000 00000000")
    live.expect_nothing(within=0.1)
    live.acquire(codec.ACQ_EMS)
    live.expect(codec.RCV_EMS, agent_id=1)
    assert not xdi_server.journal.find(event="takeover")


def test_server_takeover_chain(xdi_server, xdi_agent):
    """Three logins in a row for one host: each earlier session is shut
    down in turn; agent-IDs 1, 2, 3."""
    agents = []
    for i in range(1, 4):
        a = xdi_agent(name="a%d" % i)
        login(a, E, i)
        if agents:
            prev = agents[-1]
            prev.expect_bytes(f"00000024 {i - 1:08X} {E} 01020400 00000000 00000000 00000000 00000000")
            prev.expect_closed()
        agents.append(a)
    assert agents[-1].is_open()


# ---- graceful stop ---------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT],
                         ids=["SIGTERM", "SIGINT"])
def test_server_stop_with_agents_connected(xdi_server_factory, xdi_agent,
                                           sig):
    """Three sessions and one connection without a session.  On the
    signal each session gets shutdown byte for byte; one agent logs out,
    one just closes, one ignores it and is closed when the grace period
    ends; the connection without a session gets no NACCB, and a login on
    it is rejected with 06 (XDI down) while stopping.  The server exits
    0 and its journal is complete: every line JSON, a disconnect for every
    connection, nothing after the last one."""
    srv = xdi_server_factory(args=["--grace", "0.5"])
    polite = xdi_agent(name="logs out")
    login(polite, A, 1)
    rude = xdi_agent(name="closes")
    login(rude, E, 2)
    deaf = xdi_agent(name="ignores")
    login(deaf, S, 3)
    anon = xdi_agent(name="no session")
    peers = {a.name: a.peer for a in (polite, rude, deaf, anon)}
    srv.journal.wait_for(event="connect", count=4)

    srv.send_signal(sig)
    polite.expect_bytes(f"00000024 00000001 {A} 01020400 00000000 00000000 00000000 00000000")
    rude.expect_bytes(f"00000024 00000002 {E} 01020400 00000000 00000000 00000000 00000000")
    deaf.expect_bytes(f"00000024 00000003 {S} 01020400 00000000 00000000 00000000 00000000")
    # A login while the server is stopping is refused as "XDI down" (06).
    z = WIRE["TESTZ"]
    anon.send(unhex(f"00000024 00000000 {z} 02010500 00000000 00000000 00000000 00000000"))
    anon.expect_bytes(f"00000024 00000000 {z} 01020800 06000000 00000000 00000000 00000000")
    polite.send(unhex(f"00000024 00000001 {A} 02010600 00000000 00000000 00000000 00000000"))
    polite.expect_closed()
    rude.close()
    deaf.expect_closed(within=5)      # after the grace period
    anon.expect_closed(within=5)
    assert srv.wait(timeout=10) == 0

    raw = srv.journal_path.read_bytes()
    assert raw.endswith(b"\n")
    recs = [json.loads(line) for line in raw.splitlines()]
    events = [r["event"] for r in recs]
    stop = recs[events.index("stop")]
    assert (stop["connections"], stop["sessions"]) == (4, 3)
    shutdowns = [r for r in recs if r["event"] == "send"
                 and r["key"] == "01020400"]
    assert sorted(r["agent_id"] for r in shutdowns) == [1, 2, 3]
    assert [r["agent_id"] for r in recs if r["event"] == "logout"] == [1]
    causes = {r["peer"]: r["cause"] for r in recs
              if r["event"] == "disconnect"}
    assert causes == {peers["logs out"]: "requested", peers["closes"]: "peer",
                      peers["ignores"]: "server_stop",
                      peers["no session"]: "server_stop"}
    assert events[-1] == "disconnect"
    for r in recs:
        assert "ts" in r and "event" in r


def test_server_stop_with_nobody_connected_is_quick(xdi_server_factory):
    srv = xdi_server_factory(args=["--grace", "30"])
    assert srv.stop(timeout=5) == 0
    assert srv.journal.events()[-1] == "stop"


@pytest.mark.parametrize("option", ["--listen", "--control"])
def test_server_port_in_use_exits_3_and_journals_nothing(tmp_path, option):
    """A port already taken (by the XDI listener, or the control plane's):
    exit 3 with the address and the reason, and no "stop" on stderr or in
    the journal: a server that never served did not stop.  (It wrote a
    stray "stop" line before.)"""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        rc, out, err = run_to_exit(
            fixture_dir("demo"), tmp_path,
            args=[option, "127.0.0.1:%d" % port,
                  "--control-token", "lifecycle-token-0123456789"]
            if option == "--control" else [option, "127.0.0.1:%d" % port])
    assert rc == 3, err
    assert "cannot listen on 127.0.0.1:%d: address already in use" % port \
        in err, err
    assert not re.search(r"\bstop\b", err), err
    journal = tmp_path / "journal.jsonl"
    events = [json.loads(line)["event"] for line in
              journal.read_text().splitlines()] if journal.exists() else []
    assert "stop" not in events, events


# ---- fixture sets that must be refused ------------------------------------------------

BAD_DIR = fixture_dir("bad")
BAD_SETS = sorted(p.name for p in BAD_DIR.iterdir() if p.is_dir()) \
    if BAD_DIR.is_dir() else []


@pytest.mark.parametrize("name", BAD_SETS)
def test_server_bad_fixture_refused_with_file_and_line(tmp_path, name):
    """Every set in fixtures/bad: a non-zero exit, never listening, and an
    error on stderr as FILE:LINE: message, FILE inside the set."""
    d = BAD_DIR / name
    rc, out, err = run_to_exit(d, tmp_path)
    assert rc != 0
    assert "listening on" not in out
    pat = re.compile(r"^(%s/[^:\s]+):(\d+): \S" % re.escape(str(d)), re.M)
    m = pat.search(err)
    assert m, "no FILE:LINE: message on stderr:\n" + err
    assert int(m.group(2)) >= 1
    lines = (d / m.group(1)[len(str(d)) + 1:]).read_text(
        errors="replace").splitlines()
    # A YAML syntax error found at the end of the stream (an unclosed
    # flow sequence) is reported by libyaml at the line after the last one.
    assert int(m.group(2)) <= len(lines) + 1


def test_server_bad_fixture_names_the_exact_line(tmp_path):
    """A set of our own with one bad value on line 7 (KL 21 > 20): the
    message names hosts.yaml:7."""
    d = tmp_path / "fx"
    d.mkdir()
    (d / "hosts.yaml").write_text(
        "hosts:\n"                      # 1
        "  - system: GOOD\n"            # 2
        "    ems:\n"                    # 3
        "      events:\n"               # 4
        '        - key: "HELLO"\n'      # 5
        "          type: message\n"     # 6
        "          kl: 21\n")           # 7
    rc, out, err = run_to_exit(d, tmp_path)
    assert rc == 1, err
    assert "%s:7: " % (d / "hosts.yaml") in err, err
    assert "listening on" not in out


def test_server_bad_fixture_dir_missing(tmp_path):
    rc, out, err = run_to_exit(tmp_path / "does-not-exist", tmp_path)
    assert rc != 0
    assert "does-not-exist" in err
    assert "listening on" not in out


def test_server_good_fixture_of_our_own(xdi_server_factory, xdi_agent,
                                        tmp_path):
    """The same set with a valid KL loads and serves its host: the refusal
    above is about the bad line, not about the file."""
    d = tmp_path / "fx"
    d.mkdir()
    (d / "hosts.yaml").write_text(
        "hosts:\n  - system: GOOD\n    ems:\n      events:\n"
        '        - key: "HELLO"\n          type: message\n          kl: 4\n')
    srv = xdi_server_factory(fixtures=d)
    a = xdi_agent(server=srv)
    a.login("GOOD")
    a.acquire(codec.ACQ_EMS)
    e = codec.evblok_decode(a.expect(codec.RCV_EMS, count=1).objects[0])
    assert (e.kl, e.il, e.key_text()) == (4, 12, "HELL")
