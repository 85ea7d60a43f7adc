"""Smoke tests of xdi-load's throughput modes (flood, fixed, rr) and of the
two baselines tools/bench.sh measures xdi-server against, the bare libuv
sink (tools/bench/sink.c, xdi-bench-sink) and the Python asyncio sink
(tools/bench/sink.py); docs/performance.md, section 3.

Tiny sizes, a fraction of a second each, and counts only, no figure: every
mode runs once against xdi-server and once against the C sink, and what the
target says it handled must be what xdi-load says it sent, not one more or
less (fixed: the server's journal holds exactly M info records).  Servers
and sinks listen on port 0 and are read from their 'listening on' line.
"""

import re
import subprocess

import pytest

from xdi.server import XdiServer

TIMEOUT = 120  # seconds: far above what these take, even under ASan
AGENTS = 6
TOTAL = 3000


def run(cmd, timeout=TIMEOUT):
    return subprocess.run([str(c) for c in cmd], capture_output=True,
                          text=True, timeout=timeout)


def describe(p):
    return "exit %s\nstdout:\n%s\nstderr:\n%s" % (p.returncode, p.stdout,
                                                  p.stderr)


@pytest.fixture
def sets(find_tool, tmp_path):
    """Two generated fixture sets: flood (116-byte info NACCBs: one 80-byte
    text) and rr (1-EVBLOK tables)."""
    load = find_tool("xdi-load")
    made = {}
    for name, events in (("flood", 20), ("rr", 1)):
        d = tmp_path / ("%s-fixtures" % name)
        p = run([load, "--make-fixtures", d, "--hosts", AGENTS, "--events",
                 events, "--jobs", 2, "--text-length", 80])
        assert p.returncode == 0, describe(p)
        made[name] = d
    return made


@pytest.fixture
def sinks(build_dir, source_dir, tmp_path):
    """start(kind, fixtures) -> (started sink, its count file); kind "c" or
    "py".  Each is stopped with SIGTERM in teardown and must exit 0."""
    started = []
    binaries = {"c": build_dir / "tools" / "bench" / "xdi-bench-sink",
                "py": source_dir / "tools" / "bench" / "sink.py"}

    def start(kind, fixtures):
        work = tmp_path / ("sink%d" % len(started))
        count = work / "count"
        s = XdiServer(fixtures, work, journal=False, binary=binaries[kind],
                      args=["--count-file", count])
        started.append(s)
        s.start()
        return s, count

    yield start
    for s in started:
        assert s.stop() == 0, s.diagnostics()


def sink_counts(sink):
    """Stops the sink; its 'naccbs=N infos=N bytes=N cpu_us=N' line."""
    assert sink.stop() == 0, sink.diagnostics()
    # The harness's reader thread may not have read the last line yet:
    # take lines until its end-of-file mark (bounded).  Nothing else has
    # read the queue since start() took the 'listening on' line.
    lines = list(sink._stdout_tail)
    while True:
        line = sink._lines.get(timeout=30)
        if line is None:
            break
        lines.append(line)
    for line in lines:
        if line.startswith("naccbs="):
            return {k: int(v) for k, v in
                    (f.split("=") for f in line.split())}
    raise AssertionError("no count line\n" + sink.diagnostics())


def load_run(find_tool, target, fixtures, mode, *extra):
    host, port = target.address[:2]
    cmd = [find_tool("xdi-load"), "--connect", "%s:%d" % (host, port),
           "--fixtures", fixtures, "--mode", mode, "--agents", AGENTS,
           "--server-pid", target.proc.pid, "--timeout", 60] + list(extra)
    p = run(cmd)
    assert p.returncode == 0, describe(p)
    assert "result: ok" in p.stdout, describe(p)
    assert "unexpected replies: 0;" in p.stdout, describe(p)
    assert "agents completed: %d of %d" % (AGENTS, AGENTS) in p.stdout
    m = re.search(r"^figure: mode=%s round=1 rate=(\S+) cpu_us=(\S+) "
                  r"counted=(\d+) sent=(\d+) window=(\S+)$" % mode, p.stdout,
                  re.M)
    assert m, describe(p)
    return {"rate": float(m.group(1)), "counted": int(m.group(3)),
            "sent": int(m.group(4)), "window": float(m.group(5)),
            "stdout": p.stdout}


def info_records(srv):
    return srv.journal.find(event="info")


# ---- against xdi-server ----------------------------------------------------------


def test_bench_modes_fixed_server_journal_holds_exactly_m(
        find_tool, xdi_server_factory, sets):
    srv = xdi_server_factory(fixtures=sets["flood"], args=["--no-watch", "-q"])
    f = load_run(find_tool, srv, sets["flood"], "fixed", "--total", TOTAL,
                 "--batch", 7, "--count-journal", srv.journal_path)
    assert f["sent"] == TOTAL and f["counted"] == TOTAL, f["stdout"]
    assert f["rate"] > 0 and f["window"] > 0
    infos = info_records(srv)
    assert len(infos) == TOTAL
    assert {r["verdict"] for r in infos} == {"in_frame"}
    assert {r["kind"] for r in infos} == {"MSG"}
    assert len(srv.journal.find(event="logout")) == AGENTS


def test_bench_modes_flood_server_drains_every_naccb_sent(
        find_tool, xdi_server_factory, sets):
    srv = xdi_server_factory(fixtures=sets["flood"], args=["--no-watch", "-q"])
    f = load_run(find_tool, srv, sets["flood"], "flood", "--duration", "0.3",
                 "--count-journal", srv.journal_path)
    # Counted in the window, at most what was written; after the drain the
    # journal holds every NACCB written, and nothing else.
    assert 0 < f["counted"] <= f["sent"], f["stdout"]
    assert len(info_records(srv)) == f["sent"]


def test_bench_modes_fixed_server_journal_none_counted_by_bytes_read(
        find_tool, xdi_server_factory, sets):
    srv = xdi_server_factory(fixtures=sets["flood"],
                             args=["--no-watch", "-q", "--journal", "none"])
    f = load_run(find_tool, srv, sets["flood"], "fixed", "--total", TOTAL,
                 "--count-read", srv.proc.pid)
    assert f["sent"] == TOTAL and f["counted"] == TOTAL, f["stdout"]


def test_bench_modes_rr_server_every_acquire_answered(
        find_tool, xdi_server_factory, sets):
    srv = xdi_server_factory(fixtures=sets["rr"], args=["--no-watch", "-q"])
    f = load_run(find_tool, srv, sets["rr"], "rr", "--duration", "0.3")
    trips = f["counted"]
    assert trips > 0, f["stdout"]
    # Setup (one per agent) + the trips in the window + at most one more
    # per agent, in flight when the window ended.
    acquires = srv.journal.find(event="acquire", table="EMS")
    assert AGENTS + trips <= len(acquires) <= 2 * AGENTS + trips
    assert len(srv.journal.find(event="send", key="01020201")) == \
        len(acquires)


# ---- against the baselines ---------------------------------------------------------


def test_bench_modes_fixed_c_sink_counts_exactly_m(find_tool, sinks, sets):
    sink, count = sinks("c", sets["flood"])
    f = load_run(find_tool, sink, sets["flood"], "fixed", "--total", TOTAL,
                 "--count-file", count)
    assert f["sent"] == TOTAL and f["counted"] == TOTAL, f["stdout"]
    c = sink_counts(sink)
    assert c["infos"] == TOTAL
    # + per agent: login, acquire EMS, acquire SCD, logout
    assert c["naccbs"] == TOTAL + 4 * AGENTS
    assert int(count.read_text()) == TOTAL


def test_bench_modes_flood_c_sink_counts_every_naccb_sent(find_tool, sinks,
                                                          sets):
    sink, count = sinks("c", sets["flood"])
    f = load_run(find_tool, sink, sets["flood"], "flood", "--duration", "0.3",
                 "--count-file", count)
    assert 0 < f["counted"] <= f["sent"], f["stdout"]
    c = sink_counts(sink)
    assert c["infos"] == f["sent"]
    assert c["bytes"] >= 116 * f["sent"]


def test_bench_modes_rr_c_sink_answers_like_the_server(find_tool, sinks,
                                                       sets):
    """xdi-load checks every table byte for byte: the sink's replies are
    the set's tables, as xdi-server sends them."""
    sink, _ = sinks("c", sets["rr"])
    f = load_run(find_tool, sink, sets["rr"], "rr", "--duration", "0.3")
    assert f["counted"] > 0, f["stdout"]
    c = sink_counts(sink)
    assert c["infos"] == 0
    # login, acquire SCD, logout, and one acquire EMS per trip + setup (+
    # one in flight per agent at the end, at most)
    assert AGENTS * 4 + f["counted"] <= c["naccbs"] <= \
        AGENTS * 5 + f["counted"]


def test_bench_modes_fixed_python_sink_counts_exactly_m(find_tool, sinks,
                                                        sets):
    sink, count = sinks("py", sets["flood"])
    f = load_run(find_tool, sink, sets["flood"], "fixed", "--total", TOTAL,
                 "--count-file", count)
    assert f["sent"] == TOTAL and f["counted"] == TOTAL, f["stdout"]
    assert sink_counts(sink)["infos"] == TOTAL


def test_bench_modes_rr_python_sink_answers_like_the_server(find_tool, sinks,
                                                            sets):
    sink, _ = sinks("py", sets["rr"])
    f = load_run(find_tool, sink, sets["rr"], "rr", "--duration", "0.3")
    assert f["counted"] > 0, f["stdout"]


# ---- usage ---------------------------------------------------------------------------


def test_bench_modes_usage_errors(find_tool, build_dir, source_dir, sets):
    load = find_tool("xdi-load")
    base = [load, "--connect", "127.0.0.1:9", "--fixtures", sets["flood"]]
    p = run(base + ["--mode", "flood"])
    assert p.returncode == 2 and "count at the server" in p.stderr, \
        describe(p)
    p = run(base + ["--mode", "burst", "--count-file", "x"])
    assert p.returncode == 2 and "--mode is sessions, flood, fixed or rr" \
        in p.stderr, describe(p)
    p = run(base + ["--mode", "rr", "--duration", "0"])
    assert p.returncode == 2 and "bad value" in p.stderr, describe(p)
    for sink in (build_dir / "tools" / "bench" / "xdi-bench-sink",
                 source_dir / "tools" / "bench" / "sink.py"):
        p = run([sink])
        assert p.returncode == 2, describe(p)
        assert p.stderr.strip().splitlines()[-1] == \
            "Try '%s --help'." % sink.name, describe(p)
        p = run([sink, "--help"])
        assert p.returncode == 0 and "--count-file" in p.stdout, describe(p)
