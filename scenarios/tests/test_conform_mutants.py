"""The mutation proof of xdi-conform (docs/conformance.md): the suite passes
the real xdi-agent on every check and fails each deliberately broken build
(tools/xdi-agent/mutants/mutants.tsv: one patch to the agent's sources per
mutant, built as tools/xdi-agent/mutants/xdi-agent-mutant-NAME) on at least
one named check.

Its own ctest entry (scenarios.conform_mutants), so that it runs beside
the other scenarios under ctest -j2.  The runs go two at a time, and a
mutant's run stops at its first failed check (--fail-fast).  The score is
printed, and written to the build tree as conform-mutation-score.txt.
"""

import concurrent.futures
import os
import pathlib
import time

from conform_run import (agent_binary, build_dir, junit_cases, run_against)

def _source_dir():
    """The source tree: ctest says it; otherwise the nearest parent of this
    file that holds tools/xdi-agent."""
    if os.environ.get("XDI_SOURCE_DIR"):
        return pathlib.Path(os.environ["XDI_SOURCE_DIR"])
    here = pathlib.Path(__file__).resolve()
    return next(d for d in here.parents if (d / "tools" / "xdi-agent").is_dir())


AGENT = _source_dir() / "tools" / "xdi-agent"
MUTANTS_TSV = AGENT / "mutants" / "mutants.tsv"


def mutants():
    """[(name, patch path, documented catching check)] from mutants.tsv,
    the list tools/xdi-agent/CMakeLists.txt builds: name, patch, check and
    the bug, separated by tabs; lines starting with # are comments."""
    out = []
    for line in MUTANTS_TSV.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        name, patch, check, _bug = line.split("\t")
        out.append((name, MUTANTS_TSV.parent / patch, check))
    return out


def test_conform_mutants_listed():
    """Every mutant names a patch that changes the agent, and the agent's
    own sources carry no mutant: the real agent is the code people read."""
    listed = mutants()
    assert len(listed) >= 15
    assert len({name for name, _, _ in listed}) == len(listed)
    for name, patch, check in listed:
        text = patch.read_text()
        assert "\n+++ b/" in text and "\n@@ " in text, patch
        assert "." in check, (name, check)
    for path in sorted((AGENT / "core").iterdir()) + sorted(
            (AGENT / "uv").iterdir()):
        assert "MUTANT" not in path.read_text(), path


def run_one(name, binary, workdir):
    junit = workdir / ("%s.xml" % name)
    t0 = time.monotonic()
    rc, out = run_against(binary, junit, ["--fail-fast"])
    seconds = time.monotonic() - t0
    cases = junit_cases(junit) if junit.exists() else {}
    failed = [n for n, (st, _) in cases.items() if st == "fail"]
    errors = [n for n, (st, _) in cases.items() if st == "error"]
    return {"name": name, "rc": rc, "out": out, "failed": failed,
            "errors": errors, "seconds": seconds, "cases": cases}


def test_conform_mutation_score(tmp_path, capsys):
    listed = mutants()
    mdir = build_dir() / "tools" / "xdi-agent" / "mutants"
    runs = [("xdi-agent", agent_binary())] + [
        (name, mdir / ("xdi-agent-mutant-" + name)) for name, _, _ in listed]
    for name, binary in runs:
        assert binary.exists(), "%s is not built" % binary
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda r: run_one(r[0], r[1], tmp_path),
                                runs))
    wall = time.monotonic() - t0

    control = results[0]
    assert control["rc"] == 0, control["out"]
    assert {st for st, _ in control["cases"].values()} == {"pass"}, \
        control["out"]

    lines = ["%-22s %-28s %-28s %6s" % ("mutant", "caught by (first failed)",
                                        "documented", "time")]
    missed = []
    for (name, _, documented), r in zip(listed, results[1:]):
        caught = r["rc"] == 1 and r["failed"]
        if not caught:
            missed.append(r)
        lines.append("%-22s %-28s %-28s %5.1fs" % (
            name, r["failed"][0] if caught else "NOT CAUGHT (rc %s)"
            % r["rc"], documented, r["seconds"]))
    score = len(listed) - len(missed)
    lines.append("mutation score: %d/%d caught (%.0f%%); all runs %.1f s "
                 "wall, 2 at a time" % (score, len(listed),
                                        100.0 * score / len(listed), wall))
    report = "\n".join(lines)
    (build_dir() / "conform-mutation-score.txt").write_text(report + "\n")
    with capsys.disabled():
        print("\n" + report)
    assert not missed, "\n\n".join(
        "%s was not caught (exit %s):\n%s" % (r["name"], r["rc"],
                                              r["out"][-3000:])
        for r in missed)
    # A harness error is not a catch: a caught mutant failed a check and
    # raised no error before it.
    for r in results[1:]:
        assert not r["errors"], (r["name"], r["out"][-3000:])
