"""Helpers of the xdi-conform tests (scenarios/test_conform*.py): run the
built command, tools/xdi-conform/xdi-conform, against an agent binary with
the adapters the reference agent needs, and read its JUnit XML.

The reference agent's adapters (docs/conformance.md): message events are
lines appended to a file it follows, jobs are scripts of {jobs} that
report steps on $XDI_STEP_FD, the holiday calendar is {holidays}.
"""

import os
import pathlib
import re
import subprocess
import xml.etree.ElementTree as ET

WITHIN = 600.0  # a whole suite run, at most


def build_dir():
    return pathlib.Path(os.environ["XDI_BUILD_DIR"])


def conform_binary():
    return build_dir() / "tools" / "xdi-conform" / "xdi-conform"


def agent_binary():
    return build_dir() / "tools" / "xdi-agent" / "xdi-agent"


def sanitized():
    """True when the build is sanitized (libnaccb needs libasan): every
    deadline of the suite is then scaled."""
    lib = os.environ.get("XDI_LIBNACCB")
    try:
        return lib is not None and re.search(
            rb"libasan\.so", pathlib.Path(lib).read_bytes()) is not None
    except OSError:
        return False


def agent_template(binary):
    return ("%s --server {host}:{port} --system {system} --backoff 20 "
            "--retries 50 --poll-ms 20 --follow {workdir}/messages.log "
            "--jobs {jobs} --holidays {holidays} --allow '^XCMD .*'"
            % binary)


ADAPTERS = ["--inject-message",
            'printf "%s\\n" {text} >> {workdir}/messages.log',
            "--job-step", 'echo "STEP {step} {rc}" >&"$XDI_STEP_FD"',
            "--refused-command", "true REFUSED BY POLICY",
            "--faketime"]


def run_conform(args, within=WITHIN):
    """Runs xdi-conform; returns (exit code, stdout + stderr)."""
    cmd = [str(conform_binary())] + [str(a) for a in args]
    if sanitized():
        cmd += ["--timeout-scale", "3"]
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=within)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("xdi-conform still running after %.0f s: %s"
                             % (within, cmd)) from e
    return p.returncode, p.stdout.decode("utf-8", "replace")


def run_against(binary, junit, extra=(), adapters=True, within=WITHIN):
    args = ["--agent", agent_template(binary), "--junit", junit]
    if adapters:
        args += ADAPTERS
    return run_conform(args + list(extra), within)


def junit_cases(path):
    """{check name: (status, element)} from a JUnit file, in file order;
    status is pass, fail, error or skip.  Also asserts the document's
    shape: one suite, counts that add up."""
    root = ET.parse(path).getroot()
    suites = root.findall("testsuite")
    assert root.tag == "testsuites" and len(suites) == 1
    cases = {}
    for tc in suites[0].findall("testcase"):
        name = tc.get("name")
        assert name not in cases, "testcase %s twice" % name
        kinds = [k for k in ("failure", "error", "skipped")
                 if tc.find(k) is not None]
        assert len(kinds) <= 1, (name, kinds)
        status = {"failure": "fail", "error": "error",
                  "skipped": "skip"}.get(kinds[0] if kinds else None, "pass")
        cases[name] = (status, tc)
    s = suites[0]
    assert int(s.get("tests")) == len(cases)
    for attr, status in (("failures", "fail"), ("errors", "error"),
                         ("skipped", "skip")):
        assert int(s.get(attr)) == sum(1 for st, _ in cases.values()
                                       if st == status), attr
    return cases


def check_names():
    """Every check of the suite, in order (xdi-conform --list)."""
    rc, out = run_conform(["--list"], within=60)
    assert rc == 0, out
    return [line.split()[0] for line in out.splitlines() if line.strip()]
