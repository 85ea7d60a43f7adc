"""End to end: a job chain across two agents on two hosts, the real
xdi-agent against the real xdi-server, no proxy (issue 4, part C,
scenario 2).

fixtures/e2e (README.md): NODEA's agent plays `eoj START` from its
--simulate script; START ending with max CC 0 makes the host send exec job
JOBA to NODEA; the agent runs jobs/JOBA (one step, exit 0) and reports it;
JOBA ending with max CC 0 makes the host send exec job JOBB to NODEB,
whose agent runs its jobs/JOBB.  JOBB's trigger for JOBC (back on NODEA)
needs max CC 0 **and** notes[2] N: when JOBB is killed by a signal (notes
A, an abend) it must not fire, and JOBC, whose script would leave a marker
file, never runs.  The same chain with a JOBB that exits 0 is the control:
there JOBC does run.
"""

import pytest

from e2e import E2E, header

# NODEB's agent logs in first (agent-ID 1, conn 1), NODEA's second (2).
CONN_B, CONN_A = 1, 2

# Exec job (01020108): one 8-byte object, the job name blank padded in
# code page 037 (J D1, O D6, B C2, A C1, C C3): total 36 + 8 = 0x2C.
EXEC_JOBA = ("0000002C" "00000002" "D5D6C4C5C1404040" "01020108"
             "00000000" "00000000" "00000001" "00000008")
EXEC_JOBB = ("0000002C" "00000001" "D5D6C4C5C2404040" "01020108"
             "00000000" "00000000" "00000001" "00000008")
JOBA = "D1D6C2C140404040"
JOBB = "D1D6C2C240404040"
JOBC = "D1D6C2C340404040"

JOBA_SCRIPT = """#!/bin/sh
echo "STEP RUN 0" >&"$XDI_STEP_FD"
exit 0
"""
# JOBB: one good step, then the job is killed by SIGKILL (an abend: SCC
# 9, notes A), or (the control) it ends normally.
JOBB_SCRIPT = {
    "abend": """#!/bin/sh
echo "STEP RUN 0" >&"$XDI_STEP_FD"
kill -KILL $$
""",
    "normal": """#!/bin/sh
echo "STEP RUN 0" >&"$XDI_STEP_FD"
exit 0
""",
}
JOBC_SCRIPT = """#!/bin/sh
echo ran > "%s"
exit 0
"""


def jobs_dir(path, scripts):
    path.mkdir()
    for name, text in scripts.items():
        (path / name).write_text(text)
        (path / name).chmod(0o755)
    return path


def eot(records, conn, job, notes):
    """The one EOT info record of conn for job with these notes."""
    found = [r for r in records if r["event"] == "info" and
             r["kind"] == "EOT" and r["conn"] == conn and
             r["eotinfo"]["job_name"] == job and
             r["eotinfo"]["notes"] == notes]
    assert len(found) == 1, (job, notes, found)
    return found[0]


def one(records, **fields):
    found = [r for r in records if all(r.get(k) == v
                                       for k, v in fields.items())]
    assert len(found) == 1, (fields, found)
    return found[0]


@pytest.mark.parametrize("jobb", ["abend", "normal"])
def test_e2e_job_chain_across_two_hosts(tmp_path, xdi_server_factory,
                                        agents, jobb):
    marker = tmp_path / "JOBC.ran"
    jobs_a = jobs_dir(tmp_path / "jobs-a", {
        "JOBA": JOBA_SCRIPT, "JOBC": JOBC_SCRIPT % marker})
    jobs_b = jobs_dir(tmp_path / "jobs-b", {"JOBB": JOBB_SCRIPT[jobb]})
    sim = tmp_path / "start.sim"
    sim.write_text("# the first job of the chain ends with max CC 0\n"
                   "+0 eoj START\n")

    srv = xdi_server_factory(fixtures=E2E)
    j = srv.journal
    b = agents.start("nodeb", srv, "NODEB", ["--jobs", jobs_b])
    b.wait_line(r"accepted: agent-ID 1$")
    b.wait_line(r"running: EMS not available \(0 entries\), SCD ready "
                r"\(1 entries\)")
    a = agents.start("nodea", srv, "NODEA", ["--jobs", jobs_a,
                                             "--simulate", sim])
    a.wait_line(r"accepted: agent-ID 2$")

    a.wait_line(r"recv exec job 'JOBA'")
    a.wait_line(r"job JOBA ended: status 0")
    b.wait_line(r"recv exec job 'JOBB'")
    b.wait_line(r"job JOBB ended: %s" % (
        "signal 9" if jobb == "abend" else "status 0"))
    # The decision on JOBC: the trigger record of JOBB's end.
    verdict = j.wait_for(event="trigger", job="JOBB")
    assert len(verdict) == 1, j.tail()
    if jobb == "normal":
        a.wait_line(r"recv exec job 'JOBC'")
        a.wait_line(r"job JOBC ended: status 0")
        j.wait_for(event="info", kind="EOT", conn=CONN_A,
                   pred=lambda r: r["eotinfo"]["job_name"] == "JOBC")
    # The chain is done: stop both agents (logout), then read it all.
    assert agents.stop(a) == 0
    assert agents.stop(b) == 0
    j.wait_for(event="logout", count=2)
    recs = j.records()

    # 1. START's end (the simulation) fires START -> JOBA on NODEA.
    start = eot(recs, CONN_A, "START", "J NR")
    assert (start["verdict"], start["entry"]) == ("ok", 0)
    assert (start["eotinfo"]["max_cc"], start["eotinfo"]["scc"]) == (0, 0)
    t_start = one(recs, event="trigger", job="START")
    want = {"conn": CONN_A, "system": "NODEA", "source": "eotinfo",
            "entry": 0, "trigger": 0, "on": "eoj", "run_job": "JOBA",
            "target": "NODEA", "outcome": "sent", "target_conn": CONN_A}
    assert {k: t_start.get(k) for k in want} == want
    assert t_start["fixture"].endswith("e2e/hosts.yaml:39")
    # 2. Exec job JOBA to NODEA, byte for byte.
    x_a = one(recs, event="send", key="01020108", conn=CONN_A,
              object=JOBA)
    assert x_a["naccb"] == EXEC_JOBA
    assert x_a["naccb"] == header(0x2C, 2, "NODEA", "01020108", 1, 8)
    assert x_a["name"] == "exec job"
    # 3. JOBA's step and end: max CC 0, notes N.
    a_step = eot(recs, CONN_A, "JOBA", "S NR")
    assert (a_step["eotinfo"]["step_name"],
            a_step["eotinfo"]["step_number"]) == ("RUN", 1)
    a_end = eot(recs, CONN_A, "JOBA", "J NR")
    assert (a_end["verdict"], a_end["entry"]) == ("ok", 1)
    assert (a_end["eotinfo"]["max_cc"], a_end["eotinfo"]["ucc"],
            a_end["eotinfo"]["scc"]) == (0, 0, 0)
    # 4. JOBA -> JOBB on NODEB, on the other agent's connection.
    t_a = one(recs, event="trigger", job="JOBA")
    want = {"conn": CONN_A, "source": "eotinfo", "entry": 1, "on": "eoj",
            "run_job": "JOBB", "target": "NODEB", "outcome": "sent",
            "target_conn": CONN_B}
    assert {k: t_a.get(k) for k in want} == want
    x_b = one(recs, event="send", key="01020108", conn=CONN_B,
              object=JOBB)
    assert x_b["naccb"] == EXEC_JOBB
    # 5. JOBB's step, then its end as NODEB's agent saw it.
    b_step = eot(recs, CONN_B, "JOBB", "S NR")
    t_b = one(recs, event="trigger", job="JOBB")
    assert (t_b["conn"], t_b["source"], t_b["run_job"], t_b["target"]) == \
        (CONN_B, "eotinfo", "JOBC", "NODEA")
    exec_c = [r for r in recs if r["event"] == "send" and
              r["key"] == "01020108" and r.get("object") == JOBC]
    if jobb == "abend":
        b_end = eot(recs, CONN_B, "JOBB", "J AR")
        assert (b_end["verdict"], b_end["entry"]) == ("ok", 0)
        # Killed by SIGKILL: SCC 9; no step failed, so max CC is 0 and
        # only the notes condition stops JOBC.
        assert (b_end["eotinfo"]["scc"], b_end["eotinfo"]["max_cc"]) == \
            (9, 0)
        assert (t_b["outcome"], t_b["condition"], t_b["value"]) == \
            ("not_met", "notes == N", ord("A"))
        assert "target_conn" not in t_b
        assert exec_c == []
        assert not marker.exists()
        assert not a.has_line(r"exec job 'JOBC")
        assert not a.has_line(r"job JOBC")
        chain = [start, t_start, x_a, a_step, a_end, t_a, x_b, b_step,
                 b_end, t_b]
    else:
        b_end = eot(recs, CONN_B, "JOBB", "J NR")
        assert (t_b["outcome"], t_b["target_conn"]) == ("sent", CONN_A)
        assert len(exec_c) == 1 and exec_c[0]["conn"] == CONN_A
        assert marker.read_text() == "ran\n"
        c_end = eot(recs, CONN_A, "JOBC", "J NR")
        chain = [start, t_start, x_a, a_step, a_end, t_a, x_b, b_step,
                 b_end, t_b, exec_c[0], c_end]
    # Every step in this order in the journal.
    where = [recs.index(r) for r in chain]
    assert where == sorted(where), j.tail(40)
    # Three triggers in all (JOBC has none), nothing held, nothing
    # refused.
    assert len([r for r in recs if r["event"] == "trigger"]) == 3
    assert [r for r in recs if r["event"] in
            ("violation", "agent_error", "trigger_release")] == []
