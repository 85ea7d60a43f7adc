"""xdi-agent's requests and job events against the real xdi-server: exec
job runs a script of a jobs directory and its end becomes EOJ/EOS texts
and EOTINFO reports, which the server checks; exec command and its
allow-list; the deterministic simulation script.

The server on fixtures/test does not send exec job / exec command by
itself yet, so the tests put them on the wire through an InjectingProxy
(xdi.proxy) between the agent and the server: what the agent answers
still goes to, and is judged by, the real server.
"""

import os
import signal

import pytest

from agent_proc import server_arg, xdi_agent
from xdi import codec
from xdi.faketime import faketime_env, faketime_library
from xdi.proxy import InjectingProxy

# PAYROLL1 (TESTA's SCD entry 0, flag2 job name; EMS keys PAYROLL1 for EOJ
# and PAYROLL1STEP2 for EOS): two steps on the side channel, exit 2.
PAYROLL1 = """#!/bin/sh
echo "payroll running" >&2
echo "STEP STEP1 0" >&"$XDI_STEP_FD"
echo "STEP STEP2 4" >&"$XDI_STEP_FD"
exit 2
"""


@pytest.fixture
def proxy(xdi_server):
    p = InjectingProxy(xdi_server.address)
    yield p
    p.close()


def job_agent(tmp_path, proxy, extra=()):
    jobs = tmp_path / "jobs"
    jobs.mkdir(exist_ok=True)
    script = jobs / "PAYROLL1"
    script.write_text(PAYROLL1)
    script.chmod(0o755)
    agent = xdi_agent(["--server", server_arg(proxy.address), "--system",
                       "TESTA", "--jobs", jobs] + list(extra),
                      tmp_path / "agent")
    agent.wait_line(r"^xdi-agent: running:")
    assert proxy.accepted.wait(5)
    return agent


def stop(agent):
    agent.signal(signal.SIGTERM)
    assert agent.wait() == 0


def test_agent_exec_job_reports_eos_eoj_and_eotinfo(tmp_path, xdi_server,
                                                     proxy):
    agent = job_agent(tmp_path, proxy)
    j = xdi_server.journal
    try:
        proxy.exec_job("TESTA", codec.field("PAYROLL1"))
        agent.wait_line(r"job PAYROLL1 started \(pid \d+\)")
        # The EOS of STEP2 matches EMS key PAYROLL1STEP2 (ET 05); EOJ
        # matches PAYROLL1 (ET 06).
        eos = j.wait_for(event="info", kind="EOS")
        # The EOS text is job name + step name, 8 bytes each (§5).
        assert [r["text"] for r in eos] == ["PAYROLL1STEP2   "]
        assert eos[0]["verdict"] == "in_frame"
        eoj = j.wait_for(event="info", kind="EOJ")[0]
        assert eoj["text"] == "PAYROLL1"
        assert eoj["verdict"] == "in_frame"
        # One EOTINFO per step and one for the EOJ: entry 0 (job name
        # only) matches them all; each a copy with the status fields.
        eots = j.wait_for(event="info", kind="EOT", count=3)
        assert all(r["verdict"] == "ok" and r["entry"] == 0 for r in eots)
        got = [(r["eotinfo"]["notes"], r["eotinfo"]["step_name"],
                r["eotinfo"]["step_number"], r["eotinfo"]["ucc"],
                r["eotinfo"]["max_cc"], r["eotinfo"]["scc"],
                r["eotinfo"]["flag2"]) for r in eots]
        assert got == [("S NR", "STEP1", 1, 0, 0, 0, 0x80),
                       ("S NR", "STEP2", 2, 4, 4, 0, 0x80),
                       ("J NR", "", 0, 2, 4, 0, 0x80)]
        assert j.find(event="violation") == []
        assert agent.has_line(r"payroll running")
    finally:
        stop(agent)


def test_agent_exec_job_killed_is_abend(tmp_path, xdi_server, proxy):
    agent = job_agent(tmp_path, proxy)
    jobs = tmp_path / "jobs"
    (jobs / "PAYROLL1").write_text("#!/bin/sh\nkill -KILL $$\n")
    try:
        proxy.exec_job("TESTA", codec.field("PAYROLL1"))
        eot = xdi_server.journal.wait_for(event="info", kind="EOT")[0]
        assert eot["eotinfo"]["notes"] == "J AR"
        assert eot["eotinfo"]["scc"] == 9
    finally:
        stop(agent)


def test_agent_exec_job_missing_and_invalid(tmp_path, xdi_server, proxy):
    """No such job: agent error 02010B08 / 05.  A name that is not
    [A-Z0-9$#@]{1,8} ("../sh" here) never reaches the file system."""
    agent = job_agent(tmp_path, proxy)
    j = xdi_server.journal
    try:
        proxy.exec_job("TESTA", codec.field("NOSUCH"))
        err = j.wait_for(event="agent_error")[0]
        assert err["key"] == "02010B08"
        assert err["error"] == 5
        assert err["text"] == "no such job in the jobs directory"
        proxy.exec_job("TESTA", codec.field("../sh"))
        err = j.wait_for(event="agent_error", count=2)[1]
        assert (err["error"], err["text"]) == (5, "invalid job name")
        assert not agent.has_line(r"job .* started")
    finally:
        stop(agent)


def test_agent_exec_command_allow_list(tmp_path, xdi_server, proxy):
    """With --allow, a matching command runs (no shell: the '$HOME' stays
    literal); another is refused with 02010B04 / 04."""
    agent = job_agent(tmp_path, proxy,
                      extra=["--allow", "echo [A-Za-z$ ]+"])
    j = xdi_server.journal
    try:
        proxy.exec_command("TESTA", "echo hello $HOME")
        # echo writes before it exits, and the agent logs the exit after:
        # once that line is there, echo's own output is too (its order
        # with the "started" line is the scheduler's business).
        agent.wait_line(r"command 'echo hello \$HOME' exited with status 0")
        assert agent.has_line(r"command 'echo hello \$HOME' started")
        assert agent.has_line(r"^hello \$HOME$")  # no shell expanded it
        proxy.exec_command("TESTA", "rm -rf /tmp/nothing")
        err = j.wait_for(event="agent_error")[0]
        assert err["key"] == "02010B04"
        assert err["error"] == 4
        assert err["text"] == "command does not match the allow-list"
        agent.wait_line(r"exec command refused")
    finally:
        stop(agent)


def test_agent_exec_command_default_is_event_only(tmp_path, xdi_server,
                                                  proxy):
    """No --allow: nothing runs; KILL JOKO is a command event (TESTA's
    KILL key, ET 02) that the server takes in frame."""
    agent = job_agent(tmp_path, proxy)
    j = xdi_server.journal
    try:
        proxy.exec_command("TESTA", "KILL JOKO")
        rec = j.wait_for(event="info", kind="CMD")[0]
        assert rec["text"] == "KILL JOKO"
        assert rec["verdict"] == "in_frame"
        assert j.find(event="agent_error") == []
        assert not agent.has_line(r"command .* started")
    finally:
        stop(agent)


SCRIPT = """# same instant: batched by length
+0 msg IEF450I A
+0 msg IEF450I B
+0 msg IEF450I LONGER
+0 msg NOT MATCHED
+0.05 eos PAYROLL1 STEP2 rc=4
+0 eoj PAYROLL1
+0.05 shutdown
"""


def test_agent_simulation_script(tmp_path, xdi_server):
    script = tmp_path / "events.sim"
    script.write_text(SCRIPT)
    agent = xdi_agent(["--server", server_arg(xdi_server.address),
                       "--system", "TESTA", "--simulate", script],
                      tmp_path / "agent")
    assert agent.wait() == 0  # the script's shutdown
    j = xdi_server.journal
    msgs = j.wait_for(event="info", kind="MSG", count=3)
    # The two 9-byte texts share one NACCB (count 2), the longer one has
    # its own; the unmatched text was not sent.
    assert [(r["text"], r["count"]) for r in msgs] == [
        ("IEF450I A", 2), ("IEF450I B", 2), ("IEF450I LONGER", 1)]
    assert msgs[0]["seq"] == msgs[1]["seq"] != msgs[2]["seq"]
    eots = j.find(event="info", kind="EOT")
    assert [r["eotinfo"]["notes"] for r in eots] == ["S NR", "J NR"]
    assert eots[1]["eotinfo"]["max_cc"] == 4
    assert [r["text"] for r in j.find(event="info", kind="EOS")] == [
        "PAYROLL1STEP2   "]
    j.wait_for(event="logout")
    assert j.find(event="violation") == []
    assert agent.has_line(r"'NOT MATCHED': unmatched: not sent")


def test_agent_simulation_bad_script_exit_2(tmp_path):
    script = tmp_path / "bad.sim"
    script.write_text("+1 msg ok\n+x msg bad\n")
    agent = xdi_agent(["--server", "127.0.0.1:1", "--system", "TESTA",
                       "--simulate", script], tmp_path / "agent")
    assert agent.wait() == 2
    assert agent.has_line(r"bad.sim: line 2: expected a delay")


@pytest.mark.skipif(faketime_library() is None,
                    reason="libfaketime (Debian package libfaketime) is missing")
@pytest.mark.parametrize("when, sent", [
    ("2026-11-20 10:00:00", True),    # a Friday, 10:00: in BUSY's frame
    ("2026-11-21 10:00:00", False),   # a Saturday: not a weekday
    ("2026-11-20 17:00:01", False),   # Friday, one second after ETIME
])
def test_agent_time_frame_from_real_clock(tmp_path, xdi_server, when, sent):
    """The agent checks frames with the local time of the real clock, so
    libfaketime moves it (TESTA's BUSY: November 2026, 08:30:00..17:00:00,
    Monday to Friday)."""
    script = tmp_path / "busy.sim"
    script.write_text("+0 msg BUSY NOW\n+0 msg IEF450I MARK\n"
                      "+0.05 shutdown\n")
    agent = xdi_agent(["--server", server_arg(xdi_server.address),
                       "--system", "TESTA", "--simulate", script],
                      tmp_path / "agent",
                      env={**os.environ, **faketime_env(when, speed="1")})
    assert agent.wait() == 0
    j = xdi_server.journal
    j.wait_for(event="logout")
    texts = [r["text"] for r in j.find(event="info", kind="MSG")]
    assert texts == (["BUSY NOW", "IEF450I MARK"] if sent
                     else ["IEF450I MARK"])
    assert agent.has_line(r"'BUSY NOW': %s" % (
        "queued" if sent else "out of frame: not sent"))


def test_agent_demo_files(tmp_path, xdi_server_factory, source_dir):
    """tools/xdi-agent/demo (docs/agent.md) against fixtures/demo: every
    report is taken (no violation, every verdict good)."""
    demo = source_dir / "tools" / "xdi-agent" / "demo"
    server = xdi_server_factory(fixtures=source_dir / "fixtures" / "demo")
    script = tmp_path / "demo.sim"
    script.write_text((demo / "demo.sim").read_text() + "+0.1 shutdown\n")
    agent = xdi_agent(["--server", server_arg(server.address), "--system",
                       "SYSA", "--password", "DEMO", "--simulate", script,
                       "--jobs", demo / "jobs"], tmp_path / "agent")
    assert agent.wait(within=20) == 0
    j = server.journal
    j.wait_for(event="logout")
    infos = j.find(event="info")
    assert [r["kind"] for r in infos[:6]] == ["MSG", "CMD", "EOT", "EOT",
                                              "EOJ", "EOT"]
    assert all(r["verdict"] in ("in_frame", "ok") for r in infos)
    assert j.find(event="violation") == []
    if j.find(event="send", key="01020108"):
        # With the host's automation: PAYROLL1 ended with max CC 4, so the
        # host ran PAYROLL2 here (demo/jobs/PAYROLL2: one step, rc 0).
        runs = [(r["eotinfo"]["job_name"], r["eotinfo"]["notes"])
                for r in infos[6:] if r["kind"] == "EOT"]
        assert runs == [("PAYROLL2", "S NR"), ("PAYROLL2", "J NR")]
        assert agent.has_line(r"^PAYROLL2: report$")
