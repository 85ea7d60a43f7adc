"""Smoke tests of the benchmark programs naccb-bench and xdi-load
(docs/performance.md), so they cannot rot between benchmark runs.

Tiny sizes and correctness only: no figure is asserted, since timing
belongs to tools/bench.sh, not to tests.  Each program checks its own
results (naccb-bench: every NACCB out of the framer whole and valid, match
counts as generated; xdi-load: every reply exactly what the generated
fixture set makes the only right answer) and exits non-zero when a check
fails; these tests run them and read the verdict, and the server's journal
confirms from the other side what xdi-load claims.
"""

import re
import subprocess

TIMEOUT = 120  # seconds: far above what the tiny sizes take, even under ASan


def run(cmd, timeout=TIMEOUT):
    return subprocess.run([str(c) for c in cmd], capture_output=True,
                          text=True, timeout=timeout)


def describe(p):
    return "exit %s\nstdout:\n%s\nstderr:\n%s" % (p.returncode, p.stdout,
                                                  p.stderr)


# ---- naccb-bench -------------------------------------------------------------

TINY_BENCH = ["--stream-size", "64K", "--table-size", "50", "--scd-size",
              "5", "--infos", "8", "--texts", "300", "--chunks", "1,1460,64K",
              "--reps", "2", "--warmup", "0"]


def test_bench_smoke_naccb_bench_tiny_sizes_checks_pass(find_tool):
    p = run([find_tool("naccb-bench")] + TINY_BENCH)
    assert p.returncode == 0, describe(p)
    assert "check: ok" in p.stdout, describe(p)
    # Every measurement of the plan has its row: both streams at every
    # chunk size, each decode next to its memcpy baseline.
    for stream in ("sessions", "events"):
        for chunk in (1, 1460, 65536):
            assert re.search(r"^  decode %s/%d " % (stream, chunk), p.stdout,
                             re.M), describe(p)
            assert re.search(r"^  memcpy %s/%d " % (stream, chunk), p.stdout,
                             re.M), describe(p)
    assert re.search(r"^  naccb_evblok_match ", p.stdout, re.M)
    assert re.search(r"^  memcmp match ", p.stdout, re.M)
    # Fed one byte at a time, no NACCB lies whole in a chunk: the framer
    # must have copied every one (0.0% in place).
    row = re.search(r"^  decode events/1 .*$", p.stdout, re.M).group(0)
    assert " 0.0% " in row, row


def test_bench_smoke_naccb_bench_help_and_bad_value(find_tool):
    bench = find_tool("naccb-bench")
    p = run([bench, "--help"])
    assert p.returncode == 0 and "--stream-size" in p.stdout, describe(p)
    p = run([bench, "--chunks", "0"])
    assert p.returncode == 2 and "bad value" in p.stderr, describe(p)


# ---- xdi-load ------------------------------------------------------------------

AGENTS = 5
INFOS = 3
TEXTS = 2


def make_fixtures(load, directory):
    p = run([load, "--make-fixtures", directory, "--hosts", AGENTS,
             "--events", 20, "--jobs", 2])
    assert p.returncode == 0, describe(p)
    return directory


def load_cmd(load, srv, fixtures, *extra):
    host, port = srv.address[:2]
    return [load, "--connect", "%s:%d" % (host, port), "--fixtures", fixtures,
            "--agents", AGENTS, "--infos", INFOS, "--texts", TEXTS,
            "--server-pid", srv.proc.pid, "--timeout", 60] + list(extra)


def test_bench_smoke_xdi_load_five_agents_every_reply_expected(
        find_tool, xdi_server_factory, tmp_path):
    load = find_tool("xdi-load")
    fixtures = make_fixtures(load, tmp_path / "load-fixtures")
    srv = xdi_server_factory(fixtures=fixtures, args=["--no-watch"])
    p = run(load_cmd(load, srv, fixtures, "--rounds", 2))
    # Two rounds of a baseline and a load phase of AGENTS sessions each.
    sessions = 2 * 2 * AGENTS
    assert p.returncode == 0, describe(p)
    assert "unexpected replies: 0;" in p.stdout, describe(p)
    assert "failed agents: 0" in p.stdout, describe(p)
    assert "agents completed: %d of %d" % (sessions, sessions) in p.stdout
    assert "result: ok" in p.stdout, describe(p)
    for k in (1, 2):
        assert re.search(r"round %d: +%d sessions holding" % (k, AGENTS),
                         p.stdout), describe(p)
    # The server's side: every phase logged every agent in and out, and
    # every text matched an EVBLOK in frame.
    j = srv.journal
    assert len(j.wait_for(event="accept", count=sessions)) == sessions
    assert len(j.wait_for(event="logout", count=sessions)) == sessions
    infos = j.wait_for(event="info", count=sessions * INFOS * TEXTS)
    assert len(infos) == sessions * INFOS * TEXTS
    assert {r["verdict"] for r in infos} == {"in_frame"}
    assert not j.find(event="reject")
    assert srv.running()


def test_bench_smoke_xdi_load_counts_a_wrong_table_as_unexpected(
        find_tool, xdi_server_factory, tmp_path):
    """The checker checks: a manifest that says one EVBLOK more than the
    server serves makes every EMS table reply unexpected, and the run
    fail."""
    load = find_tool("xdi-load")
    fixtures = make_fixtures(load, tmp_path / "load-fixtures")
    srv = xdi_server_factory(fixtures=fixtures, args=["--no-watch"])
    manifest = fixtures / "xdi-load.txt"
    manifest.write_text(manifest.read_text().replace("events 20",
                                                     "events 21"))
    p = run(load_cmd(load, srv, fixtures))
    assert p.returncode == 1, describe(p)
    assert "unexpected replies: %d;" % (2 * AGENTS) in p.stdout, describe(p)
    assert "result: FAILED" in p.stdout, describe(p)
    assert "unexpected reply: key 01020201" in p.stderr, describe(p)


def test_bench_smoke_xdi_load_refuses_other_addresses(find_tool, tmp_path):
    load = find_tool("xdi-load")
    fixtures = make_fixtures(load, tmp_path / "load-fixtures")
    for target in ("192.0.2.7:7012", "localhost:7012", "127.0.0.2:7012",
                   "[::2]:7012", "0.0.0.0:7012"):
        p = run([load, "--connect", target, "--fixtures", fixtures])
        assert p.returncode == 2, (target, describe(p))
        assert "only 127.0.0.1:PORT or [::1]:PORT" in p.stderr, describe(p)
