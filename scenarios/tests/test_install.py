"""xdi-conform runs from an install prefix, away from the source tree
(issue 8): `cmake --install` of this build tree into a temporary prefix,
the prefix copied somewhere else (so no path baked in at install time can
be what makes it work), and the copy's bin/xdi-conform run from a
directory outside the source tree with PYTHONPATH and every XDI_ variable
unset.  The package it imports must be the copy's, and a real short run
against the copy's xdi-agent must pass.
"""

import os
import pathlib
import shutil
import subprocess
import pytest

TIMEOUT = 300


def clean_env():
    """The environment without anything that could point at the source or
    build tree."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("XDI_") and k not in ("PYTHONPATH",
                                                      "PYTHONHOME")}
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
    return moved


def run(prefix, args, cwd, **kw):
    return subprocess.run(["/usr/bin/python3", "-I",
                           str(prefix / "bin" / "xdi-conform")] + args,
                          cwd=str(cwd), env=clean_env(), capture_output=True,
                          text=True, timeout=TIMEOUT, **kw)


def test_install_package_and_paths_resolve_under_the_prefix(prefix,
                                                            source_dir,
                                                            tmp_path):
    """The installed command puts the installed package on sys.path and
    finds libnaccb, xdi-server and the fixtures inside the prefix.  (The
    library is loaded by the runs below, through xdi-conform's own start,
    which an ASan-built libnaccb needs.)"""
    probe = ("import runpy, os, sys\n"
             "runpy.run_path(sys.argv[1])\n"
             "import xdi.conform.cli, xdi.codec\n"
             "print(xdi.__file__)\n"
             "print(xdi.conform.cli.__file__)\n"
             "for v in ('XDI_LIBNACCB', 'XDI_CONFORM_SERVER',"
             " 'XDI_CONFORM_FIXTURES'):\n"
             "    print(os.environ[v])\n")
    p = subprocess.run(["/usr/bin/python3", "-I", "-c", probe,
                        str(prefix / "bin" / "xdi-conform")],
                       cwd=str(tmp_path), env=clean_env(),
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert p.returncode == 0, p.stdout + p.stderr
    lines = p.stdout.splitlines()
    paths = [pathlib.Path(x) for x in lines[:5]]
    src = source_dir.resolve()
    for path in paths:
        assert path.exists(), path
        assert path.resolve().is_relative_to(prefix.resolve()), path
        assert not path.resolve().is_relative_to(src), path
    lib, server, fixtures = paths[2:5]
    assert lib.name.startswith("libnaccb.so")
    assert server.name == "xdi-server" and os.access(server, os.X_OK)
    assert sorted(os.listdir(fixtures)) == sorted(
        os.listdir(source_dir / "fixtures" / "conformance"))


def test_install_list_from_the_prefix(prefix, tmp_path):
    """--list names the whole suite, as the build tree's command does."""
    p = run(prefix, ["--list"], tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    names = [line.split()[0] for line in p.stdout.splitlines()
             if line.strip()]
    assert len(names) == 36, names
    assert names[0].startswith("login."), names


def test_install_short_run_against_the_installed_agent(prefix, tmp_path):
    """A real run of a few checks against the installed xdi-agent, with
    the installed xdi-server: the login checks pass."""
    agent = prefix / "bin" / "xdi-agent"
    if not agent.exists():
        pytest.skip("xdi-agent is not built in this tree")
    template = ("%s --server {host}:{port} --system {system} --backoff 20 "
                "--retries 50 --poll-ms 20" % agent)
    args = ["--agent", template, "--check", "login.*"]
    if b"libasan" in agent.read_bytes():  # a sanitized build is slower
        args += ["--timeout-scale", "3"]
    p = run(prefix, args, tmp_path)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out
    assert " passed" in out and "FAIL" not in out, out


def test_install_pip_offline(source_dir, tmp_path):
    """`pip install --no-build-isolation --no-deps` of the package works
    offline with Debian's setuptools, and its xdi-conform entry point runs.
    From a copy of scenarios/ (setuptools builds in place)."""
    if subprocess.run(["/usr/bin/python3", "-m", "pip", "--version"],
                      capture_output=True).returncode != 0:
        pytest.skip("Debian's pip (python3-pip) is not installed")
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(source_dir / "scenarios" / name, src / name)
    shutil.copytree(source_dir / "scenarios" / "xdi", src / "xdi",
                    ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "site"
    env = clean_env()
    env["PIP_NO_INDEX"] = "1"
    p = subprocess.run(["/usr/bin/python3", "-m", "pip", "install", "-q",
                        "--no-build-isolation", "--no-deps", "--no-index",
                        "--target", str(target), str(src)],
                       cwd=str(tmp_path), env=env, capture_output=True,
                       text=True, timeout=TIMEOUT)
    assert p.returncode == 0, p.stdout + p.stderr
    assert (target / "xdi" / "conform" / "checks").is_dir()
    env["PYTHONPATH"] = str(target)
    env["XDI_LIBNACCB"] = os.environ["XDI_LIBNACCB"]
    p = subprocess.run([str(target / "bin" / "xdi-conform"), "--list"],
                       cwd=str(tmp_path), env=env, capture_output=True,
                       text=True, timeout=TIMEOUT)
    assert p.returncode == 0, p.stdout + p.stderr
    assert len(p.stdout.splitlines()) == 36, p.stdout
