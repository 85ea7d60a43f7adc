"""Helpers of the xdi-agent scenarios (scenarios/tests/test_agent_*.py,
test_e2e_*.py): the real xdi-agent of the build tree.

xdi_agent() runs it as an xdi.agentproc.AgentProcess, whose stderr log
lines are read in a thread, so a test waits for a line ("running: ...")
with a deadline instead of sleeping.  The proxy that slips NACCBs of a
test's own between the server's is xdi.proxy.InjectingProxy.
"""

import os
import pathlib
import subprocess

from xdi.agentproc import AgentProcess

WITHIN = 10.0


def agent_binary():
    build = os.environ.get("XDI_BUILD_DIR")
    if not build:
        raise RuntimeError("XDI_BUILD_DIR is not set")
    return pathlib.Path(build) / "tools" / "xdi-agent" / "xdi-agent"


def server_arg(address):
    host, port = address
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


def xdi_agent(args, workdir, env=None, stdin=subprocess.DEVNULL):
    """The real xdi-agent with these command-line options, as an
    xdi.agentproc.AgentProcess: its stderr (the log) read line by line, its
    stdout discarded; env: variables on top of this environment."""
    return AgentProcess([agent_binary()] + [str(a) for a in args], workdir,
                        env=env, stdin=stdin, stdout=subprocess.DEVNULL,
                        label="xdi-agent")


def run_agent(args, within=WITHIN):
    """Run xdi-agent to its exit: (exit code, stdout, stderr)."""
    try:
        p = subprocess.run([str(agent_binary())] + [str(a) for a in args],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=within)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("xdi-agent still running after %.1f s: %s"
                             % (within, args)) from e
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))
