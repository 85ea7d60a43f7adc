"""xdi-replay agent, host and fixtures on real captures (docs/replay.md).

Every capture here is made for real: the real xdi-agent against the real
xdi-server --capture on loopback.  The agent logs in as LOOPA, takes its
tables, reports "KILL JOKO" from a --simulate script, gets the host's exec
command "CANCEL U=JOKO", reports that command, and logs out on SIGTERM:
login, accept, two acquires, two tables, info MSG, exec command, info
CMD, logout.

Then:
- `agent` against a server on the same fixtures (random agent-IDs, so the
  templating is needed) finds no difference; against a server whose
  table changed it names exactly that field; an edited JSON Lines file
  plays; a host that never answers is a difference after --timeout, not
  a hang; --loop and --conversations play what they say, each a JUnit
  testcase; exit codes 0 1 2 3.
- `host` passes the real xdi-agent, started through --agent with the
  placeholders of xdi-conform (and with --listen for an agent started by
  hand), and fails a conformance mutant (tools/xdi-agent/mutants) on the
  field it breaks.
- `fixtures` cuts the tables into a set that xdi-fixture accepts and that
  xdi-server serves byte for byte: the raw files are the captured bytes,
  and `agent` against a server on the cut set finds no difference.

Expected wire values (system names, the ASCII bytes of a mutant) are
written out by hand here (e2e.WIRE, code page 037).
"""

import copy
import json
import os
import pathlib
import re
import shlex
import signal
import socket
import subprocess
import threading
import time
import xml.etree.ElementTree as ET

import pytest

from agent_proc import agent_binary
from e2e import E2E, WIRE, Agents

WITHIN = 30.0


def build():
    return pathlib.Path(os.environ["XDI_BUILD_DIR"])


def replay_bin():
    return build() / "tools" / "xdi-replay" / "xdi-replay"


def mutant_bin(name):
    return (build() / "tools" / "xdi-agent" / "mutants" /
            ("xdi-agent-mutant-" + name))


def replay(*args, within=WITHIN):
    p = subprocess.run([str(replay_bin()), *map(str, args)],
                       capture_output=True, timeout=within,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def extract(path):
    rc, out, err = replay("extract", path)
    assert rc == 0, err
    return [json.loads(x) for x in out.splitlines() if x]


def write_lines(path, lines):
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def diff_lines(out):
    """The difference lines of a report (all but the summary)."""
    return [x for x in out.splitlines() if x.startswith("conversation ")]


def summary(out):
    last = out.splitlines()[-1]
    assert last.startswith("xdi-replay "), out
    return last


SIM = "+0.2 msg KILL JOKO\n"


def sim_file(tmp_path):
    path = tmp_path / "kill.sim"
    path.write_text(SIM)
    return path


def capture_session(tmp_path, xdi_server_factory, systems=("LOOPA",)):
    """One session per system (one after the other), each as described
    above (TFRAME gets no script: login, tables, logout); the stopped
    server's capture."""
    cap = tmp_path / "session.pcap"
    srv = xdi_server_factory(fixtures=E2E, args=["--capture", str(cap)])
    pool = Agents(tmp_path)
    try:
        for i, system in enumerate(systems):
            extra = ["--simulate", sim_file(tmp_path)] if system == "LOOPA" else []
            agent = pool.start("agent%d" % i, srv, system, extra=extra)
            if system == "LOOPA":
                agent.wait_line(r"send info CMD: 'CANCEL U=JOKO'")
            else:
                agent.wait_line(r"running: EMS ready")
            assert Agents.stop(agent) == 0
            srv.journal.wait_for(event="disconnect", count=i + 1)
    finally:
        pool.close()
    srv.stop()
    return cap


def tcpdump_session(tmp_path, xdi_server_factory):
    """The LOOPA session of capture_session, captured by tcpdump on lo
    (Ethernet link type, the kernel's own segments and timestamps)
    instead of by the server; pytest.skip where the machine does not let
    the test capture."""
    import shutil
    if shutil.which("tcpdump") is None:
        pytest.skip("tcpdump is not installed")
    srv = xdi_server_factory(fixtures=E2E)
    dump = tmp_path / "tcpdump.pcap"
    td = subprocess.Popen(["tcpdump", "-i", "lo", "-U", "-n", "-w", str(dump),
                           "tcp port %d" % srv.address[1]],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    line = td.stderr.readline()
    if "listening on" not in line:
        td.kill()
        td.wait()
        pytest.skip("tcpdump cannot capture on lo here: %s" % line.strip())
    pool = Agents(tmp_path)
    try:
        agent = pool.start("agent", srv, "LOOPA",
                           extra=["--simulate", sim_file(tmp_path)])
        agent.wait_line(r"send info CMD: 'CANCEL U=JOKO'")
        assert Agents.stop(agent) == 0
        srv.journal.wait_for(event="disconnect")
    finally:
        pool.close()
        # -U writes each packet at once, but the last FIN may still be on
        # its way through lo: wait until extract sees the whole session.
        deadline = time.monotonic() + WITHIN
        while time.monotonic() < deadline:
            rc, out, _ = replay("extract", dump)
            if rc == 0 and out.count("\n") == len(EXPECTED):
                break
            time.sleep(0.05)
        td.send_signal(signal.SIGINT)
        td.wait(timeout=WITHIN)
    return dump


@pytest.fixture
def session(tmp_path, xdi_server_factory):
    return capture_session(tmp_path, xdi_server_factory)


def keys(lines, conv=1):
    return [(x["from"], x["key_name"]) for x in lines
            if x["conversation"] == conv]


EXPECTED = [("agent", "login"), ("host", "accept"),
            ("agent", "acquire EMS"), ("agent", "acquire SCD"),
            ("host", "receive EMS"), ("host", "receive SCD"),
            ("agent", "info MSG"), ("host", "exec command"),
            ("agent", "info CMD"), ("agent", "logout")]


def test_capture_is_the_session(session):
    """The capture these tests play is the session described above (the
    two acquires may leave before either table comes back)."""
    lines = extract(session)
    got = keys(lines)
    assert sorted(got) == sorted(EXPECTED), got
    assert got[:2] == EXPECTED[:2] and got[-4:] == EXPECTED[-4:]


def number_of(lines, key_name, conv=1):
    """The NACCB number a report gives: the place in the conversation,
    both sides counted from 1."""
    mine = [x for x in lines if x["conversation"] == conv]
    return 1 + next(i for i, x in enumerate(mine) if x["key_name"] == key_name)


def junit(path):
    root = ET.parse(str(path)).getroot()
    cases = {}
    for tc in root.iter("testcase"):
        fail = tc.find("failure")
        err = tc.find("error")
        cases[tc.get("name")] = (
            "fail" if fail is not None else "error" if err is not None
            else "pass",
            (fail if fail is not None else err).text
            if (fail is not None or err is not None) else "")
    return root, cases


# ---- agent ------------------------------------------------------------------

def test_agent_same_server_no_difference(tmp_path, session,
                                         xdi_server_factory):
    srv = xdi_server_factory(fixtures=E2E, args=["--random-ids"])
    report = tmp_path / "agent.xml"
    rc, out, err = replay("agent", session, "--connect",
                          "%s:%d" % srv.address, "--junit", report)
    assert rc == 0, out + err
    assert diff_lines(out) == []
    assert summary(out).endswith(": same"), out
    assert " 10 NACCBs, 0 differences" in summary(out)
    # The templating: the live accept's ID is not the captured 1, and every
    # later NACCB the replay sent carried the live one.
    accept = srv.journal.wait_for(event="accept")[0]
    live_id = accept["agent_id"]
    logout = srv.journal.wait_for(event="logout")[0]
    assert live_id != 1, accept
    assert logout["agent_id"] == live_id, logout
    root, cases = junit(report)
    assert root.get("tests") == "1" and root.get("failures") == "0"
    assert cases == {"conversation 1": ("pass", "")}


def changed_fixtures(tmp_path):
    """fixtures/e2e with one EVBLOK text of LOOPA changed (EVBLOK 2,
    IEF450I: "a job abended" -> "a job ABENDED"): same sizes, one field."""
    out = tmp_path / "changed"
    out.mkdir()
    for f in E2E.iterdir():
        if f.is_file():
            (out / f.name).write_bytes(f.read_bytes())
    hosts = out / "hosts.yaml"
    text = hosts.read_text()
    assert text.count('text: "a job abended"') == 1
    hosts.write_text(text.replace('text: "a job abended"',
                                  'text: "a job ABENDED"'))
    return out


def test_agent_changed_table_names_the_field(tmp_path, session,
                                             xdi_server_factory):
    srv = xdi_server_factory(fixtures=changed_fixtures(tmp_path))
    report = tmp_path / "agent.xml"
    rc, out, err = replay("agent", session, "--connect",
                          "%s:%d" % srv.address, "--junit", report)
    assert rc == 1, out + err
    n = number_of(extract(session), "receive EMS")
    expect = ('conversation 1: NACCB %d (receive EMS, from the host): '
              'objects[2].additional_text: captured "a job abended", '
              'now "a job ABENDED"' % n)
    assert diff_lines(out) == [expect]
    assert summary(out).endswith(": different")
    _, cases = junit(report)
    assert cases["conversation 1"][0] == "fail"
    assert expect in cases["conversation 1"][1]
    # --ignore takes the field out of the comparison.
    rc, out, _ = replay("agent", session, "--connect", "%s:%d" % srv.address,
                        "--ignore", "additional_text")
    assert rc == 0 and diff_lines(out) == [], out


def test_agent_edited_json_lines(tmp_path, session, xdi_server_factory):
    """The JSON Lines of extract, edited with Python as one would with jq:
    the agent now reports KILL MARY, so the host's exec command says
    CANCEL U=MARY where the capture has JOKO."""
    lines = extract(session)
    for x in lines:
        for o in x.get("objects", []):
            if o.get("text") == "KILL JOKO":
                o["text"] = "KILL MARY"
    edited = write_lines(tmp_path / "edited.jsonl", lines)
    srv = xdi_server_factory(fixtures=E2E)
    rc, out, err = replay("agent", edited, "--connect", "%s:%d" % srv.address)
    assert rc == 1, out + err
    n = number_of(lines, "exec command")
    assert diff_lines(out) == [
        'conversation 1: NACCB %d (exec command, from the host): '
        'objects[0].text: captured "CANCEL U=JOKO", now "CANCEL U=MARY"' % n]
    # --system: the same conversation as another host of the set (TFRAME
    # has no SCD and other EVBLOKs: the tables differ, the login works).
    rc, out, err = replay("agent", edited, "--connect", "%s:%d" % srv.address,
                          "--system", "LOOPA=TFRAME", "--timeout", "1")
    assert rc == 1
    login = srv.journal.wait_for(event="login", count=2)[-1]
    assert login["system"] == "TFRAME", login


def test_agent_bad_json_line_named(tmp_path, session):
    lines = extract(session)
    lines[2]["request"] = 99
    bad = write_lines(tmp_path / "bad.jsonl", lines)
    rc, out, err = replay("agent", bad, "--connect", "127.0.0.1:9")
    assert rc == 3
    assert "bad.jsonl line 3: field key" in err, err


class SilentHost:
    """Accepts one connection, reads everything, answers nothing."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        conn, _ = self.sock.accept()
        with conn:
            while conn.recv(65536):
                pass

    def close(self):
        self.sock.close()


def test_agent_timeout_is_a_difference(session):
    host = SilentHost()
    try:
        t0 = time.monotonic()
        rc, out, err = replay("agent", session, "--connect",
                              "127.0.0.1:%d" % host.port, "--timeout", "0.3")
        took = time.monotonic() - t0
    finally:
        host.close()
    assert rc == 1, out + err
    assert diff_lines(out) == [
        'conversation 1: NACCB 2 (accept, from the host): key: captured '
        '"accept", now (no NACCB within 0.3 s)']
    assert took < WITHIN


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_exit_codes_usage_and_connect(tmp_path, session):
    rc, _, err = replay("agent", session)
    assert rc == 2 and "--connect HOST:PORT is required" in err
    rc, _, err = replay("agent", session, "--connect", "nohost")
    assert rc == 2 and "is not HOST:PORT" in err
    rc, _, err = replay("agent", session, "--connect", "127.0.0.1:1",
                        "--timing", "fast")
    assert rc == 2 and "--timing" in err
    rc, _, err = replay("host", session, "--agent", "x {hots}")
    assert rc == 2 and "unknown placeholder {hots}" in err
    rc, _, err = replay("host", session)
    assert rc == 2
    rc, _, err = replay("agent", session, "--connect", "127.0.0.1:1",
                        "--conversations", "7")
    assert rc == 2 and "no conversation 7" in err
    report = tmp_path / "r.xml"
    rc, out, err = replay("agent", session, "--connect",
                          "127.0.0.1:%d" % free_port(), "--junit", report)
    assert rc == 3, out + err
    assert "cannot connect" in err
    assert summary(out).endswith(": could not run")
    root, cases = junit(report)
    assert root.get("errors") == "1"
    assert cases["conversation 1"][0] == "error"
    rc, _, err = replay("agent", tmp_path / "none.pcap", "--connect",
                        "127.0.0.1:1")
    assert rc == 3 and "none.pcap" in err


def test_agent_loop_and_conversations(tmp_path, xdi_server_factory):
    cap = capture_session(tmp_path, xdi_server_factory,
                          systems=("LOOPA", "TFRAME"))
    lines = extract(cap)
    assert {x["conversation"] for x in lines} == {1, 2}
    srv = xdi_server_factory(fixtures=E2E)
    report = tmp_path / "loop.xml"
    rc, out, err = replay("agent", cap, "--connect", "%s:%d" % srv.address,
                          "--loop", "2", "--junit", report)
    assert rc == 0, out + err
    root, cases = junit(report)
    assert sorted(cases) == ["conversation 1 (run 1)", "conversation 1 (run 2)",
                             "conversation 2 (run 1)", "conversation 2 (run 2)"]
    assert all(v == ("pass", "") for v in cases.values())
    assert len(srv.journal.wait_for(event="logout", count=4)) == 4
    assert "4 conversation runs, %d NACCBs" % (2 * len(lines)) in summary(out)
    rc, out, err = replay("agent", cap, "--connect", "%s:%d" % srv.address,
                          "--conversations", "2", "--junit", report)
    assert rc == 0, out + err
    _, cases = junit(report)
    assert list(cases) == ["conversation 2"]


def test_agent_timing(tmp_path, session, xdi_server_factory):
    """as-captured keeps the captured delays (the report of KILL JOKO
    comes 0.2 s after the tables, by the script), x4 a quarter of them; a
    lower bound each, a loaded machine only makes it slower."""
    srv = xdi_server_factory(fixtures=E2E)
    lines = extract(session)
    t = {x["key_name"]: x["time"] for x in lines}
    gap = t["logout"] - t["receive SCD"]
    assert gap > 0.2
    for timing, factor in (("as-captured", 1.0), ("x4", 4.0)):
        t0 = time.monotonic()
        rc, out, err = replay("agent", session, "--connect",
                              "%s:%d" % srv.address, "--timing", timing)
        took = time.monotonic() - t0
        assert rc == 0, out + err
        assert took >= gap / factor * 0.95, (timing, took, gap)


# ---- host -------------------------------------------------------------------

def agent_template(binary, tmp_path):
    return "%s --server {host}:{port} --system {system} --simulate %s " \
           "--backoff 20 --poll-ms 20" % (shlex.quote(str(binary)),
                                          shlex.quote(str(sim_file(tmp_path))))


def test_host_passes_the_agent(tmp_path, session):
    log = tmp_path / "agent.log"
    report = tmp_path / "host.xml"
    rc, out, err = replay("host", session, "--agent",
                          agent_template(agent_binary(), tmp_path),
                          "--agent-log", log, "--junit", report)
    assert rc == 0, out + err + log.read_text()
    assert summary(out).endswith(": same")
    assert " 10 NACCBs, 0 differences" in summary(out)
    # The agent ran as LOOPA ({system}) and logged out on SIGTERM (the
    # logout of the capture that the host did not ask for).
    text = log.read_text()
    assert "local shutdown: SIGTERM" in text, text
    _, cases = junit(report)
    assert cases == {"conversation 1": ("pass", "")}
    # Another agent-ID than the captured one: the agent must use it.
    rc, out, err = replay("host", session, "--agent",
                          agent_template(agent_binary(), tmp_path),
                          "--agent-log", log, "--agent-id", "4711")
    assert rc == 0, out + err


def test_host_fails_a_mutant(tmp_path, session):
    """ascii-name: the system name sent in ASCII, not EBCDIC: every NACCB
    of the agent differs in system_name (4C4F4F5041202020 is "LOOPA   " in
    ASCII; in 037 it is WIRE["LOOPA"])."""
    binary = mutant_bin("ascii-name")
    assert binary.exists(), "%s is not built" % binary
    rc, out, err = replay("host", session, "--agent",
                          agent_template(binary, tmp_path), "--agent-log",
                          tmp_path / "mutant.log", "--timeout", "2")
    assert rc == 1, out + err
    got = diff_lines(out)
    assert got[0] == ('conversation 1: NACCB 1 (login, from the agent): '
                      'system_name: captured "LOOPA", now hex '
                      '"4C4F4F5041202020"'), got
    assert WIRE["LOOPA"] != "4C4F4F5041202020"
    assert all("system_name" in x for x in got), got
    assert summary(out).endswith(": different")


def test_host_listen_edited_shutdown(tmp_path, session):
    """--listen for an agent started by hand, on JSON Lines edited to end
    with the host's shutdown instead of the agent's own logout: the host
    sends it at that point, and the agent logs out and exits 10."""
    lines = [x for x in extract(session) if x["conversation"] == 1]
    accept = next(x for x in lines if x["key_name"] == "accept")
    shutdown = copy.deepcopy(accept)
    shutdown.update(request=4, key="01020400", key_name="shutdown",
                    request_name="shutdown")
    i = next(i for i, x in enumerate(lines) if x["key_name"] == "logout")
    lines.insert(i, shutdown)
    edited = write_lines(tmp_path / "shutdown.jsonl", lines)
    p = subprocess.Popen([str(replay_bin()), "host", str(edited), "--listen",
                          "127.0.0.1:0"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    agent = None
    try:
        line = p.stderr.readline()
        m = re.match(r"xdi-replay: listening on (127\.0\.0\.1:\d+)$", line)
        assert m, line
        agent = subprocess.Popen(
            [str(agent_binary()), "--server", m.group(1), "--system", "LOOPA",
             "--simulate", str(sim_file(tmp_path)), "--backoff", "20"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, cwd=str(tmp_path))
        out, err = p.communicate(timeout=WITHIN)
        assert agent.wait(timeout=WITHIN) == 10
    finally:
        if p.poll() is None:
            p.kill()
        if agent and agent.poll() is None:
            agent.kill()
            agent.wait()
    assert p.returncode == 0, out + err
    assert " 11 NACCBs, 0 differences" in summary(out), out


# ---- fixtures ---------------------------------------------------------------

def objects_bytes(line):
    """The objects of one NACCB line, by `naccb encode` (extract's own
    test proves its lines encode to the wire bytes), without the 36-byte
    header."""
    p = subprocess.run([str(build() / "tools" / "naccb" / "naccb"), "encode"],
                       input=(json.dumps(line) + "\n").encode(),
                       capture_output=True, timeout=WITHIN)
    assert p.returncode == 0, p.stderr
    return p.stdout[36:]


def host_tables(lines):
    return {x["key_name"]: objects_bytes(x) for x in lines
            if x["from"] == "host" and x["key_name"] in ("receive EMS",
                                                         "receive SCD")}


def test_fixtures_served_identically(tmp_path, session, xdi_server_factory):
    out_dir = tmp_path / "cut"
    rc, out, err = replay("fixtures", session, "--out", out_dir)
    assert rc == 0, err
    tables = host_tables(extract(session))
    assert (out_dir / "loopa.ems").read_bytes() == tables["receive EMS"]
    assert (out_dir / "loopa.scd").read_bytes() == tables["receive SCD"]
    assert len(tables["receive EMS"]) == 3 * 230
    assert len(tables["receive SCD"]) == 162
    yaml = (out_dir / "hosts.yaml").read_text()
    assert "  - system: LOOPA\n" in yaml and 'raw: "loopa.ems"' in yaml
    p = subprocess.run([str(build() / "tools" / "xdi-fixture" / "xdi-fixture"),
                        "validate", str(out_dir)], capture_output=True,
                       text=True, timeout=WITHIN)
    assert p.returncode == 0, p.stdout + p.stderr
    # The host's exec command came from an action of the fixture (host-side
    # automation, not part of any table): hosts.yaml names it in a comment.
    n = number_of(extract(session), "exec command")
    assert ('#   exec command "CANCEL U=JOKO" (conversation 1, NACCB %d)' % n
            in yaml), yaml
    # The cut set serves what the capture's host served: not one field of
    # any reply differs (the session without the event and its action).
    tables_only = write_lines(tmp_path / "tables.jsonl", [
        x for x in extract(session)
        if x["key_name"] not in ("info MSG", "exec command", "info CMD")])
    srv = xdi_server_factory(fixtures=out_dir)
    rc, out, err = replay("agent", tables_only, "--connect",
                          "%s:%d" % srv.address)
    assert rc == 0, out + err
    assert " 7 NACCBs, 0 differences" in summary(out)


def test_fixtures_replacement_kept(tmp_path, session):
    """A replace EMS later in the conversation (added to the JSON Lines:
    the receive EMS again, as replace, with one text changed) is the
    host's current table, and hosts.yaml says so."""
    lines = [x for x in extract(session) if x["conversation"] == 1]
    rcv = next(x for x in lines if x["key_name"] == "receive EMS")
    rep = copy.deepcopy(rcv)
    rep.update(request=3, key="01020301", key_name="replace EMS",
               request_name="replace")
    rep["objects"][2]["additional_text"] = "a job ABENDED"
    i = next(i for i, x in enumerate(lines) if x["key_name"] == "logout")
    lines.insert(i, rep)
    edited = write_lines(tmp_path / "replaced.jsonl", lines)
    out_dir = tmp_path / "cut"
    rc, out, err = replay("fixtures", edited, "--out", out_dir)
    assert rc == 0, err
    want = objects_bytes(rep)
    assert want != objects_bytes(rcv)
    assert (out_dir / "loopa.ems").read_bytes() == want
    yaml = (out_dir / "hosts.yaml").read_text()
    assert ("# replace EMS of conversation 1, NACCB %d" % (i + 1)) in yaml, yaml
    assert "kept as the host's current table" in yaml, yaml


def test_agent_ipv6_host(session, xdi_server_factory):
    """A capture over IPv4 played to a host on IPv6 ([::1]:PORT)."""
    srv = xdi_server_factory(fixtures=E2E, listen=("[::1]:0",))
    host, port = srv.address
    assert ":" in host
    rc, out, err = replay("agent", session, "--connect", "[%s]:%d" % (host, port))
    assert rc == 0, out + err


def test_progress_on_a_terminal(session, xdi_server_factory):
    """stderr a terminal: the progress line (NACCBs, conversations,
    differences); stderr a file (every other test): none."""
    import pty
    srv = xdi_server_factory(fixtures=E2E)
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen([str(replay_bin()), "agent", str(session),
                              "--connect", "%s:%d" % srv.address],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=slave)
        os.close(slave)
        slave = None
        out, _ = p.communicate(timeout=WITHIN)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the last writer closed
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
        if slave is not None:
            os.close(slave)
    assert p.returncode == 0, out
    assert b"NACCBs 10  conversations 1/1  differences 0" in seen, seen
    # The progress line is cleared before the summary: stdout has none.
    assert b"NACCBs 10  conversations" not in out


def test_host_agent_command_placeholders(tmp_path, session):
    """{host} {port} {system} are filled in as single shell words; an
    agent that exits before it connects is said at once with its exit
    code; one that cannot be run is exit 3 too."""
    got = tmp_path / "args.txt"
    cmd = "printf '%%s|' {host} {port} {system} > %s; exit 4" % shlex.quote(
        str(got))
    t0 = time.monotonic()
    rc, out, err = replay("host", session, "--agent", cmd, "--timeout", "20")
    assert rc == 3, out + err
    assert time.monotonic() - t0 < 10  # not the whole connect window
    assert "the agent did not connect" in err and "exited with code 4" in err
    host, port, system, rest = got.read_text().split("|")
    assert (host, system, rest) == ("127.0.0.1", "LOOPA", "")
    assert 0 < int(port) < 65536
    rc, out, err = replay("host", session, "--agent",
                          str(tmp_path / "no-such-agent") + " {port}")
    assert rc == 3 and "could not be run" in err, err


def test_host_side_only_conversation(tmp_path, session):
    """A conversation of the host's side alone (xdi-fuzz writes its
    reproducers so): sent at its captured times, what the agent sends is
    read and not compared; the real agent stays connected (no difference),
    the crash-unknown mutant aborts on the request code 0C it does not
    know, and that is the difference, with how the agent ended."""
    lines = [x for x in extract(session) if x["from"] == "host"]
    host_only = write_lines(tmp_path / "host.jsonl", lines)
    template = "%s --server {host}:{port} --system {system}"
    rc, out, err = replay("host", host_only, "--agent",
                          template % shlex.quote(str(agent_binary())),
                          "--agent-log", tmp_path / "agent.log")
    assert rc == 0, out + err
    accept = lines[0]
    assert accept["key_name"] == "accept"
    unknown = copy.deepcopy(accept)
    unknown.update(request=12, key="01020C00", time=accept["time"] + 0.1)
    del unknown["key_name"], unknown["request_name"]
    crash = write_lines(tmp_path / "crash.jsonl", [accept, unknown])
    binary = mutant_bin("crash-unknown")
    assert binary.exists(), "%s is not built" % binary
    rc, out, err = replay("host", crash, "--agent",
                          template % shlex.quote(str(binary)), "--agent-log",
                          tmp_path / "mutant.log")
    assert rc == 1, out + err
    got = diff_lines(out)
    assert len(got) == 1, got
    assert got[0].startswith(
        "conversation 1: NACCB 2 (01020C00, from the host): connection: "
        "captured (open), now (the agent closed the connection; the agent "), got
    assert "signal 6" in got[0], got  # SIGABRT
    rc, out, err = replay("host", crash, "--agent",
                          template % shlex.quote(str(agent_binary())),
                          "--agent-log", tmp_path / "agent.log")
    assert rc == 0, out + err


def test_tcpdump_capture_round_trip(tmp_path, xdi_server_factory):
    """The whole chain on a capture taken with tcpdump: extract gives the
    session, fixtures cuts tables equal to what the host sent, agent
    passes a fresh server and host passes the real agent."""
    dump = tcpdump_session(tmp_path, xdi_server_factory)
    lines = extract(dump)
    assert sorted(keys(lines)) == sorted(EXPECTED)
    out_dir = tmp_path / "cut"
    rc, _, err = replay("fixtures", dump, "--out", out_dir)
    assert rc == 0, err
    tables = host_tables(lines)
    assert (out_dir / "loopa.ems").read_bytes() == tables["receive EMS"]
    assert (out_dir / "loopa.scd").read_bytes() == tables["receive SCD"]
    srv = xdi_server_factory(fixtures=E2E, args=["--random-ids"])
    rc, out, err = replay("agent", dump, "--connect", "%s:%d" % srv.address)
    assert rc == 0, out + err
    rc, out, err = replay("host", dump, "--agent",
                          agent_template(agent_binary(), tmp_path),
                          "--agent-log", tmp_path / "agent.log")
    assert rc == 0, out + err


def test_host_two_conversations_at_once(tmp_path, xdi_server_factory):
    """Two conversations (LOOPA with its script, TFRAME without events),
    each with its own agent on its own port, at once; the template picks
    the script by {system}, which is substituted quoted."""
    cap = capture_session(tmp_path, xdi_server_factory,
                          systems=("LOOPA", "TFRAME"))
    empty = tmp_path / "empty.sim"
    empty.write_text("")
    template = ("%s --server {host}:{port} --system {system} --backoff 20 "
                "--simulate \"$(if [ {system} = LOOPA ]; then echo %s; "
                "else echo %s; fi)\"" % (
                    shlex.quote(str(agent_binary())),
                    shlex.quote(str(sim_file(tmp_path))),
                    shlex.quote(str(empty))))
    report = tmp_path / "host.xml"
    rc, out, err = replay("host", cap, "--agent", template, "--agent-log",
                          tmp_path / "agents.log", "--junit", report)
    assert rc == 0, out + err + (tmp_path / "agents.log").read_text()
    _, cases = junit(report)
    assert cases == {"conversation 1": ("pass", ""),
                     "conversation 2": ("pass", "")}


def test_host_agent_command_quotes_like_xdi_conform(tmp_path, session):
    """A system name with a quote, a blank and a $ (edited into the JSON
    Lines) reaches the command as one word, unexpanded, as shlex.quote
    (xdi-conform's quoting) makes it."""
    lines = extract(session)
    for x in lines:
        x["system_name"] = "A'B $C"
    edited = write_lines(tmp_path / "odd.jsonl", lines)
    got = tmp_path / "args.txt"
    cmd = "printf '%%s|' {system} > %s; exit 4" % shlex.quote(str(got))
    rc, out, err = replay("host", edited, "--agent", cmd)
    assert rc == 3, out + err
    assert got.read_text() == "A'B $C|"


def test_agent_plain_decode_lines(tmp_path, session, xdi_server_factory):
    """Lines without what extract adds (plain `naccb decode` output of
    both sides, merged by hand): conversation 1, the sender from the
    direction, played in file order."""
    lines = extract(session)
    for x in lines:
        for k in ("conversation", "from", "time", "src", "dst"):
            del x[k]
    plain = write_lines(tmp_path / "plain.jsonl", lines)
    srv = xdi_server_factory(fixtures=E2E)
    rc, out, err = replay("agent", plain, "--connect", "%s:%d" % srv.address)
    assert rc == 0, out + err
    assert " 10 NACCBs, 0 differences" in summary(out)


def test_fixtures_system_rewritten(tmp_path, session):
    """--system LOOPA=SYSX: the host and every EVBLOK and EOTINFO of its
    tables carry SYSX (E2E8E2E7 in 037), and the set is valid (the loader
    requires the host's own name in each object)."""
    out_dir = tmp_path / "sysx"
    rc, _, err = replay("fixtures", session, "--system", "LOOPA=SYSX",
                        "--out", out_dir)
    assert rc == 0, err
    assert "  - system: SYSX\n" in (out_dir / "hosts.yaml").read_text()
    ems = (out_dir / "sysx.ems").read_bytes()
    assert ems.count(bytes.fromhex("E2E8E2E740404040")) == 3
    assert bytes.fromhex(WIRE["LOOPA"]) not in ems
    p = subprocess.run([str(build() / "tools" / "xdi-fixture" / "xdi-fixture"),
                        "validate", str(out_dir)], capture_output=True,
                       text=True, timeout=WITHIN)
    assert p.returncode == 0, p.stdout + p.stderr
