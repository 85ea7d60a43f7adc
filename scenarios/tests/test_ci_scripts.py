"""ci/build.sh, the first step of the README's two commands, says what it
is doing (issue: a fresh clone was silent for half a minute while it
configured and built).  It runs here from a copy of the script beside a
stub ci/deps.sh, with a stub cmake first on PATH, so that no real build
is touched."""

import os
import pathlib
import shutil
import subprocess

import pytest

SOURCE = pathlib.Path(os.environ.get(
    "XDI_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))

# A cmake that configures silently and builds with make's progress lines,
# or fails the build when STUB_FAIL is set.
STUB_CMAKE = """#!/bin/sh
case "$1" in
  --preset) echo "-- Configuring done"; exit 0 ;;
  --build)
    for p in 1 4 9 12 25 26 47 50 73 99 100; do
      printf '[%3d%%] Building C object obj%d.o\\n' "$p" "$p"
    done
    if [ -n "${STUB_FAIL:-}" ]; then
      echo "obj.c:1:1: error: expected ';'"; exit 2
    fi
    exit 0 ;;
esac
exit 64
"""


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "ci").mkdir()
    shutil.copy(SOURCE / "ci" / "build.sh", tmp_path / "ci" / "build.sh")
    deps = tmp_path / "ci" / "deps.sh"
    deps.write_text("#!/bin/sh\nexit 0\n")
    deps.chmod(0o755)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    cmake = bindir / "cmake"
    cmake.write_text(STUB_CMAKE)
    cmake.chmod(0o755)
    return tmp_path


def run_build(tree, **env):
    full = dict(os.environ, PATH="%s:%s" % (tree / "bin", os.environ["PATH"]),
                **env)
    return subprocess.run(["sh", str(tree / "ci" / "build.sh")], env=full,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=60)


def test_build_names_each_stage_and_condenses_progress(tree):
    p = run_build(tree)
    err = p.stderr.decode()
    assert p.returncode == 0, err
    lines = err.splitlines()
    assert lines[0] == "ci/build.sh: configuring the dev preset (build/dev)"
    assert lines[1].startswith("ci/build.sh: building with ")
    # one line per tenth reached, not one per object
    progress = [l.split()[-1] for l in lines if l.startswith("ci/build.sh:   ")]
    assert progress == ["12%", "25%", "47%", "50%", "73%", "99%", "100%"]
    assert lines[-1].startswith("ci/build.sh: built in ")
    assert lines[-1].endswith(" s (log: build/ci-build.log)")
    # the whole output is kept, nothing on stdout
    log = (tree / "build" / "ci-build.log").read_text()
    assert "Building C object obj26.o" in log and "Configuring done" in log
    assert p.stdout == b""


def test_build_failure_shows_the_end_of_the_log(tree):
    p = run_build(tree, STUB_FAIL="1")
    err = p.stderr.decode()
    assert p.returncode == 1
    assert "ci/build.sh: build failed after " in err
    assert "the last lines of build/ci-build.log:" in err
    assert "obj.c:1:1: error: expected ';'" in err
    assert "built in" not in err
