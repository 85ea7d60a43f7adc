"""What the z/OSMF scenarios share (test_zowe.py, test_zosmf_jobs_py.py,
test_zosmf_gateway.py): a fixture set written for them, xdi-server with
its control plane and a user file, the reference agent running jobs, and
a small z/OSMF client on the Python standard library.

The fixture set (written into the test's directory):
- SYSA: the reference agent runs its jobs (PAYROLL2 ends with CC 4 after
  two steps, PAYSLOW runs until it is stopped); its EMS table has the
  command events TIME and CANCEL, so the agent reports those commands back
  (a TSO command's answer); its SCD table has both jobs, so the agent
  reports their steps and ends as EOTINFO; `cancel_command: "CANCEL &job"`;
- SYSB: EMS with TIME, no cancel command;
- SYSC: no table at all; used for a system without an agent.

The user `ibmuser` (password `secret`) has SYSA as default system.
Nothing sleeps: readiness is the server's `control on` line and the
agent's `running:` log line, every wait is for a journal record.
"""

import base64
import json
import pathlib
import queue
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

from agent_proc import server_arg
from agent_proc import xdi_agent as agent_process
from xdi.server import server_binary

USER = "ibmuser"
PASSWORD = "secret"
WITHIN = 10.0

FIXTURE = """\
hosts:
  - system: SYSA
    cancel_command: "CANCEL &job"
    ems:
      events:
        - {key: "TIME", type: command, text: "TSO TIME"}
        - {key: "CANCEL", type: command, text: "the host cancels a job"}
    scd:
      jobs:
        - job: PAYROLL2
        - job: PAYSLOW
  - system: SYSB
    ems:
      events:
        - {key: "TIME", type: command}
  - system: SYSC
"""

JOBS = {
    # Two steps, the second with rc 4: the job's CC is 0004.
    "PAYROLL2": "#!/bin/sh\necho 'STEP STEP1 0' >&3\necho 'STEP STEP2 4' >&3\n"
                "exit 4\n",
    # Runs until the agent stops (SIGTERM to its children).
    "PAYSLOW": "#!/bin/sh\nexec sleep 60\n",
}

PAYROLL2_JCL = ("//PAYROLL2 JOB (ACCT),'PAY ROLL',CLASS=B\n"
                "/*JOBPARM SYSAFF=SYSA\n"
                "//STEP1 EXEC PGM=PAYROLL\n"
                "//STEP2 EXEC PGM=PAYPRINT\n")
PAYSLOW_JCL = "//PAYSLOW JOB CLASS=A\n/*XEQ SYSA\n//S1 EXEC PGM=SLOW\n"


def write_set(tmp_path):
    """The fixture directory, the jobs directory and the users file."""
    fx = tmp_path / "fixtures"
    fx.mkdir()
    (fx / "hosts.yaml").write_text(FIXTURE)
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    for name, text in JOBS.items():
        p = jobs / name
        p.write_text(text)
        p.chmod(0o755)
    hashed = subprocess.run([str(server_binary()), "--control-passwd"],
                            input=PASSWORD + "\n", capture_output=True,
                            text=True, timeout=WITHIN, check=True)
    users = tmp_path / "users"
    users.write_text("%s:%s:SYSA\nnodefault:%s\n"
                     % (USER, hashed.stdout.strip(), hashed.stdout.strip()))
    return fx, jobs, users


def control_address(srv, within=WITHIN):
    """(host, port) of the `control on ADDR:PORT` line."""
    rx = re.compile(r"^control on (\[(?P<v6>[^\]]+)\]|(?P<v4>[^:]+)):"
                    r"(?P<port>\d+)$")
    for line in srv.stdout_lines():
        m = rx.match(line)
        if m:
            return (m.group("v6") or m.group("v4"), int(m.group("port")))
    deadline = time.monotonic() + within
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError("no 'control on' line\n" + srv.diagnostics())
        try:
            line = srv._lines.get(timeout=remaining)
        except queue.Empty:
            continue
        if line is None:
            raise AssertionError("xdi-server exited\n" + srv.diagnostics())
        srv._stdout_tail.append(line)
        m = rx.match(line)
        if m:
            return (m.group("v6") or m.group("v4"), int(m.group("port")))


class Host:
    """xdi-server with its control plane, and the agents started for it."""

    def __init__(self, factory, tmp_path):
        self.tmp = tmp_path
        self.fixtures, self.jobs, self.users = write_set(tmp_path)
        # A short request timeout: idle keep-alive connections are closed
        # soon, so a client (Node's http agent) exits without waiting.
        self.srv = factory(fixtures=self.fixtures,
                           args=["--control", "127.0.0.1:0",
                                 "--control-users", str(self.users),
                                 "--control-timeout", "0.5"])
        self.address = control_address(self.srv)
        self.url = "http://%s:%d" % self.address
        self.agents = []

    @property
    def journal(self):
        return self.srv.journal

    def agent(self, system, jobs=True):
        """The reference agent for system, running (tables received)."""
        args = ["--server", server_arg(self.srv.address), "--system", system,
                "--backoff", "20"]
        if jobs:
            args += ["--jobs", str(self.jobs)]
        a = agent_process(args, self.tmp / ("agent-" + system))
        self.agents.append(a)
        a.wait_line(r"running: ")
        return a

    def close(self):
        for a in self.agents:
            a.stop()


def basic(user=USER, password=PASSWORD):
    raw = ("%s:%s" % (user, password)).encode()
    return "Basic " + base64.b64encode(raw).decode()


class Response:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.raw = raw

    @property
    def text(self):
        return self.raw.decode("utf-8")

    def json(self):
        assert self.headers.get("content-type", "").startswith(
            "application/json"), (self.status, self.headers, self.raw[:200])
        return json.loads(self.raw)


def request(url, method, path, body=None, auth=None, csrf=True,
            content_type=None, timeout=30):
    """One z/OSMF request with urllib, as jobs.py makes them: Basic
    authentication and X-CSRF-ZOSMF-HEADER on every request."""
    headers = {"Authorization": auth or basic()}
    if csrf:
        headers["X-CSRF-ZOSMF-HEADER"] = "true"
    data = None
    if body is not None:
        if isinstance(body, str):
            data = body.encode()
            headers["Content-Type"] = content_type or "text/plain"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = content_type or "application/json"
    req = urllib.request.Request(url + path, data=data, method=method,
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Response(r.status, r.getheaders(), r.read())
    except urllib.error.HTTPError as e:
        return Response(e.code, e.headers.items(), e.read())


def ebcdic_hex(text):
    """The EBCDIC (code page 037) bytes of text in upper-case hex, as the
    journal writes a NACCB's object."""
    return text.encode("cp037").hex().upper()


def wait_job_state(journal, name, notes_first, within=WITHIN):
    """The EOTINFO report (info kind EOT) of job name whose notes begin
    with notes_first ('J' end of job, 'S' a step)."""
    return journal.wait_for(
        lambda r: r.get("event") == "info" and r.get("kind") == "EOT"
        and r.get("eotinfo", {}).get("job_name") == name
        and r["eotinfo"].get("notes", "").startswith(notes_first),
        within=within)
