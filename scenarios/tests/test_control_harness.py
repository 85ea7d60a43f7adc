"""The pytest harness over the control plane (xdi.control, the fixtures
xdi_host and xdi_control of xdi.pytest_plugin), against the real
xdi-server on fixtures/demo with the real xdi-agent connected as SYSA.

- one server for the whole session, reset before each test: a job sent
  in one test is gone in the next, and the server is the same process;
- wait_for sees the agent's command event through the stream and through
  polling, and only what came after the reset;
- the stream resumes after Last-Event-ID without losing or repeating a
  record;
- 409 for a system without an agent, 401 for a wrong password and
  nothing else;
- --xdi-url attaches the fixtures to a server already running, and
  starts none.

The inner pytest runs (a test session of their own) are subprocesses on
generated test files, with this tree's package and build.
"""

import json
import os
import pathlib
import socket
import subprocess
import sys
import textwrap

import pytest

from xdi.control import ControlClient, ControlError, WaitTimeout

SYSA_PASSWORD = "DEMO"     # fixtures/demo/hosts.yaml
WITHIN = 15.0


@pytest.fixture
def sysa(agents, xdi_host, xdi_control, source_dir):
    """The reference agent logged in as SYSA on the session's host (after
    its reset), with the demo's jobs; it runs until teardown."""
    agent = agents.start("sysa", xdi_host, "SYSA", extra=[
        "--password", SYSA_PASSWORD,
        "--jobs", str(source_dir / "tools" / "xdi-agent" / "demo" / "jobs")])
    agent.wait_line(r"running: ", within=WITHIN)
    return agent


def test_command_event_comes_back_through_wait_stream_and_poll(sysa,
                                                                xdi_control):
    answer = xdi_control.send_command("SYSA", "KILL JOKO", wait=10)
    assert answer["rc"] == 200
    assert answer["sent"]["key"] == "01020104"
    # The answer is the agent's own info record: the command as an event.
    ans = answer["answer"]
    assert ans is not None and not answer.get("timed_out"), answer
    assert (ans["event"], ans["kind"], ans["text"]) == \
        ("info", "CMD", "KILL JOKO")
    assert ans["system"] == "SYSA"
    for via in ("stream", "poll"):
        rec = xdi_control.wait_for("info", "SYSA", kind="CMD",
                                   text="KILL JOKO", via=via, within=WITHIN)
        assert rec["jseq"] == ans["jseq"], via
    # The event fired the demo's EMS action: CANCEL U=JOKO back to SYSA.
    act = xdi_control.wait_for("action", "SYSA", event_key="KILL",
                               within=WITHIN)
    assert act["command"] == "CANCEL U=JOKO" and act["outcome"] == "sent"
    assert act["jseq"] > ans["jseq"]


def test_wait_for_looks_only_after_the_reset(sysa, xdi_control):
    xdi_control.send_command("SYSA", "KILL JOKO", wait=10)
    first = xdi_control.wait_for("info", "SYSA", kind="CMD")
    xdi_control.mark()
    with pytest.raises(WaitTimeout) as e:
        xdi_control.wait_for("info", "SYSA", kind="CMD", within=0.5)
    assert "event=info system=SYSA kind='CMD'" in str(e.value)
    # Explicitly from before the mark, the old one is found again.
    assert xdi_control.wait_for("info", "SYSA", kind="CMD",
                                since=first["jseq"] - 1)["jseq"] == \
        first["jseq"]


def test_job_runs_and_ends_in_the_registry(sysa, xdi_control):
    answer = xdi_control.send_job("SYSA", "PAYROLL2", wait=WITHIN)
    job = answer["job"]
    assert (job["name"], job["system"]) == ("PAYROLL2", "SYSA")
    assert answer["answer"] is not None, answer
    jobid = job["jobid"]
    end = xdi_control.wait_for("info", "SYSA", kind="EOT",
                               pred=lambda r: r["eotinfo"]["job_name"] ==
                               "PAYROLL2" and r["eotinfo"]["step_number"]
                               == 0, within=WITHIN)
    assert end["verdict"] == "ok"
    jobs = xdi_control.jobs(system="SYSA", prefix="PAY*")
    mine = [j for j in jobs if j["jobid"] == jobid]
    assert len(mine) == 1, jobs
    j = xdi_control.job("SYSA", jobid)
    assert j["state"] == "ended" and j["max_cc"] == 0, j
    assert j["ended"] is not None
    assert any(s.get("step") == "REPORT" for s in j["steps"]), j


def test_reset_gives_a_clean_slate(sysa, xdi_control):
    xdi_control.send_job("SYSA", "PAYROLL2", wait=WITHIN)
    # PAYROLL2's step REPORT ends normally: its trigger holds PAYPRINT
    # for SYSB, which has no agent.
    xdi_control.wait_for("trigger", "SYSA", run_job="PAYPRINT",
                         outcome="held", within=WITHIN)
    assert xdi_control.system("SYSB")["held_triggers"] >= 1
    assert xdi_control.jobs()
    assert xdi_control.system("SYSA")["agent"] is not None
    xdi_control.reset()
    assert xdi_control.jobs() == []
    assert xdi_control.system("SYSB")["held_triggers"] == 0
    assert xdi_control.host()["sessions"] == 0
    # The agent saw its connection closed (it logs it and reconnects).
    sysa.wait_line(r"connection (lost|closed)|shutdown", within=WITHIN)


def test_no_agent_is_409_unknown_system_404(xdi_control):
    with pytest.raises(ControlError) as e:
        xdi_control.send_command("SYSC", "D A,L")
    assert e.value.status == 409 and e.value.msgid
    with pytest.raises(ControlError) as e:
        xdi_control.send_job("NOSUCH", "PAYROLL2")
    assert e.value.status == 404


def test_wrong_password_is_401_and_nothing_else(xdi_host, xdi_control):
    bad = ControlClient(xdi_host.url, user="xdi", password="not-the-token")
    status, headers, body = bad.raw("GET", "/xdi/systems")
    assert status == 401
    assert headers.get("www-authenticate", "").startswith("Basic")
    answer = json.loads(body)
    assert answer["rc"] == 401 and answer["msgid"].startswith("XDIC")
    # Nothing of what was asked for: only rc, msgid and message.
    assert set(answer) <= {"rc", "msgid", "message"}, answer
    with pytest.raises(ControlError) as e:
        bad.logon()
    assert e.value.status == 401
    failed = xdi_control.wait_for("control_auth_failed", within=WITHIN)
    assert failed.get("user") == "xdi"
    assert failed.get("client") == "127.0.0.1"


def test_stream_resumes_after_last_event_id(sysa, xdi_control):
    start = xdi_control.position()
    xdi_control.send_command("SYSA", "KILL JOKO", wait=10)
    first = []
    gen = xdi_control.stream(since=start, timeout=WITHIN)
    for ev in gen:
        first.append(ev)
        if ev.record.get("event") == "info":
            break
    gen.close()
    last = first[-1].id
    xdi_control.send_command("SYSA", "KILL JOKO", wait=10)
    second = []
    for ev in xdi_control.stream(since=last, timeout=WITHIN):
        second.append(ev)
        if ev.record.get("event") == "info":
            break
    ids = [ev.id for ev in first + second]
    # Every record once, in order, none skipped (no filter on this stream).
    assert ids == list(range(start + 1, start + 1 + len(ids))), ids
    assert all(ev.record["jseq"] == ev.id for ev in first + second)


# ---- one server per session; --xdi-url -------------------------------------

INNER_CONFTEST = 'pytest_plugins = ["xdi.pytest_plugin"]\n'

SESSION_TESTS = '''
import os
from xdi.agent import ScriptedAgent

def _note(name, value):
    with open(os.path.join(os.environ["NOTES"], name), "w") as f:
        f.write(str(value))

def test_a(xdi_host, xdi_control):
    assert xdi_control.jobs() == []
    a = ScriptedAgent(xdi_host.address, name="a")
    a.login("SYSA", password="DEMO")
    xdi_control.send_job("SYSA", "PAYROLL2")
    assert [j["name"] for j in xdi_control.jobs()] == ["PAYROLL2"]
    _note("a_pid", xdi_host.server.proc.pid)
    a.close()

def test_b(xdi_host, xdi_control):
    # Reset before this test: the job of test_a is gone, no session.
    assert xdi_control.jobs() == []
    assert xdi_control.system("SYSA")["agent"] is None
    _note("b_pid", xdi_host.server.proc.pid)
'''

ATTACH_TESTS = '''
import os
import pytest
from xdi.control import ControlError

def test_attached(xdi_host, xdi_control):
    assert xdi_host.attached and xdi_host.server is None
    assert xdi_host.address == tuple(os.environ["LISTEN"].split(":")[:1]) + (
        int(os.environ["LISTEN"].split(":")[1]),)
    assert [s["name"] for s in xdi_control.systems()] == ["SYSA", "SYSB", "SYSC"]
    with pytest.raises(ControlError) as e:
        xdi_control.send_command("SYSC", "D A,L")
    assert e.value.status == 409
'''


def inner_pytest(tmp_path, tests, args=(), env=None):
    d = tmp_path / "inner"
    d.mkdir(exist_ok=True)
    (d / "conftest.py").write_text(INNER_CONFTEST)
    (d / "test_inner.py").write_text(textwrap.dedent(tests))
    scenarios = pathlib.Path(__file__).resolve().parents[1]
    full = dict(os.environ)
    full["PYTHONPATH"] = str(scenarios)
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(d / "test_inner.py")] + list(args),
        cwd=str(d), env=full, capture_output=True, text=True, timeout=120)


def test_one_server_per_session_reset_between_tests(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    p = inner_pytest(tmp_path, SESSION_TESTS, env={"NOTES": str(notes)})
    assert p.returncode == 0, p.stdout + p.stderr
    assert "2 passed" in p.stdout
    a, b = (notes / "a_pid").read_text(), (notes / "b_pid").read_text()
    assert a == b, "each test got its own server"


def test_xdi_url_attaches_to_a_running_server(tmp_path, xdi_server_factory,
                                              source_dir):
    srv = xdi_server_factory(fixtures=source_dir / "fixtures" / "demo",
                             args=["--control", "127.0.0.1:0",
                                   "--control-token", "attach-token-0123"])
    listen = "%s:%d" % srv.address
    p = inner_pytest(tmp_path, ATTACH_TESTS,
                     args=["--xdi-url", srv.control_url,
                           "--xdi-token", "attach-token-0123",
                           "--xdi-listen", listen],
                     env={"LISTEN": listen})
    assert p.returncode == 0, p.stdout + p.stderr
    # What the inner session did happened on this server: its reset.
    resets = srv.journal.wait_for(event="control", action="reset",
                                  within=WITHIN)
    assert resets[0]["user"] == "xdi"
    # Without credentials the option is refused before any test runs.
    env = {k: "" for k in ("XDI_TOKEN", "XDI_USER", "XDI_PASSWORD")}
    p = inner_pytest(tmp_path, ATTACH_TESTS,
                     args=["--xdi-url", srv.control_url], env=env)
    assert p.returncode == 4, p.stdout + p.stderr
    assert "--xdi-url needs credentials" in p.stdout + p.stderr


def test_stream_reconnects_after_a_broken_connection(sysa, xdi_control):
    """stream() connects again with Last-Event-ID when its connection
    breaks, and the records come on without a gap or a repeat."""
    start = xdi_control.position()
    for _ in range(3):
        xdi_control.send_command("SYSA", "KILL JOKO", wait=10)
    end = xdi_control.position()
    assert end - start >= 9
    ids = []
    broken = False
    for ev in xdi_control.stream(since=start, timeout=WITHIN):
        ids.append(ev.id)
        if len(ids) == 3 and not broken:
            # Cut the connection under the reader: the next read ends.
            xdi_control._stream_conn.sock.shutdown(socket.SHUT_RDWR)
            broken = True
        if ev.id >= end:
            break
    assert broken
    assert ids == list(range(start + 1, end + 1)), ids


def test_server_fixture_with_control_over_ipv6(xdi_server_factory,
                                               source_dir):
    """A server of xdi_server_factory with --control gives a client
    (control_client(), its --control-token); the `control on [::1]:PORT`
    line gives a bracketed URL."""
    try:
        s = socket.socket(socket.AF_INET6)
        s.bind(("::1", 0))
        s.close()
    except OSError:
        pytest.skip("no IPv6 loopback here")
    srv = xdi_server_factory(fixtures=source_dir / "fixtures" / "demo",
                             args=["--control", "[::1]:0",
                                   "--control-token", "ipv6-token-0123456789"])
    assert srv.control_address[0] == "::1"
    assert srv.control_url.startswith("http://[::1]:")
    with srv.control_client() as control:
        assert [s["name"] for s in control.systems()] == \
            ["SYSA", "SYSB", "SYSC"]
        assert control.host()["sessions"] == 0


def test_clean_brings_xdi_up_and_the_fixture_tables_back(sysa, xdi_control):
    """What xdi_control does before each test: after a test that took XDI
    down and gave SYSA a table of its own, the next starts as if neither
    had happened."""
    xdi_control.replace("SYSA", "ems", [{"key": "HELLO", "type": "message"}])
    sysa.wait_line(r"recv replace EMS \(01020301, error 00, 1 object",
                   within=WITHIN)
    assert xdi_control.system("SYSA")["tables"]["ems"]["given"] is True
    assert xdi_control.down()["down"] is True
    host = xdi_control.clean()
    assert host["down"] is False and host["sessions"] == 0
    ems = xdi_control.system("SYSA")["tables"]["ems"]
    assert ems["given"] is False and ems["sent_entries"] == 4
    assert xdi_control.jobs() == []


def test_docs_pytest_example_runs(tmp_path, source_dir, build_dir):
    """The pytest example of docs/control.md, as written, in a session of
    its own (the installed layout: xdi-agent on PATH)."""
    text = (source_dir / "docs" / "control.md").read_text()
    start = text.index("```python\n") + len("```python\n")
    example = text[start:text.index("```", start)]
    assert "def test_kill(xdi_host, xdi_control" in example
    path = "%s:%s" % (build_dir / "tools" / "xdi-agent",
                      os.environ.get("PATH", "/usr/bin:/bin"))
    p = inner_pytest(tmp_path, example, env={"PATH": path})
    assert p.returncode == 0, p.stdout + p.stderr
    assert "1 passed" in p.stdout
