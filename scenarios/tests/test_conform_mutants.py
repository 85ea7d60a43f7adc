"""The mutation proof of xdi-conform (docs/conformance.md): the suite passes
the real xdi-agent on every check and fails each deliberately broken build
(tools/xdi-agent/core/mutants.h, built as
tools/xdi-agent/mutants/xdi-agent-mutant-NAME) on at least one named check.

Its own ctest entry (scenarios.conform_mutants), so that it runs beside
the other scenarios under ctest -j2.  The runs go two at a time, and a
mutant's run stops at its first failed check (--fail-fast).  The score is
printed, and written to the build tree as conform-mutation-score.txt.
"""

import concurrent.futures
import pathlib
import re
import time

from conform_run import (agent_binary, build_dir, junit_cases, run_against)

SOURCE = pathlib.Path(__file__).resolve().parents[2]
MUTANTS_H = SOURCE / "tools" / "xdi-agent" / "core" / "mutants.h"
LINE = re.compile(r"^#define XDI_MUT_[A-Z0-9_]+ +(\d+) +/\* ([a-z0-9-]+) "
                  r"([a-z_.]+) \*/")


def mutants():
    """[(number, name, documented catching check)] from mutants.h."""
    text = MUTANTS_H.read_text()
    body = text.split("MUTANT-LIST-BEGIN")[1].split("MUTANT-LIST-END")[0]
    out = [LINE.match(line).groups() for line in body.splitlines()
           if line.startswith("#define")]
    return [(int(n), name, chk) for n, name, chk in out]


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
    assert len(listed) >= 15
    assert len({n for n, _, _ in listed}) == len(listed)
    mdir = build_dir() / "tools" / "xdi-agent" / "mutants"
    runs = [("xdi-agent", agent_binary())] + [
        (name, mdir / ("xdi-agent-mutant-" + name)) for _, name, _ in listed]
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
    for (number, name, documented), r in zip(listed, results[1:]):
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
