"""One dialect across the tools, beyond what test_docs_options.py checks:

- SIZE: every option whose --help metavar is SIZE takes bytes or a number
  with a K, M or G suffix (binary), one parser (tools/common/cli.h) in
  every C tool and its twin in xdi-fuzz; "64KB" or "1.5M" is a usage error;
- the largest NACCB is --max-naccb-size SIZE in every tool that has such a
  limit, 36 to 2G-1 in each.
"""

import re
import subprocess

import pytest

from test_docs_options import TOOLS, run, tool_path

# tool -> the arguments that put an option of its in force without doing
# anything else (the option goes in front; the tool must exit 2 for a bad
# value and not 2 for a good one).
SIZE_OPTIONS = {
    "xdi-server": (["--max-naccb-size", "--max-output", "--max-memory",
                    "--journal-max-raw", "--capture-max",
                    "--control-max-body", "--control-stream-buffer"],
                   ["--help"]),
    "naccb": (["--max-naccb-size", "--max-size", "--chunk"], ["--help"]),
    "xdi-replay": (["--max-naccb-size", "--max-size"], ["extract", "--help"]),
    "xdi-fuzz": (["--max-rss"], ["--help"]),
}


def size_options_in_help(path, prefix=()):
    rc, out, err = run([path] + list(prefix) + ["--help"])
    assert rc == 0, err
    return sorted(set(re.findall(r"(--[a-z][a-z0-9-]*)[ =]SIZE\b", out)))


def with_option(name, option, value):
    """The command line that gives option=value to tool name."""
    opts, rest = SIZE_OPTIONS[name]
    if name == "xdi-replay":
        return ["extract", option, value] + rest[1:]
    return [option, value] + rest


@pytest.mark.parametrize("name", sorted(SIZE_OPTIONS))
def test_every_size_option_is_listed_here(name, build_dir):
    """A new SIZE option is added to SIZE_OPTIONS, and so tested."""
    path = tool_path(build_dir, name)
    prefix = ["extract"] if name == "xdi-replay" else []
    listed = size_options_in_help(path, prefix)
    assert listed, "%s --help has no SIZE option" % name
    assert set(listed) <= set(SIZE_OPTIONS[name][0]), listed


def test_no_other_tool_takes_a_size(build_dir):
    for name in sorted(set(TOOLS) - set(SIZE_OPTIONS)):
        path = build_dir / TOOLS[name][0]
        if path.is_file():
            assert size_options_in_help(path) == [], name


@pytest.mark.parametrize("name,option", [
    (n, o) for n in sorted(SIZE_OPTIONS) for o in SIZE_OPTIONS[n][0]])
def test_size_forms(name, option, build_dir):
    path = tool_path(build_dir, name)
    for good in ("4096", "64K", "64k", "16M", "1G"):
        if option in ("--max-naccb-size", "--max-size") and good == "1G":
            good = "1024M"  # in range either way; 2G is not
        rc, out, err = run([path] + with_option(name, option, good))
        assert rc != 2, (option, good, err)
    for bad in ("64KB", "1.5M", "-1", " 64K", "64 K", "0x10", "16MiB"):
        rc, out, err = run([path] + with_option(name, option, bad))
        assert rc == 2, (option, bad, rc, err)
        assert bad.strip() in err or option in err, err


@pytest.mark.parametrize("name", ["xdi-server", "naccb", "xdi-replay"])
def test_max_naccb_size_one_name_one_range(name, build_dir):
    path = tool_path(build_dir, name)
    prefix = ["extract"] if name == "xdi-replay" else []
    rc, out, err = run([path] + prefix + ["--help"])
    assert re.search(r"--max-naccb-size SIZE\s+largest (plausible )?NACCB"
                     r"( accepted)?, 36 to 2G-1", out), out
    for value, ok in (("36", True), ("2147483647", True), ("35", False),
                      ("2G", False)):
        rc, out, err = run([path] + with_option(name, "--max-naccb-size",
                                                value))
        assert (rc != 2) == ok, (value, rc, err)
        if not ok:
            assert "36 bytes to 2G-1" in err, err


@pytest.mark.parametrize("path", ["tools/xdi-agent/demo/demo.sim",
                                  "tools/xdi-agent/demo/jobs/PAYROLL1"])
def test_agent_page_shows_the_demo_files_whole(path, source_dir):
    """docs/agent.md's examples are the demo's files, whole and current."""
    page = (source_dir / "docs" / "agent.md").read_text()
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```$", page, re.M | re.S)
    assert (source_dir / path).read_text() in blocks, path
