"""Helpers of the xdi-agent scenarios (scenarios/test_agent_*.py).

AgentProcess runs the real xdi-agent binary and reads its stderr log lines
in a thread, so a test waits for a line ("running: ...") with a deadline
instead of sleeping.  InjectingProxy sits between the agent and the real
xdi-server: it forwards both directions untouched, reassembles the
server-to-agent stream with libnaccb's framer (xdi.codec.Framer), and can
slip a NACCB of the test's own (exec job, exec command) in between two of
the server's NACCBs.  The server does not send those requests by itself
yet (automation is a later issue), and the agent must be exercised
against the real server's checks of what it answers.
"""

import os
import pathlib
import queue
import re
import socket
import subprocess
import threading
import time

from xdi import codec
from xdi.codec import Naccb

WITHIN = 10.0


def agent_binary():
    build = os.environ.get("XDI_BUILD_DIR")
    if not build:
        raise RuntimeError("XDI_BUILD_DIR is not set")
    return pathlib.Path(build) / "tools" / "xdi-agent" / "xdi-agent"


def server_arg(address):
    host, port = address
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


class AgentProcess:
    """One xdi-agent process; args are its command-line options."""

    def __init__(self, args, workdir, stdin=subprocess.DEVNULL, env=None,
                 prefix=()):
        """prefix: a command that runs the agent (["faketime", ...])."""
        self.binary = agent_binary()
        self.args = [str(a) for a in args]
        self.workdir = pathlib.Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.lines = []            # every stderr line so far
        self._queue = queue.Queue()
        self._seen = 0             # lines already handed to wait_line
        self._eof = False
        self.proc = subprocess.Popen(
            list(prefix) + [str(self.binary)] + self.args, stdin=stdin,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            cwd=str(self.workdir), env=env, start_new_session=True)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        with open(self.workdir / "agent.log", "w", encoding="utf-8") as log:
            for raw in self.proc.stderr:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                log.write(line + "\n")
                log.flush()
                self._queue.put(line)
        self._queue.put(None)

    def _pull(self, timeout):
        """One more line into self.lines; False at the end of the log."""
        if self._eof:
            return False
        line = self._queue.get(timeout=timeout)
        if line is None:
            self._eof = True
            return False
        self.lines.append(line)
        return True

    def wait_line(self, pattern, within=WITHIN):
        """The next log line (after those already waited for) matching the
        regular expression; AssertionError with the log tail otherwise."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + within
        while True:
            while self._seen < len(self.lines):
                line = self.lines[self._seen]
                self._seen += 1
                if rx.search(line):
                    return line
            remaining = deadline - time.monotonic()
            try:
                if remaining > 0 and self._pull(remaining):
                    continue
            except queue.Empty:
                pass
            raise AssertionError(
                "xdi-agent: no log line matching %r within %.1f s (exit "
                "code %s)\n%s" % (pattern, within, self.proc.poll(),
                                   self.tail()))

    def has_line(self, pattern):
        """Any line read so far matches (no waiting)."""
        self._drain()
        rx = re.compile(pattern)
        return any(rx.search(line) for line in self.lines)

    def _drain(self):
        try:
            while self._pull(0.001):
                pass
        except queue.Empty:
            pass

    def tail(self, n=40):
        self._drain()
        return "last %d agent log lines:\n  %s" % (
            n, "\n  ".join(self.lines[-n:]) or "(none)")

    def signal(self, sig):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def wait(self, within=WITHIN):
        """The exit code; AssertionError (after a kill) when it runs on."""
        try:
            rc = self.proc.wait(timeout=within)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("xdi-agent still running after %.1f s\n%s"
                                 % (within, self.tail()))
        self._thread.join(timeout=within)
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=WITHIN)
        except subprocess.TimeoutExpired:
            pass


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


class InjectingProxy:
    """A TCP proxy for one agent connection at a time (see the module
    docstring).  .address is where the agent connects; .agent_id is the
    agent-ID of the last accept seen."""

    def __init__(self, server_address):
        self.server_address = server_address
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.address = self.listener.getsockname()
        self.agent_id = 0
        self.accepted = threading.Event()
        self._lock = threading.Lock()   # one writer to the agent at a time
        self._to_agent = None
        self._socks = []
        self._closed = False
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def _accept_loop(self):
        while not self._closed:
            try:
                agent, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.server_address,
                                              timeout=WITHIN)
            server.settimeout(None)
            self._socks += [agent, server]
            with self._lock:
                self._to_agent = agent
            threading.Thread(target=self._pipe_up, args=(agent, server),
                             daemon=True).start()
            threading.Thread(target=self._pipe_down, args=(server, agent),
                             daemon=True).start()

    @staticmethod
    def _close_pair(a, b):
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _pipe_up(self, agent, server):
        """Agent to server, byte for byte."""
        try:
            while True:
                data = agent.recv(65536)
                if not data:
                    break
                server.sendall(data)
        except OSError:
            pass
        self._close_pair(agent, server)

    def _pipe_down(self, server, agent):
        """Server to agent, whole NACCBs only, so that an injection never
        lands inside one."""
        framer = codec.Framer()
        try:
            while True:
                data = server.recv(65536)
                if not data:
                    break
                for msg in framer.feed(data):
                    n = Naccb.decode(msg)
                    if n.key == 0x01020700:
                        self.agent_id = n.agent_id
                        self.accepted.set()
                    with self._lock:
                        agent.sendall(msg)
        except OSError:
            pass
        self._close_pair(server, agent)

    def inject(self, naccb):
        """Send a NACCB (Naccb or bytes) to the agent."""
        data = naccb.encode() if isinstance(naccb, Naccb) else bytes(naccb)
        with self._lock:
            self._to_agent.sendall(data)

    def exec_job(self, system, name_field):
        """01020108 with an 8-byte job-name object (wire bytes)."""
        self.inject(Naccb(0x01020108, agent_id=self.agent_id, system=system,
                          objects=[name_field]))

    def exec_command(self, system, text):
        """01020104 with the command text (Latin-1 str, sent as EBCDIC)."""
        self.inject(Naccb(0x01020104, agent_id=self.agent_id, system=system,
                          objects=[codec.encode_text(text)]))

    def close(self):
        self._closed = True
        try:
            self.listener.close()
        except OSError:
            pass
        for s in self._socks:
            try:
                s.close()
            except OSError:
                pass
