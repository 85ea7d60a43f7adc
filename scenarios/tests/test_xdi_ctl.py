"""xdi-ctl, the command-line client of the control plane (docs/control.md),
against the session's xdi-server on fixtures/demo (xdi_host, reset before
each test by xdi_control) with the real xdi-agent as SYSA:

- systems lists the demo's three hosts and SYSA's agent;
- send --wait prints the agent's command event (KILL JOKO: an ET 02 key
  of SYSA's EMS table, so the agent reports it), and watch shows it in
  the live stream;
- job --wait runs PAYROLL2 and jobs lists it ended;
- the exit codes: 0, 1 for 409 / 401 / 404 (with the server's message),
  2 for usage, 3 for a server that is not there, 4 for a --wait that ran
  out;
- logon stores a token (0600) that later calls use, logoff drops it; a
  server's generated token is found for a loopback URL;
- reset, down/up, rerun, replace (current table and --file), shutdown,
  journal, metrics;
- the installed xdi-ctl runs from a moved prefix;
- every example of docs/control.md (curl and xdi-ctl) works as written
  against a server started as the text says (the port aside).

Every run has HOME set to the test's own directory, so no stored token of
the user or of another test is seen.
"""

import json
import os
import socket
import stat
import subprocess

import pytest

from xdi.agent import ScriptedAgent

WITHIN = 15.0


@pytest.fixture
def ctl_path(build_dir):
    path = build_dir / "tools" / "xdi-ctl" / "xdi-ctl"
    if not path.is_file():
        pytest.fail("xdi-ctl is not built: %s does not exist" % path)
    return path


@pytest.fixture
def ctl(ctl_path, xdi_host, xdi_control, tmp_path):
    """ctl(*args, env=None, creds=True, input=None) -> CompletedProcess of
    xdi-ctl ARGS (text); creds: XDI_URL and XDI_TOKEN of the session's
    host in its environment."""
    home = tmp_path / "home"
    home.mkdir()

    def run(*args, env=None, creds=True, input=None, timeout=60):
        full = {k: v for k, v in os.environ.items()
                if not k.startswith("XDI_") and k != "XDG_RUNTIME_DIR"}
        full["HOME"] = str(home)
        full["PYTHONDONTWRITEBYTECODE"] = "1"
        if creds:
            full["XDI_URL"] = xdi_host.url
            full["XDI_TOKEN"] = xdi_host.token
        full.update(env or {})
        return subprocess.run(["/usr/bin/python3", str(ctl_path)] +
                              [str(a) for a in args], env=full, input=input,
                              capture_output=True, text=True,
                              timeout=timeout)
    run.home = home
    return run


@pytest.fixture
def sysa(agents, xdi_host, xdi_control, source_dir):
    agent = agents.start("sysa", xdi_host, "SYSA", extra=[
        "--password", "DEMO",
        "--jobs", str(source_dir / "tools" / "xdi-agent" / "demo" / "jobs")])
    agent.wait_line(r"running: ", within=WITHIN)
    return agent


def ok(p):
    assert p.returncode == 0, "exit %d\nstdout:\n%s\nstderr:\n%s" % (
        p.returncode, p.stdout, p.stderr)
    return p.stdout


def test_systems_table_and_json(ctl, sysa):
    out = ok(ctl("systems"))
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["SYSTEM", "EMS", "SCD"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert set(rows) == {"SYSA", "SYSB", "SYSC"}
    assert rows["SYSA"][1:3] == ["ready/4", "ready/3"]
    assert [c.split("/")[0] for c in rows["SYSC"][1:3]] == \
        ["not-ready", "not-ready"]
    assert "127.0.0.1:" in out  # SYSA's agent's peer
    systems = json.loads(ok(ctl("systems", "--json")))
    sysa_json = [s for s in systems if s["name"] == "SYSA"][0]
    assert sysa_json["agent"]["agent_id"] >= 1
    detail = ok(ctl("systems", "SYSA"))
    assert "agent-ID" in detail and "ready, " not in detail


def test_send_wait_prints_the_command_event(ctl, sysa):
    p = ctl("send", "SYSA", "KILL JOKO", "--wait", "10")
    out = ok(p)
    assert out.startswith("SYSA: exec command 'KILL JOKO' sent")
    answer = [line for line in out.splitlines()
              if line.startswith("answer: ")]
    assert answer and "info" in answer[0] and \
        "CMD 'KILL JOKO' in_frame" in answer[0], out
    data = json.loads(ok(ctl("--json", "send", "SYSA", "KILL JOKO",
                             "--wait", "10")))
    assert data["answer"]["kind"] == "CMD"
    assert data["answer"]["text"] == "KILL JOKO"


def test_watch_shows_the_command_event_live(ctl_path, ctl, sysa, xdi_host,
                                            xdi_control):
    # --since: the watch replays from before the command, so it cannot
    # miss it however late it connects (no sleep, no race).
    before = xdi_control.position()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDI_")}
    env.update(HOME=str(ctl.home), XDI_URL=xdi_host.url,
               XDI_TOKEN=xdi_host.token)
    watch = subprocess.Popen(
        ["/usr/bin/python3", str(ctl_path), "watch", "--system", "SYSA",
         "--kind", "info", "--since", str(before), "--count", "1",
         "--for", "20"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        xdi_control.send_command("SYSA", "KILL JOKO", wait=10)
        out, err = watch.communicate(timeout=30)
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.communicate()
    assert watch.returncode == 0, err
    line = out.strip()
    assert "SYSA" in line and "info" in line and "CMD 'KILL JOKO'" in line
    # --json prints the record itself, as the journal has it.
    rec = json.loads(ok(ctl("--json", "watch", "--since", before, "--kind",
                            "info", "--count", "1", "--for", "10")))
    assert (rec["event"], rec["kind"], rec["text"]) == \
        ("info", "CMD", "KILL JOKO")
    assert rec["jseq"] > before
    # --count not reached within --for: exit 4.
    p = ctl("watch", "--kind", "agent_error", "--count", "1", "--for", "0.5")
    assert p.returncode == 4, p.stderr


def test_job_wait_and_jobs(ctl, sysa):
    out = ok(ctl("job", "SYSA", "PAYROLL2", "--wait", "20"))
    assert out.startswith("SYSA: exec job PAYROLL2 sent")
    assert "answer: " in out
    table = ok(ctl("jobs", "--system", "SYSA", "--prefix", "PAY*"))
    lines = table.splitlines()
    assert lines[0].split()[:4] == ["JOBID", "NAME", "SYSTEM", "STATE"]
    row = [line.split() for line in lines[1:] if " PAYROLL2 " in line]
    assert row and row[0][3] == "ended", table
    jobid = row[0][0]
    jobs = json.loads(ok(ctl("--json", "jobs", "--status", "ended")))
    assert [j["jobid"] for j in jobs if j["name"] == "PAYROLL2"] == [jobid]
    detail = ok(ctl("jobs", "SYSA", jobid))
    assert "REPORT" in detail and "ended" in detail
    assert ok(ctl("jobs", "--prefix", "NOPE*")).splitlines()[1:] == []


def test_exit_codes(ctl, xdi_host):
    # 1: 409, no agent on SYSC; the server's message on stderr.
    p = ctl("send", "SYSC", "D A,L")
    assert p.returncode == 1 and " 409 " in p.stderr and "XDIC" in p.stderr
    # With --json the server's error is on stdout too, for scripts.
    p = ctl("--json", "send", "SYSC", "D A,L")
    assert p.returncode == 1 and json.loads(p.stdout)["rc"] == 409
    # 1: 404, unknown system.
    p = ctl("systems", "NOSUCH")
    assert p.returncode == 1 and " 404 " in p.stderr
    # 1: 401, wrong password; nothing on stdout.
    p = ctl("systems", env={"XDI_TOKEN": "", "XDI_USER": "xdi",
                            "XDI_PASSWORD": "wrong"})
    assert p.returncode == 1 and " 401 " in p.stderr and p.stdout == ""
    # 2: usage.
    assert ctl("send", "SYSA").returncode == 2
    assert ctl("frobnicate").returncode == 2
    assert ctl("systems", creds=False).returncode == 2   # no URL
    assert ctl("replace", "SYSA", "ems", "--file",
               "/nonexistent.json").returncode == 2
    # 3: nobody listens there (a port just closed).
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p = ctl("systems", env={"XDI_URL": "http://127.0.0.1:%d" % port})
    assert p.returncode == 3 and "cannot reach" in p.stderr


def test_wait_that_runs_out_is_exit_4(ctl, xdi_host):
    # A scripted SYSB session that never answers.
    a = ScriptedAgent(xdi_host.address, name="sysb")
    try:
        a.login("SYSB")
        p = ctl("send", "SYSB", "D A,L", "--wait", "0.5")
        assert p.returncode == 4, p.stdout + p.stderr
        assert "no answer" in p.stderr
        assert p.stdout.startswith("SYSB: exec command 'D A,L' sent")
    finally:
        a.close()


def test_logon_stores_a_token_logoff_drops_it(ctl, xdi_host):
    env = {"XDI_TOKEN": "", "XDI_USER": "xdi"}
    p = ctl("logon", env=env, input=xdi_host.token + "\n")
    out = ok(p)
    assert "token stored in" in out
    stored = ctl.home / ".xdi-emu" / "ctl-token"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    saved = json.loads(stored.read_text())
    assert saved["url"] == xdi_host.url and saved["token"]
    assert saved["token"] != xdi_host.token
    # Later calls: no URL, no token in the environment.
    bare = {"XDI_TOKEN": "", "XDI_URL": ""}
    assert "SYSA" in ok(ctl("systems", env=bare))
    ok(ctl("logoff", env=bare))
    assert not stored.exists()
    # The token is dead on the server too.
    p = ctl("systems", env={"XDI_TOKEN": saved["token"]})
    assert p.returncode == 1 and " 401 " in p.stderr
    # --print-token: only the token.
    p = ctl("logon", "--print-token", env=env, input=xdi_host.token + "\n")
    assert len(ok(p).split()) == 1


def test_reset_down_up(ctl, sysa, xdi_host, xdi_control):
    ok(ctl("job", "SYSA", "PAYROLL2", "--wait", "20"))
    assert len(ok(ctl("jobs")).splitlines()) >= 2
    out = ok(ctl("reset"))
    assert "host up, 0 sessions" in out
    assert ok(ctl("jobs")).splitlines()[1:] == []
    assert "host DOWN" in ok(ctl("down"))
    assert xdi_control.host()["down"] is True
    # While down a login is rejected with error 06 (docs/protocol.md
    # §11.1 step 2): SYSB in code page 037 is E2E8E2C2 40404040.
    a = ScriptedAgent(xdi_host.address, name="late")
    try:
        a.send(bytes.fromhex("00000024 00000000 E2E8E2C2 40404040 02010500"
                             " 00000000 00000000 00000000 00000000"))
        a.expect_bytes("00000024 00000000 E2E8E2C2 40404040 01020800"
                       " 06000000 00000000 00000000 00000000")
    finally:
        a.close()
    assert "host up" in ok(ctl("up"))
    assert xdi_control.host()["down"] is False


def test_journal_and_metrics(ctl, sysa):
    ok(ctl("send", "SYSA", "KILL JOKO", "--wait", "10"))
    lines = ok(ctl("journal", "--system", "SYSA", "--kind", "info"))
    assert "CMD 'KILL JOKO'" in lines
    ctrl = ok(ctl("journal", "--kind", "control"))
    assert "by xdi@127.0.0.1" in ctrl
    recs = [json.loads(line) for line in
            ok(ctl("--json", "journal", "--kind", "info,action",
                   "--system", "SYSA")).splitlines()]
    assert {r["event"] for r in recs} == {"info", "action"}
    assert all(isinstance(r["jseq"], int) for r in recs)
    since = recs[0]["jseq"]
    later = [json.loads(line) for line in
             ok(ctl("--json", "journal", "--since", since)).splitlines()]
    assert later and all(r["jseq"] > since for r in later)
    text = ok(ctl("metrics"))
    assert "xdi_sessions" in text
    metrics = json.loads(ok(ctl("--json", "metrics")))
    assert metrics["xdi_sessions"] >= 1


def test_help_names_every_command_and_the_exit_codes(ctl):
    out = ok(ctl("--help", creds=False))
    for word in ("logon", "logoff", "systems", "send", "job", "jobs",
                 "rerun", "replace", "shutdown", "down", "up", "reload",
                 "reset", "journal", "watch", "metrics", "exit codes",
                 "XDI_URL", "XDI_TOKEN"):
        assert word in out, word
    assert "--wait" in ok(ctl("send", "--help", creds=False))


def test_rerun_replace_shutdown(ctl, sysa, tmp_path):
    ok(ctl("job", "SYSA", "PAYROLL2", "--wait", "20"))
    jobs = json.loads(ok(ctl("--json", "jobs", "--prefix", "PAYROLL2")))
    first = jobs[0]["jobid"]
    out = ok(ctl("rerun", "SYSA", first, "--wait", "20"))
    assert "rerun of %s" % first in out and "answer: " in out
    again = json.loads(ok(ctl("--json", "jobs", "--prefix", "PAYROLL2")))
    assert len(again) == 2 and again[0]["jobid"] != first
    assert again[0]["state"] == "ended"
    # Replace EMS: the current table again, then one from a file in the
    # fixture format; the agent logs what it got.
    ok(ctl("replace", "SYSA", "ems"))
    sysa.wait_line(r"recv replace EMS \(01020301, error 00, 4 object", 
                   within=WITHIN)
    f = tmp_path / "ems.json"
    f.write_text(json.dumps([{"key": "HELLO", "type": "message"},
                             {"key": "KILL", "vl": 4, "type": "command"}]))
    out = ok(ctl("replace", "SYSA", "ems", "--file", f))
    assert "replace EMS (2 entries from %s)" % f in out
    sysa.wait_line(r"recv replace EMS \(01020301, error 00, 2 object",
                   within=WITHIN)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    p = ctl("replace", "SYSA", "scd", "--file", bad)
    assert p.returncode == 2 and "not JSON" in p.stderr
    # Shutdown with --wait: the agent logs out (the reference agent then
    # exits 10, docs/agent.md).
    out = ok(ctl("shutdown", "SYSA", "--wait", "10"))
    assert "SYSA: shutdown sent" in out
    assert "logout" in out.splitlines()[-1]
    assert sysa.wait(within=WITHIN) == 10
    p = ctl("shutdown", "SYSA")
    assert p.returncode == 1 and " 409 " in p.stderr


def test_installed_xdi_ctl_runs_from_a_moved_prefix(ctl, build_dir,
                                                    tmp_path, xdi_host):
    """cmake --install, the prefix moved: bin/xdi-ctl finds the installed
    xdi/control.py next to it, with no XDI_ variable or PYTHONPATH."""
    import shutil
    cmake = os.environ.get("XDI_CMAKE") or shutil.which("cmake")
    p = subprocess.run([cmake, "--install", str(build_dir), "--prefix",
                        str(tmp_path / "inst")], capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    shutil.move(str(tmp_path / "inst"), str(tmp_path / "moved"))
    tool = tmp_path / "moved" / "bin" / "xdi-ctl"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("XDI_") and k != "PYTHONPATH"}
    env.update(HOME=str(ctl.home), PYTHONDONTWRITEBYTECODE="1")
    p = subprocess.run(["/usr/bin/python3", "-I", str(tool), "--url",
                        xdi_host.url, "--token", xdi_host.token, "host"],
                       cwd=str(tmp_path), env=env, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.startswith("host up")


# ---- docs/control.md: every example works as written ------------------------

DOC_URL = "http://127.0.0.1:8080"
DOC_TOKEN = "demo-control-token"
# Examples that show an error on purpose: the status they must get.
DOC_ERRORS = {"/SYSC/": 409, "xdi:wrong": 401}


def doc_commands(text):
    """The shell commands of the ```sh blocks of docs/control.md that talk
    to the control plane, continuation lines joined; not the lines that
    start a server or an agent, nor the ones that wait for a person
    (logon asks for a password, watch runs until Ctrl-C)."""
    out, block, pending = [], False, ""
    for line in text.splitlines():
        if line.startswith("```"):
            block = line.strip() == "```sh"
            continue
        if not block:
            continue
        line = pending + line
        pending = ""
        if line.rstrip().endswith(("\\", "|")):
            pending = line.rstrip().rstrip("\\") + " "
            continue
        cmd = line.split(" #")[0].strip()
        if not cmd or cmd.startswith("#"):
            continue
        if any(w in cmd for w in ("xdi-server", "xdi-agent", "touch ")):
            continue
        if "xdi-ctl" in cmd and (" logon" in cmd or " watch" in cmd):
            continue
        if "curl" not in cmd and "xdi-ctl" not in cmd and \
                not cmd.startswith("export "):
            continue
        out.append(cmd)
    # The shutdown ends the agent's session: last, so that the examples
    # after it in the text still have an agent.
    return sorted(out, key=lambda c: "/shutdown" in c)


def test_docs_examples_work_as_written(source_dir, build_dir, ctl_path,
                                       xdi_server_factory, agents, tmp_path):
    srv = xdi_server_factory(fixtures=source_dir / "fixtures" / "demo",
                             args=["--control", "127.0.0.1:0",
                                   "--control-token", DOC_TOKEN])

    def agent():
        a = agents.start("sysa%d" % len(agents.procs), srv, "SYSA", extra=[
            "--password", "DEMO", "--jobs",
            str(source_dir / "tools" / "xdi-agent" / "demo" / "jobs")])
        a.wait_line(r"running: ", within=WITHIN)

    commands = doc_commands((source_dir / "docs" / "control.md").read_text())
    assert len(commands) >= 30, commands
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDI_")}
    env["HOME"] = str(home)
    # One bash per part, so that TOKEN=... reaches the lines after it; a
    # reset ends a part: it shuts every agent down (the reference agent
    # then exits), and the examples after it get a new one.
    parts, part = [], []
    for i, cmd in enumerate(commands):
        cmd = cmd.replace(DOC_URL, srv.control_url)
        cmd = cmd.replace("build/dev/", str(build_dir) + "/")
        if cmd.startswith("xdi-ctl ") or "&& xdi-ctl " in cmd:
            cmd = cmd.replace("xdi-ctl ", str(ctl_path) + " ")
        cmd = cmd.replace("curl -sN ", "curl -sN --max-time 1 ")
        part.append("%s\necho; echo '@@ %d' $?" % (cmd, i))
        if "/host/reset" in cmd:
            parts.append(part)
            part = []
    parts.append(part)
    outputs, current, stderr = {}, [], ""
    for part in parts:
        agent()
        p = subprocess.run(["/bin/bash", "-c", "\n".join(part)],
                           cwd=str(source_dir), env=env, capture_output=True,
                           text=True, timeout=240)
        stderr += p.stderr
        for line in p.stdout.splitlines():
            if line.startswith("@@ "):
                _, i, rc = line.split()
                outputs[int(i)] = (int(rc), "\n".join(current).strip())
                current = []
            else:
                current.append(line)
    assert len(outputs) == len(commands), p.stdout[-3000:] + stderr
    problems = []
    for i, cmd in enumerate(commands):
        rc, out = outputs[i]
        want_rc = (0, 28) if "curl -sN" in cmd else (0,)
        if rc not in want_rc:
            problems.append("exit %d: %s\n%s" % (rc, cmd, out[-500:]))
            continue
        if cmd.startswith("curl") and out.startswith("{"):
            want = next((s for k, s in DOC_ERRORS.items() if k in cmd), 200)
            try:
                got = json.loads(out.splitlines()[0]).get("rc")
            except ValueError:
                continue   # pretty-printed (json.tool), not an answer
            if got != want:
                problems.append("rc %s, not %s: %s\n%s" % (got, want, cmd,
                                                           out[:500]))
    assert not problems, "\n\n".join(problems) + "\nstderr:\n" + stderr


def test_generated_token_is_found_for_a_loopback_server(ctl, source_dir,
                                                       xdi_server_factory,
                                                       tmp_path):
    """A server started without --control-token or --control-users writes
    a token to $XDG_RUNTIME_DIR/xdi-emu/control-token (mode 0600) and
    says so; xdi-ctl with only the URL uses it."""
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    srv = xdi_server_factory(fixtures=source_dir / "fixtures" / "demo",
                             args=["--control", "127.0.0.1:0"],
                             env={"XDG_RUNTIME_DIR": str(run)})
    token_file = run / "xdi-emu" / "control-token"
    assert srv.control_token_file == str(token_file)
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    env = {"XDI_URL": srv.control_url, "XDI_TOKEN": "",
           "XDG_RUNTIME_DIR": str(run)}
    assert "SYSA" in ok(ctl("systems", env=env))
    # Without the file (XDG_RUNTIME_DIR unset, none in HOME): no
    # credentials at all -> 401, and the hint says what to give.
    p = ctl("systems", env={"XDI_URL": srv.control_url, "XDI_TOKEN": ""})
    assert p.returncode == 1 and " 401 " in p.stderr
    assert "no credentials" in p.stderr
