"""Every tool speaks one dialect, and its docs keep up with it.

- every tool answers --version and -V alike, naming its own version and,
  where it loads libnaccb, libnaccb's; exit 0;
- a bad option is a usage error in one form: what was wrong, then
  "Try 'TOOL --help'.", exit 2;
- every long option of every tool's --help is described in that tool's
  documentation page (xdi-server: docs/server.md, the reference page
  written for it), so a new option cannot land undocumented.
"""

import os
import re
import subprocess

import pytest

# tool -> (path in the build tree, its documentation pages, loads libnaccb)
TOOLS = {
    "xdi-server": ("server/xdi-server", ["docs/server.md"], True),
    "naccb": ("tools/naccb/naccb", ["docs/naccb-tool.md"], True),
    "xdi-fixture": ("tools/xdi-fixture/xdi-fixture", ["docs/fixtures.md"],
                    True),
    "xdi-agent": ("tools/xdi-agent/xdi-agent",
                  ["docs/agent.md", "tools/xdi-agent/README.md"], True),
    "xdi-load": ("tools/xdi-load/xdi-load", ["docs/performance.md"], True),
    "naccb-bench": ("tools/naccb-bench/naccb-bench", ["docs/performance.md"],
                    True),
    "xdi-bench-sink": ("tools/bench/xdi-bench-sink", ["docs/performance.md"],
                       True),
    "xdi-replay": ("tools/xdi-replay/xdi-replay", ["docs/replay.md"], True),
    "xdi-conform": ("tools/xdi-conform/xdi-conform", ["docs/conformance.md"],
                    True),
    "xdi-fuzz": ("tools/xdi-fuzz/xdi-fuzz", ["docs/fuzzing.md"], True),
    "xdi-journal": ("tools/xdi-journal/xdi-journal",
                    ["docs/journal.md", "docs/replay.md"], False),
    "xdi-ctl": ("tools/xdi-ctl/xdi-ctl", ["docs/control.md"], False),
}


def tool_path(build_dir, name):
    path = build_dir / TOOLS[name][0]
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.skip("%s is not built in this tree (%s)" % (name, path))
    return path


def run(cmd):
    p = subprocess.run([str(c) for c in cmd], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def project_version(source_dir):
    text = (source_dir / "CMakeLists.txt").read_text()
    return re.search(r"project\(xdi-emu VERSION (\S+)", text).group(1)


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_version_long_and_short(name, build_dir, source_dir):
    path = tool_path(build_dir, name)
    version = project_version(source_dir)
    rc, out, err = run([path, "--version"])
    assert rc == 0, err
    line = out.strip()
    assert line.startswith("%s (xdi-emu) %s" % (name, version)) or \
        line == "%s %s" % (name, version), line
    if TOOLS[name][2]:
        # the libnaccb it runs with, read from the library, not the tool
        assert line.endswith(", libnaccb %s" % version), line
    assert run([path, "-V"]) == (rc, out, err)


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_bad_option_is_a_usage_error_in_one_form(name, build_dir):
    path = tool_path(build_dir, name)
    rc, out, err = run([path, "--no-such-option-xyz"])
    assert rc == 2, (rc, out, err)
    lines = err.strip().splitlines()
    assert lines[-1] == "Try '%s --help'." % name, err
    assert any("no-such-option-xyz" in l or "required" in l
               for l in lines[:-1]), err


def help_options(path):
    rc, out, err = run([path, "--help"])
    assert rc == 0, err
    return sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", out)))


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_every_help_option_is_documented(name, build_dir, source_dir):
    path = tool_path(build_dir, name)
    docs = "\n".join((source_dir / d).read_text() for d in TOOLS[name][1])
    missing = [o for o in help_options(path)
               if o != "--help" and not re.search(
                   re.escape(o) + r"(?![a-z0-9-])", docs)]
    assert not missing, "%s --help names %s, which %s do(es) not describe" % (
        name, ", ".join(missing), " or ".join(TOOLS[name][1]))


def test_server_reference_states_defaults_and_exit_codes(source_dir):
    page = (source_dir / "docs" / "server.md").read_text()
    main = (source_dir / "server" / "uv" / "main.c").read_text()
    journal = re.search(r'#define DEFAULT_JOURNAL "([^"]+)"', main).group(1)
    assert "./%s" % journal in page
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert code in page
