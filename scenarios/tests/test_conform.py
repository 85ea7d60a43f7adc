"""xdi-conform (tools/xdi-conform, docs/conformance.md): the reference agent
passes every check; the JUnit XML loads with xml.etree, one testcase per
check; a broken rule is a failure and a check the harness cannot run an
error; selection and skipping by name; checks that do not apply are
skipped, never passed; the pytest plugin; the adapters' quoting.

The mutation proof (each broken build of xdi-agent fails at least one
check) is test_conform_mutants.py, its own ctest entry.
"""

import os
import pathlib
import shlex
import subprocess
import sys

import pytest

from conform_run import (agent_binary, agent_template, build_dir,
                         check_names, junit_cases, run_against, run_conform)

def MUTANTS():
    return build_dir() / "tools" / "xdi-agent" / "mutants"


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    """One whole suite run against the reference agent."""
    work = tmp_path_factory.mktemp("conform")
    junit = work / "junit.xml"
    rc, out = run_against(agent_binary(), junit,
                          ["--workdir", work / "checks"])
    return rc, out, junit, work / "checks"


def test_conform_reference_agent_passes_every_check(reference_run):
    rc, out, junit, _ = reference_run
    names = check_names()
    assert rc == 0, out
    assert len(names) >= 25
    assert ("xdi-conform: %d passed, 0 failed, 0 errors, 0 skipped"
            % len(names)) in out, out
    cases = junit_cases(junit)
    # One testcase per check, in suite order, each passed.
    assert list(cases) == names
    assert {st for st, _ in cases.values()} == {"pass"}, out


def test_conform_reference_agent_no_sanitizer_report(reference_run):
    """The agent and xdi-server ran clean through every check (in the
    asan build: no AddressSanitizer / UBSan / leak report in their
    output)."""
    _, _, _, work = reference_run
    logs = list(work.glob("*/agent*.log")) + list(work.glob("*/*/stderr.log"))
    assert len(logs) >= len(check_names())
    for log in logs:
        text = log.read_text("utf-8", "replace")
        for marker in ("ERROR: AddressSanitizer", "runtime error:",
                       "ERROR: LeakSanitizer"):
            assert marker not in text, "%s:\n%s" % (log, text[-3000:])


def test_conform_junit_names_properties_transcript(reference_run):
    _, _, junit, _ = reference_run
    for name, (_, tc) in junit_cases(junit).items():
        assert tc.get("classname") == "xdi-conform." + name.split(".")[0]
        props = {p.get("name"): p.get("value")
                 for p in tc.findall("properties/property")}
        assert props["seed"] and props["protocol"], name
        assert props["host"] in ("scripted", "xdi-server")
        out = tc.find("system-out")
        # The transcript: the NACCBs exchanged, decoded.
        assert out is not None and "login" in out.text, name


def test_conform_failure_error_and_not_selected(tmp_path):
    """login.format against a build that sends the system name in ASCII
    is a failure with a field diff; server.clean_session with no
    xdi-server is an error; every other check is skipped (not selected)."""
    junit = tmp_path / "junit.xml"
    rc, out = run_against(MUTANTS() / "xdi-agent-mutant-ascii-name", junit,
                          ["--check", "login.format", "--check",
                           "server.clean_session", "--server-binary",
                           tmp_path / "no-such-server"])
    assert rc == 1, out
    cases = junit_cases(junit)
    assert len(cases) == len(check_names())
    status, tc = cases["login.format"]
    assert status == "fail"
    f = tc.find("failure")
    assert f.get("type") == "ProtocolViolation"
    # The field-level diff: the system name field is marked.
    assert "! system" in f.text
    assert "C3D6D5C6C1404040 'CONFA'" in f.text      # expected, EBCDIC
    assert "434F4E4641202020" in f.text               # got, ASCII
    status, tc = cases["server.clean_session"]
    assert status == "error"
    assert "xdi-server not found" in tc.find("error").get("message")
    others = [n for n in cases if n not in ("login.format",
                                            "server.clean_session")]
    for n in others:
        status, tc = cases[n]
        assert status == "skip", n
        assert tc.find("skipped").get("message") == "not selected"
    assert "FAIL  login.format" in out and "ERROR server.clean_session" in out


def test_conform_errors_only_exit_3(tmp_path):
    """An agent command that cannot be run: every selected check is an
    error (the harness could not run it), not a failure; exit 3."""
    junit = tmp_path / "junit.xml"
    rc, out = run_conform(["--agent", "/nonexistent/agent {host} {port}",
                           "--check", "login.*", "--junit", junit])
    assert rc == 3, out
    cases = junit_cases(junit)
    ran = {n: st for n, (st, _) in cases.items() if n.startswith("login.")}
    assert ran and set(ran.values()) == {"error"}
    assert "could not be run (exit 127)" in out


def test_conform_select_and_skip(tmp_path):
    junit = tmp_path / "junit.xml"
    rc, out = run_against(agent_binary(), junit,
                          ["--check", "tables.*", "--skip", "tables.replace",
                           "--skip", "tables.one_byte_writes"])
    assert rc == 0, out
    cases = junit_cases(junit)
    for name, (status, tc) in cases.items():
        if name.startswith("tables.") and name not in (
                "tables.replace", "tables.one_byte_writes"):
            assert status == "pass", name
        else:
            assert status == "skip", name
            why = tc.find("skipped").get("message")
            assert why == ("skipped by --skip" if name.startswith("tables.")
                           else "not selected")


def test_conform_unknown_check_name_is_usage_error():
    rc, out = run_conform(["--agent", "x", "--check", "no.such.check"])
    assert rc == 2
    assert "no check is named 'no.such.check'" in out


@pytest.mark.parametrize("args, what", [
    (["--stop-signal", "BOGUS"], "unknown signal 'BOGUS'"),
    (["--timeout-scale", "-1"], "'-1' is not a number above 0"),
    (["--timeout-scale", "0"], "'0' is not a number above 0"),
    (["--timeout-scale", "nan"], "'nan' is not a number above 0"),
    (["--no-such-option"], "unrecognized arguments: --no-such-option"),
])
def test_conform_bad_option_values_are_usage_errors(args, what):
    # Found before any check runs: exit 2 and the usual two lines, never a
    # suite that blames the agent (--timeout-scale -1 once failed 16 checks,
    # --stop-signal BOGUS exited 1).
    rc, out = run_conform(["--agent", "true"] + args, within=30)
    assert rc == 2, out
    assert out.startswith("xdi-conform: ")
    assert what in out
    assert out.rstrip().endswith("Try 'xdi-conform --help'.")
    assert "PASS" not in out and "FAIL" not in out


def test_conform_stop_signal_by_name_or_number():
    from xdi.conform import cli
    import signal
    for text in ("TERM", "sigint", "HUP", "9"):
        assert isinstance(cli._signal(text), signal.Signals), text
    assert cli._signal("int") == signal.SIGINT
    assert cli._signal("9") == signal.SIGKILL
    for text in ("SIG_DFL", "BOGUS", "9999", ""):
        with pytest.raises(Exception):
            cli._signal(text)


def test_conform_version_names_libnaccb():
    rc, out = run_conform(["--version"], within=30)
    assert rc == 0, out
    from xdi import codec
    assert out.strip() == "xdi-conform (xdi-emu) %s, libnaccb %s" % (
        codec.version(), codec.version())
    rc2, out2 = run_conform(["-V"], within=30)
    assert (rc2, out2) == (rc, out)


def test_conform_without_adapters_skips_never_passes(tmp_path):
    """Without event adapters, jobs, holidays or --faketime the checks that
    need them are skipped with the reason; the rest pass."""
    junit = tmp_path / "junit.xml"
    template = ("%s --server {host}:{port} --system {system} --backoff 20 "
                "--retries 50" % agent_binary())
    rc, out = run_conform(["--agent", template, "--junit", junit])
    assert rc == 0, out
    cases = junit_cases(junit)
    needing = {"tables.all_entries": "no --inject-message adapter",
               "events.only_matched": "no --inject-message adapter",
               "events.job_texts": "neither {jobs}",
               "exec.job": "the agent command has no {jobs}",
               "frame.time": "--faketime not given",
               "frame.holiday": "the agent command has no {holidays}"}
    for name, why in needing.items():
        status, tc = cases[name]
        assert status == "skip", name
        assert why in tc.find("skipped").get("message"), name
    for name in ("login.format", "tables.both_missing", "exec.command",
                 "robust.unknown_codes", "shutdown.host_request",
                 "session.reconnect", "server.clean_session"):
        assert cases[name][0] == "pass", (name, out)


def test_conform_faketime_needs_dynamic_agent(tmp_path):
    """A statically linked agent (here /sbin/ldconfig, static on Debian)
    gets the time-frame checks skipped: libfaketime cannot reach it."""
    from xdi.conform.agentproc import statically_linked
    if not statically_linked("/sbin/ldconfig"):
        pytest.skip("/sbin/ldconfig is not statically linked here")
    junit = tmp_path / "junit.xml"
    rc, out = run_conform(["--agent", "/sbin/ldconfig -p {host} {port}",
                           "--faketime", "--check", "frame.*",
                           "--inject-message", "true {text}",
                           "--junit", junit])
    assert rc == 0, out
    cases = junit_cases(junit)
    status, tc = cases["frame.time"]
    assert status == "skip"
    assert "statically linked" in tc.find("skipped").get("message")


def test_conform_adapter_quoting(tmp_path):
    """Wire text reaches an adapter as one shell word: no shell syntax in
    it is ever run."""
    from xdi.conform.agentproc import render
    hostile = "A'; touch %s/pwned; echo '$(id) `id` \"x\" \\" % tmp_path
    out = tmp_path / "out.txt"
    cmd = render("printf '%%s' {text} > %s" % shlex.quote(str(out)),
                 {"text": hostile})
    subprocess.run(["/bin/sh", "-c", cmd], check=True, timeout=10)
    assert out.read_text() == hostile
    assert not (tmp_path / "pwned").exists()


def test_conform_as_pytest_plugin(tmp_path):
    """pytest -p xdi.conform.pytest_plugin --xdi-conform=...: one test per
    check, -k selects; a broken agent fails the test with the evidence."""
    scenarios = pathlib.Path(__file__).resolve().parents[1]  # the package's
    env = dict(os.environ, PYTHONPATH=str(scenarios),
               XDI_CONFORM_SERVER=str(build_dir() / "server" / "xdi-server"))
    for var in ("XDI_ASAN_RESTARTED",):
        env.pop(var, None)

    def run(binary):
        value = "--agent %s" % shlex.quote(agent_template(binary))
        p = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "xdi.conform.pytest_plugin",
             "-p", "xdi.pytest_plugin", "-p", "no:cacheprovider", "-q",
             "--rootdir", str(tmp_path), "--xdi-conform=" + value,
             "-k", "login or both_missing"], cwd=tmp_path, env=env,
            stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
        return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")

    rc, out = run(agent_binary())
    assert rc == 0, out
    assert "4 passed" in out, out
    rc, out = run(MUTANTS() / "xdi-agent-mutant-le-length")
    assert rc == 1, out
    assert "xdi-conform::login.format" in out
    assert "lost the NACCB framing" in out


def test_conform_inject_job_adapter(tmp_path):
    """--inject-job gets {job}, {rc} and {script} (the job script the suite
    wrote, steps through --job-step), every value one quoted word."""
    from xdi.conform import checks, engine  # noqa: F401 (registers)
    from xdi.conform.engine import Config, Context
    cfg = Config(agent="agent {jobs}",
                 inject_job="cp {script} {workdir}/got-{job}; "
                            "echo {rc} > {workdir}/rc",
                 job_step="echo STEP {step} {rc}")
    ctx = Context(cfg, engine.REGISTRY[0], tmp_path)
    ctx.address, ctx.system = ("127.0.0.1", 1), "CONFA"
    try:
        ctx.run_job(None, "CJOB1", [("STEP1", 0), ("STEP2", 4)], 2)
    finally:
        ctx.close()
    script = (tmp_path / "got-CJOB1").read_text().splitlines()
    assert script[0] == "#!/bin/sh"
    assert script[2:] == ["echo STEP STEP1 0", "echo STEP STEP2 4", "exit 2"]
    assert (tmp_path / "rc").read_text() == "2\n"
