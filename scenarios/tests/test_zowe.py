"""Zowe CLI 8, the standard z/OSMF client, against xdi-server's z/OSMF face
with the reference agent connected, over plain HTTP: `zosmf check status`;
jobs (`submit stdin`, `view job-status-by-jobid`, `list jobs --owner
--prefix`, `view all-spool-content`, `cancel job`, `delete job`); TSO
(`issue command` with the stateless API and with `--ssm false`, the
servlet API; `start`, `send`, `ping`, `stop address-space`).  Each checks
what Zowe printed and what the agent was sent and did (the journal).

Zowe CLI comes from the npm registry (the one dependency from outside
Debian, for this test only), installed by ci/zowe.sh into a private
directory (build/zowe, or $XDI_ZOWE_DIR); the test is skipped, saying
why, when that cannot be done here (no registry, no Node.js).
"""

import os
import pathlib
import re
import subprocess

import pytest

import zosmf_env as env
from zosmf_env import PAYROLL2_JCL, PAYSLOW_JCL

ZOWE_WITHIN = 120


@pytest.fixture(scope="module")
def zowe_bin():
    src = pathlib.Path(os.environ.get("XDI_SOURCE_DIR",
                                      pathlib.Path(__file__).parents[2]))
    p = subprocess.run(["sh", str(src / "ci" / "zowe.sh")],
                       capture_output=True, text=True, timeout=900)
    if p.returncode == 77:
        pytest.skip("Zowe CLI cannot be installed here: "
                    + (p.stderr.strip().splitlines() or ["ci/zowe.sh: 77"])[-1])
    assert p.returncode == 0, p.stderr
    return p.stdout.strip().splitlines()[-1]


@pytest.fixture
def host(xdi_server_factory, tmp_path):
    h = env.Host(xdi_server_factory, tmp_path)
    h.agent("SYSA")
    yield h
    h.close()


class Zowe:
    def __init__(self, binary, host, home):
        self.binary = binary
        self.host = host
        home.mkdir(exist_ok=True)
        self.env = dict(os.environ, ZOWE_CLI_HOME=str(home), FORCE_COLOR="0",
                        NO_COLOR="1", ZOWE_SHOW_DEPRECATED="false")
        self.conn = ["--host", host.address[0], "--port",
                     str(host.address[1]), "--user", env.USER, "--password",
                     env.PASSWORD, "--protocol", "http",
                     "--reject-unauthorized", "false"]

    def __call__(self, *args, stdin=None, ok=True):
        p = subprocess.run([self.binary] + list(args) + self.conn,
                           input=stdin, capture_output=True, text=True,
                           env=self.env, timeout=ZOWE_WITHIN)
        if ok:
            assert p.returncode == 0, (args, p.stdout, p.stderr,
                                       self.host.srv.diagnostics())
        return p


@pytest.fixture
def zowe(zowe_bin, host, tmp_path):
    return Zowe(zowe_bin, host, tmp_path / "zowe-home")


def field(out, name):
    m = re.search(r"^%s:\s*(.*?)\s*$" % re.escape(name), out, re.M)
    assert m, out
    return m.group(1)


def test_check_status(zowe):
    out = zowe("zosmf", "check", "status").stdout
    assert "successfully connected to z/OSMF on '%s'" % zowe.host.address[0] \
        in out
    assert re.search(r"^zosmf_port:\s+%d$" % zowe.host.address[1], out, re.M)
    assert "04.27.00" in out and "SAFRealm" in out
    assert "TSO/E address space services" in out


def test_jobs_submit_view_list_spool_cancel_delete(zowe, host):
    journal = host.journal
    out = zowe("zos-jobs", "submit", "stdin", stdin=PAYROLL2_JCL).stdout
    jobid = field(out, "jobid")
    assert field(out, "jobname") == "PAYROLL2"
    # The host sent exec job PAYROLL2 to SYSA's agent, which ran it.
    sent = journal.wait_for(event="send", key="01020108", system="SYSA",
                            object=env.ebcdic_hex("PAYROLL2"))
    assert sent
    assert journal.find(event="control", interface="zosmf",
                        action="exec_job", job="PAYROLL2")
    env.wait_job_state(journal, "PAYROLL2", "J")

    out = zowe("zos-jobs", "view", "job-status-by-jobid", jobid).stdout
    assert field(out, "status") == "OUTPUT"
    assert field(out, "retcode") == "CC 0004"

    out = zowe("zos-jobs", "list", "jobs", "--owner", "SYSA", "--prefix",
               "PAY*").stdout
    assert re.search(r"^%s\s+CC 0004\s+PAYROLL2\s+OUTPUT\s*$" % jobid, out,
                     re.M), out
    out = zowe("zos-jobs", "list", "jobs", "--owner", "SYSB", "--prefix",
               "PAY*").stdout
    assert jobid not in out

    out = zowe("zos-jobs", "view", "all-spool-content", jobid).stdout
    assert "Spool file: JESMSGLG (ID #2, Step: JES2)" in out
    assert "         1 //PAYROLL2 JOB (ACCT),'PAY ROLL',CLASS=B" in out
    assert "IEF142I PAYROLL2 STEP1 - STEP WAS EXECUTED - COND CODE 0000" in out
    assert "IEF142I PAYROLL2 STEP2 - STEP WAS EXECUTED - COND CODE 0004" in out

    # A job that runs until stopped: cancel sends SYSA's cancel template.
    out = zowe("zos-jobs", "submit", "stdin", stdin=PAYSLOW_JCL).stdout
    slow = field(out, "jobid")
    journal.wait_for(event="send", key="01020108",
                     object=env.ebcdic_hex("PAYSLOW "))
    out = zowe("zos-jobs", "cancel", "job", slow).stdout
    assert "Successfully canceled job PAYSLOW (%s)" % slow in out
    journal.wait_for(event="send", key="01020104", system="SYSA",
                     object=env.ebcdic_hex("CANCEL PAYSLOW"))
    # The agent got it: it reports the command (a command event).
    journal.wait_for(event="info", kind="CMD", text="CANCEL PAYSLOW")

    out = zowe("zos-jobs", "delete", "job", jobid).stdout
    assert "Successfully deleted job PAYROLL2 (%s)" % jobid in out
    journal.wait_for(event="control", action="purge", jobid=jobid)
    p = zowe("zos-jobs", "view", "job-status-by-jobid", jobid, ok=False)
    assert p.returncode != 0
    assert "Cannot obtain job info for job id = %s" % jobid in \
        p.stdout + p.stderr


def commands_sent(journal, text):
    return journal.find(event="send", key="01020104", system="SYSA",
                        object=env.ebcdic_hex(text))


def test_tso_issue_command_both_apis(zowe, host):
    journal = host.journal
    # The stateless API (z/OSMF 2.4 and later, Zowe's default).
    out = zowe("zos-tso", "issue", "command", "TIME", "--account",
               "SYSA").stdout
    assert out.splitlines()[0] == "TIME"
    assert len(commands_sent(journal, "TIME")) == 1
    journal.wait_for(event="info", kind="CMD", text="TIME", system="SYSA")
    assert journal.find(event="control", action="tso_start") == []

    # --ssm false: the servlet API (start, send, receive, end).
    out = zowe("zos-tso", "issue", "command", "TIME", "--ssm", "false",
               "--account", "SYSA").stdout
    assert "IKJ56455I %s LOGON IN PROGRESS" % env.USER in out
    assert re.search(r"^TIME$", out, re.M), out
    assert len(commands_sent(journal, "TIME")) == 2
    journal.wait_for(event="info", kind="CMD", text="TIME", count=2)
    start = journal.wait_for(event="control", action="tso_start")
    end = journal.wait_for(event="control", action="tso_end")
    assert start[0]["servlet_key"] == end[0]["servlet_key"]
    assert start[0]["system"] == "SYSA"


def test_tso_address_space_start_send_ping_stop(zowe, host):
    journal = host.journal
    key = zowe("zos-tso", "start", "address-space", "--account", "SYSA",
               "--servlet-key-only").stdout.strip()
    assert re.fullmatch(r"%s-\d+-[a-z]{8}" % env.USER, key), key
    assert journal.wait_for(event="control", action="tso_start",
                            servlet_key=key)
    out = zowe("zos-tso", "send", "address-space", key, "--data",
               "TIME").stdout
    assert out.splitlines()[0] == "TIME"
    journal.wait_for(event="info", kind="CMD", text="TIME", system="SYSA")
    # A command the agent does not report: the TSO prompt comes back
    # after the wait, saying so.
    out = zowe("zos-tso", "send", "address-space", key, "--data",
               "LISTCAT").stdout
    assert "XDI201W LISTCAT: no answer from the agent" in out
    assert commands_sent(journal, "LISTCAT")
    out = zowe("zos-tso", "ping", "address-space", key).stdout
    assert "TSO address space pinged successfully, key was: %s" % key in out
    out = zowe("zos-tso", "stop", "address-space", key).stdout
    assert "TSO address space ended successfully, key was: %s" % key in out
    journal.wait_for(event="control", action="tso_end", servlet_key=key)
    p = zowe("zos-tso", "ping", "address-space", key, ok=False)
    assert p.returncode != 0
    assert "no TSO/E address space has this servlet key" in p.stdout + \
        p.stderr
