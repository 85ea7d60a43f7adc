"""xdi-agent against the real xdi-server: the session (login, both tables,
logout), message events from a followed file and standard input, and the
exit codes that say why the agent stopped.

The server runs on fixtures/test (see its README.md: TESTA has EMS and SCD,
TESTN neither ready, TESTP a password).  Every wait is for a log line of
the agent or a journal record of the server, with a deadline.
"""

import signal
import socket
import subprocess

import pytest

from agent_proc import run_agent, server_arg, xdi_agent
from xdi.agent import ipv6_loopback

POLL = ["--poll-ms", "20"]


def start_agent(tmp_path, server, system="TESTA", extra=(), **kw):
    args = ["--server", server_arg(server.address), "--system", system,
            "--backoff", "20"] + list(extra)
    return xdi_agent(args, tmp_path / "agent", **kw)


def test_agent_login_acquire_logout_on_sigterm(tmp_path, xdi_server):
    agent = start_agent(tmp_path, xdi_server)
    try:
        agent.wait_line(r"accepted: agent-ID 1$")
        agent.wait_line(r"running: EMS ready \(7 entries\), SCD ready "
                        r"\(2 entries\)")
        j = xdi_server.journal
        login = j.wait_for(event="login")[0]
        # §11.1 step 2: the exact login bytes (hand-written).
        assert login["naccb"] == ("00000024" "00000000" "E3C5E2E3C1404040"
                                  "02010500" "00000000" "00000000"
                                  "00000000" "00000000")
        acq = j.wait_for(event="acquire", count=2)
        assert sorted(r["table"] for r in acq) == ["EMS", "SCD"]
        assert all(r["agent_id"] == 1 and r["available"] for r in acq)
        agent.signal(signal.SIGTERM)
        assert agent.wait() == 0
        logout = j.wait_for(event="logout")[0]
        assert logout["naccb"] == ("00000024" "00000001" "E3C5E2E3C1404040"
                                   "02010600" "00000000" "00000000"
                                   "00000000" "00000000")
        # Nothing the agent sent was a protocol violation.
        assert j.find(event="violation") == []
    finally:
        agent.kill()


def test_agent_followed_file_lines(tmp_path, xdi_server):
    """A matching line is reported (the server's verdict: in_frame), an
    unmatched one is not; rotation and truncation are followed."""
    log = tmp_path / "messages.log"
    log.write_text("IEF450I OLD LINE, BEFORE THE AGENT\n")
    agent = start_agent(tmp_path, xdi_server,
                        extra=["--follow", log] + POLL)
    j = xdi_server.journal
    try:
        agent.wait_line(r"^xdi-agent: running:")
        with open(log, "a") as f:
            f.write("NOPE NOT A KEY\nIEF450I JOB1 ABENDED\n")
        agent.wait_line(r"'NOPE NOT A KEY': unmatched: not sent")
        rec = j.wait_for(event="info", kind="MSG")
        assert rec[0]["text"] == "IEF450I JOB1 ABENDED"
        assert rec[0]["verdict"] == "in_frame"
        assert rec[0]["event_key"] == "IEF450I"

        # Rotation: the file is renamed away and a new one created.
        log.rename(tmp_path / "messages.log.1")
        log.write_text("IEF450I AFTER ROTATION\n")
        j.wait_for(event="info", kind="MSG", text="IEF450I AFTER ROTATION")

        # Truncation: cut to nothing, then written again.
        with open(log, "w") as f:
            f.write("")
        agent.wait_line(r"was truncated")
        with open(log, "a") as f:
            f.write("IEF450I AFTER TRUNCATION\n")
        j.wait_for(event="info", kind="MSG", text="IEF450I AFTER TRUNCATION")

        texts = [r["text"] for r in j.find(event="info", kind="MSG")]
        assert texts == ["IEF450I JOB1 ABENDED", "IEF450I AFTER ROTATION",
                         "IEF450I AFTER TRUNCATION"]
        assert j.find(event="violation") == []
    finally:
        agent.signal(signal.SIGTERM)
        agent.wait()


def test_agent_standard_input_lines(tmp_path, xdi_server):
    agent = start_agent(tmp_path, xdi_server, extra=["--follow", "-"],
                        stdin=subprocess.PIPE)
    try:
        agent.wait_line(r"^xdi-agent: running:")
        agent.proc.stdin.write(b"LONGXYZ matches a 4-byte key\n"
                               b"nothing here\n")
        agent.proc.stdin.flush()
        j = xdi_server.journal
        rec = j.wait_for(event="info", kind="MSG")[0]
        assert rec["text"] == "LONGXYZ matches a 4-byte key"
        assert rec["event_key"] == "LONG"
        agent.wait_line(r"'nothing here': unmatched")
        agent.proc.stdin.close()
        agent.wait_line(r"standard input: end of input")
    finally:
        agent.signal(signal.SIGTERM)
        assert agent.wait() == 0


def test_agent_password_login(tmp_path, xdi_server):
    agent = start_agent(tmp_path, xdi_server, system="TESTP",
                        extra=["--password", "SECRET"])
    try:
        agent.wait_line(r"running: EMS ready \(1 entries\)")
        login = xdi_server.journal.wait_for(event="login")[0]
        assert login["naccb"].endswith("00000001" "00000008"
                                       "E2C5C3D9C5E34040")
    finally:
        agent.signal(signal.SIGINT)
        assert agent.wait() == 0


def test_agent_both_tables_missing_exit_11(tmp_path, xdi_server):
    agent = start_agent(tmp_path, xdi_server, system="TESTN")
    assert agent.wait() == 11
    assert agent.has_line(r"neither EMS nor SCD is available")
    j = xdi_server.journal
    j.wait_for(event="logout")
    assert [r["table"] for r in j.find(event="acquire")] == ["EMS", "SCD"]


def test_agent_one_table_missing_runs(tmp_path, xdi_server):
    """TESTE has EMS only: the agent runs without SCD (step 7)."""
    agent = start_agent(tmp_path, xdi_server, system="TESTE")
    try:
        agent.wait_line(r"SCD not available: running without it")
        agent.wait_line(r"running: EMS ready \(1 entries\), SCD not "
                        r"available")
    finally:
        agent.signal(signal.SIGTERM)
        assert agent.wait() == 0


def test_agent_rejected_exit_12(tmp_path, xdi_server):
    """An unknown system is rejected (09): retried once, then exit 12."""
    agent = start_agent(tmp_path, xdi_server, system="NOSUCH",
                        extra=["--retries", "1"])
    assert agent.wait() == 12
    rejects = xdi_server.journal.wait_for(event="reject", count=2)
    assert all(r["error"] == 9 for r in rejects)
    assert agent.has_line(r"retry 1 of 1 in 20 ms")
    assert agent.has_line(r"giving up after 2 failed attempt")


def test_agent_connection_refused_exit_13(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nobody listens there now
    rc, _, err = run_agent(["--server", "127.0.0.1:%d" % port, "--system",
                            "TESTA", "--retries", "2", "--backoff", "10"])
    assert rc == 13, err
    assert "retry 2 of 2 in 20 ms" in err


def test_agent_host_shutdown_exit_10(tmp_path, xdi_server):
    agent = start_agent(tmp_path, xdi_server)
    agent.wait_line(r"^xdi-agent: running:")
    assert xdi_server.stop() == 0  # shutdown NACCB to every agent
    assert agent.wait() == 10
    assert agent.has_line(r"the host asks for shutdown")
    xdi_server.journal.wait_for(event="logout")


def test_agent_reconnects_after_lost_connection(tmp_path,
                                                xdi_server_factory):
    """The server is killed (no shutdown NACCB); a new one on the same port
    takes the agent's next login."""
    first = xdi_server_factory()
    port = first.address[1]
    agent = start_agent(tmp_path, first, extra=["--retries", "50"])
    try:
        agent.wait_line(r"^xdi-agent: running:")
        first.kill()
        agent.wait_line(r"connection lost")
        second = xdi_server_factory(listen=("127.0.0.1:%d" % port,))
        agent.wait_line(r"accepted: agent-ID 1$")
        agent.wait_line(r"^xdi-agent: running:")
        second.journal.wait_for(event="acquire", count=2)
    finally:
        agent.signal(signal.SIGTERM)
        assert agent.wait() == 0


@pytest.mark.parametrize("args, message", [
    ([], "--server HOST:PORT is required"),
    (["--server", "x:1"], "--system NAME is required"),
    (["--server", "x:1", "--system", "NINECHARS"], "not 1 to 8"),
    (["--server", "nocolon", "--system", "A"], "HOST:PORT"),
    (["--server", "x:1", "--system", "A", "--allow", "a["],
     "bad --allow expression"),
    (["--server", "x:1", "--system", "A", "--codepage", "42"],
     "unknown code page"),
    (["--server", "x:1", "--system", "A", "--retries", "-1"], "--retries"),
])
def test_agent_usage_exit_2(args, message):
    rc, _, err = run_agent(args)
    assert rc == 2
    assert message in err


def test_agent_help_exit_0():
    rc, out, _ = run_agent(["--help"])
    assert rc == 0
    assert out.startswith("Usage: xdi-agent --server HOST:PORT --system NAME")
    for opt in ("--follow", "--jobs", "--allow", "--simulate", "--codepage",
                "--retries", "--password", "--holidays"):
        assert opt in out


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback")
def test_agent_ipv6(tmp_path, xdi_server_factory):
    """TEST6 accepts logins from ::1 only (fixtures/test README)."""
    server = xdi_server_factory(listen=("[::1]:0",))
    agent = start_agent(tmp_path, server, system="TEST6")
    try:
        agent.wait_line(r"running: EMS ready \(1 entries\)")
        assert server.journal.wait_for(event="login")[0]["peer"].startswith(
            "[::1]:")
    finally:
        agent.signal(signal.SIGTERM)
        assert agent.wait() == 0


def test_agent_signal_while_waiting_to_retry(tmp_path):
    """No session to log out of: a signal during the backoff stops at
    once with 0."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    agent = xdi_agent(["--server", "127.0.0.1:%d" % port, "--system",
                       "TESTA", "--retries", "9", "--backoff", "60000"],
                      tmp_path / "agent")
    agent.wait_line(r"retry 1 of 9 in 60000 ms")
    agent.signal(signal.SIGTERM)
    assert agent.wait(within=5) == 0
