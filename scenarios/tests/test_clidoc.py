"""Man pages and bash completion of the installed tools (clidoc/): both are
made at build time from each tool's --help, and these tests hold them to it
independently of the generator:

- every installed tool has a man page (help2man), and it names every long
  option of the tool's --help and of each of its subcommands' --help;
- `source` of its completion script completes every such option, in the
  subcommand it belongs to, and the subcommands themselves;
- `cmake --install` puts both under share/man/man1 and
  share/bash-completion/completions.
"""

import re
import shutil
import subprocess

import pytest

from test_docs_options import TOOLS, help_options, run, tool_path

# The tools `cmake --install` installs, with their subcommands that have a
# --help of their own.
INSTALLED = {
    "xdi-server": [], "xdi-agent": [], "naccb": [], "xdi-fixture": [],
    "xdi-conform": [], "xdi-journal": [],
    "xdi-replay": ["extract", "agent", "host", "fixtures"],
    "xdi-ctl": ["logon", "systems", "send", "job", "jobs", "replace",
                "shutdown", "journal", "watch", "reset"],
}


def sub_options(path, sub):
    rc, out, err = run([path, sub, "--help"])
    assert rc == 0, err
    return sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", out)))


def page_text(build_dir, name):
    if shutil.which("help2man") is None:
        pytest.skip("help2man is not installed (ci/deps.sh installs it)")
    page = build_dir / "clidoc" / "man1" / ("%s.1" % name)
    assert page.is_file(), "no man page %s" % page
    return page.read_text().replace("\\-", "-").replace("\\fB", "") \
        .replace("\\fR", "").replace("\\fI", "")


@pytest.mark.parametrize("name", sorted(INSTALLED))
def test_man_page_names_every_option(name, build_dir):
    path = tool_path(build_dir, name)
    text = page_text(build_dir, name)
    assert re.search(r'^\.TH %s "1" ' % re.escape(name.upper()), text, re.M), \
        text[:200]
    wanted = set(help_options(path))
    for sub in INSTALLED[name]:
        wanted |= set(sub_options(path, sub))
        assert '.SS "%s %s"' % (name, sub) in text, sub
    missing = [o for o in sorted(wanted)
               if not re.search(re.escape(o) + r"(?![a-z0-9-])", text)]
    assert not missing, "%s.1 does not name %s" % (name, ", ".join(missing))


def complete(script, words):
    """What the completion script offers for the command line words (the
    last one being completed)."""
    quoted = " ".join("'%s'" % w for w in words)
    prog = ("source '%s'\nCOMP_WORDS=(%s)\nCOMP_CWORD=%d\n"
            "$(complete -p '%s' | sed 's/.*-F \\([^ ]*\\) .*/\\1/')\n"
            "printf '%%s\\n' \"${COMPREPLY[@]}\"\n"
            % (script, quoted, len(words) - 1, words[0]))
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout.split()


def completion_script(build_dir, name):
    script = build_dir / "clidoc" / "bash-completion" / name
    assert script.is_file(), "no completion script %s" % script
    return script


@pytest.mark.parametrize("name", sorted(INSTALLED))
def test_completion_offers_every_option(name, build_dir):
    path = tool_path(build_dir, name)
    script = completion_script(build_dir, name)
    assert set(complete(script, [name, "--"])) >= set(help_options(path))
    for opt in help_options(path):
        assert opt in complete(script, [name, opt]), opt
    for sub in INSTALLED[name]:
        assert sub in complete(script, [name, sub[:2]]), sub
        offered = set(complete(script, [name, sub, "--"]))
        missing = set(sub_options(path, sub)) - offered
        assert not missing, (sub, sorted(missing))


def test_completion_of_option_arguments(build_dir, tmp_path):
    server = completion_script(build_dir, "xdi-server")
    (tmp_path / "fixdir").mkdir()
    (tmp_path / "fixfile").write_text("")
    assert complete(server, ["xdi-server", "--journal-errors", ""]) == \
        ["fatal", "warn"]
    # DIR: directories only
    got = complete(server, ["xdi-server", "--fixtures", str(tmp_path) + "/fix"])
    assert got == [str(tmp_path / "fixdir")], got
    agent = completion_script(build_dir, "xdi-agent")
    assert complete(agent, ["xdi-agent", "-c", "1"]) == ["1047"]
    # a value that is not a file or a word: nothing offered
    assert complete(agent, ["xdi-agent", "--server", ""]) == []


def test_install_puts_pages_and_completion_in_share(build_dir, tmp_path):
    cmake = shutil.which("cmake")
    if cmake is None:
        pytest.skip("no cmake")
    p = subprocess.run([cmake, "--install", str(build_dir), "--prefix",
                        str(tmp_path)], capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    for name in INSTALLED:
        assert (tmp_path / "share" / "bash-completion" / "completions" /
                name).is_file(), name
        if shutil.which("help2man"):
            assert (tmp_path / "share" / "man" / "man1" /
                    ("%s.1" % name)).is_file(), name
        assert (tmp_path / "bin" / name).is_file(), name
