"""z/OSMF's multisystem routing services (/zosmf/gateway/...) with curl,
against xdi-server with the reference agent connected for SYSA only:
a request carried out for each named system answers rc OK for SYSA (its
output is what SYSA's own service answered), HttpConnectionFailed for a
system without an agent, and HttpConnectionTimedOut when the agent does
not answer in time; an unknown target is 404.  The journal shows what each
system's agent was sent.
"""

import json
import shutil
import subprocess
import urllib.parse

import pytest

import zosmf_env as env

pytestmark = pytest.mark.skipif(shutil.which("curl") is None,
                                reason="curl is not installed")


@pytest.fixture
def host(xdi_server_factory, tmp_path):
    h = env.Host(xdi_server_factory, tmp_path)
    h.agent("SYSA")
    yield h
    h.close()


def curl(host, method, path, body=None, csrf=True):
    """(HTTP status, parsed JSON body) of one curl request."""
    cmd = ["curl", "-sS", "-u", "%s:%s" % (env.USER, env.PASSWORD), "-X",
           method, "-w", "\n%{http_code}", "--max-time", "30"]
    if csrf:
        cmd += ["-H", "X-CSRF-ZOSMF-HEADER: true"]
    if body is not None:
        cmd += ["-H", "Content-Type: application/json", "--data-binary",
                json.dumps(body)]
    p = subprocess.run(cmd + [host.url + path], capture_output=True,
                       text=True, timeout=40)
    assert p.returncode == 0, p.stderr
    text, _, status = p.stdout.rpartition("\n")
    return int(status), json.loads(text)


def content(**fields):
    return urllib.parse.quote(json.dumps(fields))


def by_system(answer):
    return {o["systemName"]: o for o in answer["systemsOutput"]}


def test_get_routed_to_systems(host):
    # A job on SYSA, so that its list is not empty.
    r = env.request(host.url, "PUT", "/zosmf/restjobs/jobs",
                    body=env.PAYROLL2_JCL)
    assert r.status == 201, r.raw
    env.wait_job_state(host.journal, "PAYROLL2", "J")
    status, ans = curl(host, "GET", "/zosmf/gateway/systems?content="
                       + content(target="SYSA,SYSB",
                                 resourcePath="/zosmf/restjobs/jobs"
                                              "?prefix=PAY*"))
    assert status == 200, ans
    assert ans["numOfSystems"] == 2 and ans["primaryAPIVersion"]
    out = by_system(ans)
    assert out["SYSA"]["rc"] == "OK" and out["SYSA"]["error"] is None
    # SYSA's own answer: its jobs (the default owner is the system).
    jobs = json.loads(out["SYSA"]["systemOutput"])
    assert [j["jobname"] for j in jobs] == ["PAYROLL2"]
    assert jobs[0]["owner"] == "SYSA" and jobs[0]["retcode"] == "CC 0004"
    assert out["SYSA"]["systemVersion"]["zosVrm"] == "04.27.00"
    # SYSB has no agent: its z/OSMF cannot be reached.
    assert out["SYSB"]["rc"] == "HttpConnectionFailed"
    assert out["SYSB"]["systemOutput"] is None
    assert "SYSB has no agent connected" in out["SYSB"]["error"]["msgtxt"]
    # One system.
    status, ans = curl(host, "GET", "/zosmf/gateway/system?content="
                       + content(target="SYSA", resourcePath="/zosmf/info"))
    assert status == 200
    info = json.loads(ans["systemsOutput"][0]["systemOutput"])
    assert info["zos_version"] == "04.27.00"
    # Unknown target, bad content.
    status, ans = curl(host, "GET", "/zosmf/gateway/system?content="
                       + content(target="SYSQ", resourcePath="/zosmf/info"))
    assert status == 404 and "SYSQ" in ans["message"]
    status, ans = curl(host, "GET", "/zosmf/gateway/system?content=nojson")
    assert status == 400


def test_tso_command_routed_to_the_sysplex(host):
    # Every host of the fixture set: SYSA answers with its agent's command
    # event, SYSB and SYSC have no agent.
    status, ans = curl(host, "PUT", "/zosmf/gateway/sysplex",
                       body={"target": "XDIPLEX",
                             "resourcePath": "/zosmf/tsoApp/v1/tso",
                             "requestBody": {"tsoCmd": "TIME",
                                             "cmdState": "stateless"},
                             "timeout": 5000})
    assert status == 200, ans
    out = by_system(ans)
    assert sorted(out) == ["SYSA", "SYSB", "SYSC"]
    assert out["SYSA"]["rc"] == "OK"
    tso = json.loads(out["SYSA"]["systemOutput"])
    assert [m["message"] for m in tso["cmdResponse"]] == ["TIME", "READY "]
    assert out["SYSB"]["rc"] == out["SYSC"]["rc"] == "HttpConnectionFailed"
    # What SYSA's agent was sent and answered.
    sent = host.journal.wait_for(event="send", key="01020104",
                                 object=env.ebcdic_hex("TIME"))
    assert sent[0]["system"] == "SYSA"
    host.journal.wait_for(event="info", kind="CMD", text="TIME",
                          system="SYSA")
    # Without the CSRF header the change is refused and nothing is sent.
    status, ans = curl(host, "PUT", "/zosmf/gateway/system",
                       body={"target": "SYSA",
                             "resourcePath": "/zosmf/tsoApp/v1/tso",
                             "requestBody": {"tsoCmd": "TIME"}},
                       csrf=False)
    assert status == 403
    assert len(host.journal.find(event="send", key="01020104")) == 1


def test_agent_that_does_not_answer_times_out(host):
    # LISTCAT is no command event of SYSA's table: the agent gets it and
    # reports nothing.
    status, ans = curl(host, "PUT", "/zosmf/gateway/system",
                       body={"target": "SYSA",
                             "resourcePath": "/zosmf/tsoApp/v1/tso",
                             "requestBody": {"tsoCmd": "LISTCAT"},
                             "timeout": 800})
    assert status == 200, ans
    out = ans["systemsOutput"][0]
    assert out["systemName"] == "SYSA"
    assert out["rc"] == "HttpConnectionTimedOut"
    assert out["systemOutput"] is None and "did not answer" in \
        out["error"]["msgtxt"]
    host.journal.wait_for(event="send", key="01020104",
                          object=env.ebcdic_hex("LISTCAT"))
    assert host.journal.find(event="info", kind="CMD") == []
