"""An agent author's first hour, from an install prefix only: `cmake
--install` of this build tree into a temporary prefix, the prefix copied
elsewhere (nothing baked in at install time may be what makes it work) and
the original removed; then, with the environment cleared of every XDI_
variable and of PYTHONPATH, from a directory outside the source and build
trees:

- the C program that docs/c-api.md's code blocks make up is built with
  `pkg-config --cflags --libs naccb` of the prefix, runs without
  LD_LIBRARY_PATH (the .pc's rpath), loads the prefix's libnaccb and checks
  its own results against the bytes of docs/protocol.md §7.1;
- the installed docs/examples/agent-minimal.c is built the same way, and
  the installed xdi-conform runs the whole suite against it: every check
  passes except those that need jobs (the minimal agent runs none), which
  are skipped.
"""

import os
import re
import shlex
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

TIMEOUT = 300
CFLAGS = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
          "-Wshadow", "-Wmissing-prototypes", "-Wstrict-prototypes",
          "-Wcast-qual", "-Wwrite-strings", "-Wvla", "-Wformat=2"]


def clean_env():
    """The environment without anything that could point at the source or
    build tree."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("XDI_")
           and k not in ("PYTHONPATH", "PYTHONHOME", "LD_LIBRARY_PATH",
                         "PKG_CONFIG_PATH", "CMAKE_PREFIX_PATH")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@pytest.fixture(scope="module")
def prefix(build_dir, tmp_path_factory):
    """An installed prefix, copied away from where it was installed."""
    cmake = os.environ.get("XDI_CMAKE") or shutil.which("cmake")
    if not cmake:
        pytest.fail("cmake not found (ctest sets XDI_CMAKE)")
    root = tmp_path_factory.mktemp("install")
    p = subprocess.run([cmake, "--install", str(build_dir), "--prefix",
                        str(root / "installed")], capture_output=True,
                       text=True, timeout=TIMEOUT)
    assert p.returncode == 0, p.stdout + p.stderr
    moved = root / "moved"
    shutil.copytree(root / "installed", moved, symlinks=True)
    shutil.rmtree(root / "installed")
    lib = next(moved.rglob("libnaccb.so"), None)
    assert lib is not None, "libnaccb.so was not installed"
    if b"__asan_init" in lib.resolve().read_bytes():
        pytest.skip("sanitizer build: the installed libnaccb needs the ASan "
                    "runtime, which a plain `cc` program does not link")
    return moved


def pkg_config(prefix, *args):
    pc = next(prefix.rglob("naccb.pc"), None)
    assert pc is not None, "naccb.pc was not installed"
    env = clean_env()
    env["PKG_CONFIG_PATH"] = str(pc.parent)
    p = subprocess.run(["pkg-config"] + list(args) + ["naccb"], env=env,
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert p.returncode == 0, p.stderr
    return shlex.split(p.stdout)


def build(prefix, source, exe, cwd):
    """cc SOURCE $(pkg-config --cflags --libs naccb), as the docs say."""
    cmd = (["cc"] + CFLAGS + [str(source)] +
           pkg_config(prefix, "--cflags", "--libs") + ["-o", str(exe)])
    p = subprocess.run(cmd, cwd=str(cwd), env=clean_env(),
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert p.returncode == 0, " ".join(cmd) + "\n" + p.stdout + p.stderr
    # It loads the prefix's library, found through the .pc's rpath.
    p = subprocess.run(["ldd", str(exe)], env=clean_env(),
                       capture_output=True, text=True, timeout=TIMEOUT)
    loaded = [line for line in p.stdout.splitlines() if "libnaccb" in line]
    assert loaded and str(prefix.resolve()) in os.path.realpath(
        loaded[0].split("=>")[1].split()[0]), p.stdout
    return exe


def test_install_names_neither_tree(prefix, source_dir, build_dir):
    """No file of the prefix but the programs' debug information names the
    source or the build tree: what the installed xdi-conform, naccb.pc and
    the CMake package find, they find relative to themselves."""
    trees = [str(source_dir.resolve()).encode(),
             str(build_dir.resolve()).encode()]
    seen = 0
    for path in prefix.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        if data.startswith(b"\x7fELF") or data.startswith(b"!<arch>"):
            continue  # DWARF names the sources it was compiled from
        seen += 1
        for tree in trees:
            assert tree not in data, "%s names %s" % (path, tree.decode())
    assert seen > 20, seen


def test_install_help_names_the_prefix_paths(prefix, tmp_path):
    """The installed xdi-conform's --help gives as defaults the server, the
    fixtures and the library of its own prefix."""
    p = subprocess.run(["/usr/bin/python3", "-I",
                        str(prefix / "bin" / "xdi-conform"), "--help"],
                       cwd=str(tmp_path), env=clean_env(),
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert p.returncode == 0, p.stderr
    flat = "".join(p.stdout.split())  # argparse wraps long lines
    real = prefix.resolve()  # the command resolves its own place
    for path in (real / "bin" / "xdi-server",
                 real / "share" / "xdi-emu" / "fixtures" / "conformance"):
        assert "(default:%s)" % path in flat, p.stdout
    assert "(default:%s" % (real / "lib") in flat, p.stdout


def test_install_c_api_doc_program(prefix, source_dir, tmp_path):
    """docs/c-api.md's code blocks, in order, are one program that builds
    with pkg-config against the prefix and passes its own checks."""
    doc = (source_dir / "docs" / "c-api.md").read_text()
    blocks = re.findall(r"^```c\n(.*?)^```", doc, re.S | re.M)
    assert len(blocks) >= 5, "docs/c-api.md has fewer C blocks than its sections"
    installed = prefix / "share" / "doc" / "xdi-emu" / "c-api.md"
    assert installed.read_text() == doc, "the installed c-api.md is stale"
    src = tmp_path / "c-api.c"
    src.write_text("\n".join(blocks))
    exe = build(prefix, src, tmp_path / "c-api", tmp_path)
    p = subprocess.run([str(exe)], cwd=str(tmp_path), env=clean_env(),
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr)
    assert p.stdout.startswith("c-api example: ok"), p.stdout


def test_install_agent_minimal_passes_the_suite(prefix, source_dir,
                                                 tmp_path):
    """The installed agent-minimal.c, built from the installed headers and
    library, passes every check of the installed xdi-conform that does not
    need jobs; those are skipped, and so is exec.refusal (the minimal agent
    has no command policy), and nothing else is."""
    example = prefix / "share" / "doc" / "xdi-emu" / "examples" / \
        "agent-minimal.c"
    text = example.read_text()
    assert text == (source_dir / "docs" / "examples" /
                    "agent-minimal.c").read_text(), "installed copy is stale"
    assert len(text.splitlines()) < 500, "no longer a small agent"
    work = tmp_path / "run"
    work.mkdir()
    agent = build(prefix, example, work / "agent-minimal", work)
    junit = work / "conform.xml"
    cmd = ["/usr/bin/python3", "-I", str(prefix / "bin" / "xdi-conform"),
           "--agent", "%s {host} {port} {system} {workdir}/messages.log "
           "{holidays}" % shlex.quote(str(agent)),
           "--inject-message",
           'printf "%s\\n" {text} >> {workdir}/messages.log',
           "--faketime", "--junit", str(junit)]
    p = subprocess.run(cmd, cwd=str(work), env=clean_env(),
                       capture_output=True, text=True, timeout=TIMEOUT)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out
    cases = ET.parse(junit).getroot().iter("testcase")
    passed, skipped = [], {}
    for case in cases:
        name = case.get("name")
        assert case.find("failure") is None and case.find("error") is None, \
            "%s did not pass:\n%s" % (name, out)
        skip = case.find("skipped")
        if skip is None:
            passed.append(name)
        else:
            skipped[name] = skip.get("message", "")
    # Only the checks that need jobs may be skipped, for that reason, and
    # exec.refusal: the minimal agent has no command policy to refuse by.
    for name, why in skipped.items():
        assert why.startswith(("needs jobs", "needs {jobs}")) or (
            name == "exec.refusal" and why.startswith("needs --refused-command")), \
            "%s skipped: %s" % (name, why)
    assert {"events.job_texts", "exec.job"} <= set(skipped), skipped
    for name in ("login.format", "session.agent_id", "tables.coalesced",
                 "events.only_matched", "exec.command", "shutdown.local_signal",
                 "session.reconnect", "frame.time", "frame.holiday",
                 "tables.replace", "server.clean_session",
                 "texts.code_page", "texts.own_length"):
        assert name in passed, "%s: not passed\n%s" % (name, out)
