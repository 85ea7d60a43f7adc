"""The z/OSMF jobs REST interface as the seed's jobs.py uses it, played
with the Python standard library against xdi-server with the reference
agent connected: list jobs by owner and prefix (then each job's status),
restart a job by re-submitting the JCL from its spool, cancel a job.  Each
step checks what the agent was sent and did (the journal) and what the
client got back.  Also z/OSMF's refusals: no X-CSRF-ZOSMF-HEADER, a wrong
password, bad JCL (named by line), an unknown job, a host without a cancel
command, and a job held as INPUT for a system without an agent until one
logs in.
"""

import urllib.parse

import pytest

import zosmf_env as env
from zosmf_env import PAYROLL2_JCL, PAYSLOW_JCL, request

JOBS = "/zosmf/restjobs/jobs"


@pytest.fixture
def host(xdi_server_factory, tmp_path):
    h = env.Host(xdi_server_factory, tmp_path)
    yield h
    h.close()


# ---- jobs.py's three functions ---------------------------------------------


def jobs_py_list(url, owner, prefix="*"):
    """jobs.py list: the owner's jobs with the prefix, then the status of
    each one."""
    q = urllib.parse.urlencode({"owner": owner, "prefix": prefix})
    r = request(url, "GET", JOBS + "?" + q)
    assert r.status == 200, r.raw
    out = []
    for job in r.json():
        s = request(url, "GET", "%s/%s/%s" % (JOBS, job["jobname"],
                                              job["jobid"]))
        assert s.status == 200, s.raw
        out.append(s.json())
    return out


def jobs_py_restart(url, jobid, jobname):
    """jobs.py restart: the JCL from the job's spool, submitted again."""
    jcl = request(url, "GET", "%s/%s/%s/files/JCL/records"
                  % (JOBS, jobname, jobid))
    assert jcl.status == 200, jcl.raw
    r = request(url, "PUT", JOBS, body=jcl.text)
    assert r.status == 201, r.raw
    return jcl.text, r.json()


def jobs_py_cancel(url, jobid, jobname):
    return request(url, "PUT", "%s/%s/%s" % (JOBS, jobname, jobid),
                   body={"request": "cancel", "version": "2.0"})


def submit(url, jcl):
    r = request(url, "PUT", JOBS, body=jcl)
    assert r.status == 201, r.raw
    return r.json()


def exec_jobs(journal, name, system="SYSA"):
    """The exec job NACCBs the server sent for name (key 01020108)."""
    return journal.find(lambda r: r.get("event") == "send"
                        and r.get("key") == "01020108"
                        and r.get("system") == system
                        and r.get("object") == env.ebcdic_hex(name.ljust(8)))


def test_list_restart_cancel_as_jobs_py(host):
    host.agent("SYSA")
    url = host.url
    job = submit(url, PAYROLL2_JCL)
    assert job["jobname"] == "PAYROLL2" and job["owner"] == "SYSA"
    assert job["type"] == "JOB" and job["class"] == "B"
    # The agent ran it: both steps and the end came back as EOTINFO.
    env.wait_job_state(host.journal, "PAYROLL2", "J")
    assert len(exec_jobs(host.journal, "PAYROLL2")) == 1
    ctl = host.journal.find(event="control", interface="zosmf",
                            action="exec_job")
    assert ctl and ctl[0]["user"] == env.USER and ctl[0]["job"] == "PAYROLL2"

    listed = jobs_py_list(url, "SYSA", "PAY*")
    mine = [j for j in listed if j["jobid"] == job["jobid"]]
    assert mine, listed
    assert mine[0]["status"] == "OUTPUT" and mine[0]["retcode"] == "CC 0004"
    assert mine[0]["phase-name"] == "Job is on the hard copy queue"
    # Another owner, another prefix: not listed.
    assert jobs_py_list(url, "SYSB", "PAY*") == []
    assert jobs_py_list(url, "SYSA", "BACKUP*") == []
    assert any(j["jobid"] == job["jobid"] for j in jobs_py_list(url, "*"))

    # Step data: the two EOTINFO step reports.
    sd = request(url, "GET", "%s/PAYROLL2/%s?step-data=Y"
                 % (JOBS, job["jobid"])).json()["step-data"]
    assert [(d["step-name"], d["completion"]) for d in sd] == \
        [("STEP1", "CC 0000"), ("STEP2", "CC 0004")]

    # Restart: the spool's JCL is the JCL submitted, and it runs again.
    jcl, again = jobs_py_restart(url, job["jobid"], "PAYROLL2")
    assert jcl == PAYROLL2_JCL
    assert again["jobid"] != job["jobid"] and again["jobname"] == "PAYROLL2"
    host.journal.wait_for(lambda r: len(exec_jobs(host.journal,
                                                  "PAYROLL2")) == 2)
    host.journal.wait_for(
        lambda r: r.get("event") == "info" and r.get("kind") == "EOT"
        and r["eotinfo"]["job_name"] == "PAYROLL2"
        and r["eotinfo"]["notes"].startswith("J"), count=2)

    # Spool: the step reports as z/OS writes them, the JCL numbered.
    files = request(url, "GET", "%s/PAYROLL2/%s/files"
                    % (JOBS, job["jobid"])).json()
    assert [f["ddname"] for f in files] == ["JESMSGLG", "JESJCL", "JESYSMSG"]
    sysmsg = request(url, "GET", "%s/PAYROLL2/%s/files/4/records"
                     % (JOBS, job["jobid"])).text
    assert "IEF142I PAYROLL2 STEP2 - STEP WAS EXECUTED - COND CODE 0004" \
        in sysmsg
    jesjcl = request(url, "GET", "%s/PAYROLL2/%s/files/3/records"
                     % (JOBS, job["jobid"])).text
    assert "         2 /*JOBPARM SYSAFF=SYSA" in jesjcl

    # Cancel: the host's cancel template goes to the agent as an exec
    # command, and the agent reports it (a command event of its table).
    slow = submit(url, PAYSLOW_JCL)
    host.journal.wait_for(lambda r: len(exec_jobs(host.journal,
                                                  "PAYSLOW")) == 1)
    st = request(url, "GET", "%s/PAYSLOW/%s" % (JOBS, slow["jobid"])).json()
    assert st["status"] == "ACTIVE" and st["retcode"] is None
    r = jobs_py_cancel(url, slow["jobid"], "PAYSLOW")
    assert r.status == 200, r.raw
    fb = r.json()
    assert fb["status"] == 0 and fb["jobid"] == slow["jobid"]
    sent = host.journal.wait_for(event="send", key="01020104",
                                 object=env.ebcdic_hex("CANCEL PAYSLOW"))
    assert sent[0]["system"] == "SYSA"
    host.journal.wait_for(event="info", kind="CMD", text="CANCEL PAYSLOW")


def test_refusals_as_zosmf_gives_them(host):
    host.agent("SYSA")
    url = host.url
    # Without X-CSRF-ZOSMF-HEADER a change is refused, and nothing is sent.
    r = request(url, "PUT", JOBS, body=PAYROLL2_JCL, csrf=False)
    assert r.status == 403
    assert "X-CSRF-ZOSMF-HEADER" in r.json()["message"]
    # A read needs no such header.
    assert request(url, "GET", JOBS, csrf=False).status == 200
    # A wrong password: 401 with z/OSMF's realm, journalled.
    r = request(url, "GET", JOBS, auth=env.basic(env.USER, "wrong"))
    assert r.status == 401
    assert "Basic" in r.headers.get("www-authenticate", "")
    host.journal.wait_for(event="control_auth_failed")
    # Bad JCL: the line is named.
    r = request(url, "PUT", JOBS, body="//PAYROLL2 JOB\n/*XEQ SYS$$$$$$\n")
    assert r.status == 400
    err = r.json()
    assert err["category"] == 6 and "line 2" in err["message"], err
    r = request(url, "PUT", JOBS, body="\n//S1 EXEC PGM=X\n")
    assert r.status == 400 and "line 2" in r.json()["message"]
    # An unknown job, z/OSMF's error report.
    r = request(url, "GET", JOBS + "/NOSUCH/JOB09999")
    assert r.status == 400
    assert r.json() == {"rc": 4, "reason": 10, "category": 6,
                        "message": "No job found for reference: "
                                   "'NOSUCH(JOB09999)'"}
    assert exec_jobs(host.journal, "PAYROLL2") == []


def test_cancel_without_template_and_held_job(host):
    url = host.url
    # SYSB has no cancel_command; its agent runs no jobs (no --jobs), so
    # the job ends "not run": JCL ERROR.
    host.agent("SYSB", jobs=False)
    job = submit(url, "//PAYROLL2 JOB\n/*JOBPARM SYSAFF=SYSB\n")
    host.journal.wait_for(event="agent_error", system="SYSB", object=8)
    st = request(url, "GET", "%s/PAYROLL2/%s" % (JOBS, job["jobid"])).json()
    assert st["status"] == "OUTPUT" and st["retcode"] == "JCL ERROR"
    r = jobs_py_cancel(url, job["jobid"], "PAYROLL2")
    assert r.status == 400
    assert "no cancel command" in r.json()["message"]

    # SYSA has no agent yet: the job is held as INPUT, nothing is sent.
    held = submit(url, PAYROLL2_JCL)
    assert held["status"] == "INPUT" and held["owner"] == "SYSA"
    host.journal.wait_for(event="control", action="submit", outcome="held")
    assert exec_jobs(host.journal, "PAYROLL2") == []
    listed = request(url, "GET", JOBS + "?owner=SYSA&status=INPUT").json()
    assert [j["jobid"] for j in listed] == [held["jobid"]]
    # Its agent logs in: the job goes out at once (no request needed),
    # keeps its job-id and runs.
    host.agent("SYSA")
    env.wait_job_state(host.journal, "PAYROLL2", "J")
    assert len(exec_jobs(host.journal, "PAYROLL2")) == 1
    st = request(url, "GET", "%s/PAYROLL2/%s" % (JOBS, held["jobid"])).json()
    assert st["jobid"] == held["jobid"]
    assert st["status"] == "OUTPUT" and st["retcode"] == "CC 0004"
    # Absolute, from the Host header, as z/OSMF's.
    assert st["url"] == "%s%s/PAYROLL2/%s" % (url, JOBS, held["jobid"])
    assert st["files-url"] == st["url"] + "/files"
    # Purge: gone from the list and from the status service.
    r = request(url, "DELETE", "%s/PAYROLL2/%s" % (JOBS, held["jobid"]))
    assert r.status == 200 and r.json()["status"] == 0
    host.journal.wait_for(event="control", action="purge",
                          jobid=held["jobid"])
    assert request(url, "GET", "%s/PAYROLL2/%s"
                   % (JOBS, held["jobid"])).status == 400
