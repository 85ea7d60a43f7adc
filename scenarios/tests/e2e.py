"""Helpers of the end-to-end scenarios (scenarios/test_e2e_*.py): the real
xdi-agent against the real xdi-server, no proxy in between, on the fixture
set fixtures/e2e (its README.md lists the hosts and who uses them).

The agents are xdi_agent() processes (agent_proc.py); every wait is for an agent
log line or a journal record, with a deadline.  Wire names and NACCB
headers are written out by hand here, in EBCDIC code page 037 (the set's
code page): never produced by the code under test.
"""

import os
import signal
import time

from agent_proc import server_arg, xdi_agent
from xdi.faketime import faketime_env
from xdi.server import fixture_dir

E2E = fixture_dir("e2e")

# host -> its 8-byte system name on the wire (037, blank padded), as hex:
# L D3, O D6, P D7, A C1, N D5, D C4, E C5, B C2, T E3, F C6, R D9, M D4.
WIRE = {
    "LOOPA": "D3D6D6D7C1404040",
    "NODEA": "D5D6C4C5C1404040",
    "NODEB": "D5D6C4C5C2404040",
    "TFRAME": "E3C6D9C1D4C54040",
    "RELOAD": "D9C5D3D6C1C44040",
}

WITHIN = 10.0
POLL = 0.01


def header(total, agent_id, system, key, count=0, size=0):
    """A 36-byte NACCB header as hex (docs/protocol.md §4): total
    length, agent-ID, system name, key, extended bytes 0, forward pointer
    0, object count, object size.  Each argument is one field's value; the
    hex is laid out here, not by the codec under test."""
    return "%08X%08X%s%s%08X%08X%08X%08X" % (total, agent_id, WIRE[system],
                                            key, 0, 0, count, size)


def ebcdic(text):
    """Upper-case letters, digits, blank, '=' in code page 037, by hand."""
    table = {" ": "40", "=": "7E"}
    for i, c in enumerate("ABCDEFGHI"):
        table[c] = "%02X" % (0xC1 + i)
    for i, c in enumerate("JKLMNOPQR"):
        table[c] = "%02X" % (0xD1 + i)
    for i, c in enumerate("STUVWXYZ"):
        table[c] = "%02X" % (0xE2 + i)
    for i in range(10):
        table[str(i)] = "%02X" % (0xF0 + i)
    return "".join(table[c] for c in text)


def wait_until(pred, what, within=WITHIN):
    """Poll pred() (bounded) until it is true; AssertionError naming what
    was awaited otherwise."""
    deadline = time.monotonic() + within
    while not pred():
        if time.monotonic() >= deadline:
            raise AssertionError("not within %.1f s: %s" % (within, what))
        time.sleep(POLL)


def agent_env(when=None):
    """The agent's environment: this one, with its wall clock started at
    `when` by libfaketime when given.  The clock runs at real speed: the
    server's 1/100 speed (xdi.faketime.faketime_env's default) would also
    stretch every epoll_wait timeout of the agent 100 times (libfaketime
    scales them by its rate), turning a script's `+0.05` into 5 s."""
    env = dict(os.environ)
    if when is not None:
        env.update(faketime_env(when, speed="1"))
    return env


class Agents:
    """The xdi-agent processes of one test: started with start(), each in
    its own directory, and stopped in teardown (SIGTERM, then SIGKILL of
    that one process) whatever the test's outcome."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.procs = []

    def start(self, name, server, system, extra=(), env=None,
              address=None):
        args = ["--server", server_arg(address or server.address),
                "--system", system, "--backoff", "20", "--poll-ms", "20"]
        agent = xdi_agent(args + list(extra), self.tmp_path / name,
                          env=env)
        self.procs.append(agent)
        return agent

    @staticmethod
    def stop(agent):
        """SIGTERM: logout, exit 0 (docs/agent.md, exit codes)."""
        agent.signal(signal.SIGTERM)
        return agent.wait()

    def close(self):
        for agent in self.procs:
            if agent.proc.poll() is None:
                agent.signal(signal.SIGTERM)
                try:
                    agent.wait(within=5)
                except AssertionError:
                    pass  # wait() killed it
            agent.kill()


def append_line(path, line):
    """Append one line to a followed log file, in one write."""
    with open(path, "a", encoding="latin-1") as f:
        f.write(line + "\n")
