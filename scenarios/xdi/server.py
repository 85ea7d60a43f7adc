"""Running xdi-server as a child process for one test.

The server is started on kernel-chosen ports (port 0) with its own journal
file and stderr log in the test's private directory, so tests can run in
parallel.  Readiness is its `listening on ADDR:PORT` lines on stdout (one
per --listen), read with a hard deadline; nothing sleeps.  stop() sends a
signal and waits, bounded; kill() is the teardown's last word.
"""

import os
import pathlib
import queue
import signal
import subprocess
import threading
import time

from .agent import ScriptedAgent, parse_address
from .journal import Journal

START_TIMEOUT = 10.0
STOP_TIMEOUT = 15.0


def source_dir():
    env = os.environ.get("XDI_SOURCE_DIR")
    if env:
        return pathlib.Path(env)
    return pathlib.Path(__file__).resolve().parents[2]


def build_dir():
    env = os.environ.get("XDI_BUILD_DIR")
    if env:
        return pathlib.Path(env)
    raise RuntimeError("XDI_BUILD_DIR is not set (ctest sets it; by hand: "
                       "XDI_BUILD_DIR=/path/to/build)")


def server_binary():
    return build_dir() / "server" / "xdi-server"


def fixture_dir(name):
    """fixtures/NAME of the source tree (e.g. "test", "demo", "bad/x")."""
    return source_dir() / "fixtures" / name


class ServerStartError(AssertionError):
    pass


class XdiServer:
    """One xdi-server process.

    fixtures: a directory path.  listen: ADDR:PORT strings (port 0).
    args: further command-line flags.  workdir: a private directory for
    the journal and the stderr log.
    """

    def __init__(self, fixtures, workdir, listen=("127.0.0.1:0",), args=(),
                 journal=True, binary=None, env=None):
        self.binary = pathlib.Path(binary) if binary else server_binary()
        self.fixtures = pathlib.Path(fixtures)
        self.workdir = pathlib.Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.listen = list(listen)
        self.args = [str(a) for a in args]
        self.journal_path = self.workdir / "journal.jsonl" if journal \
            else None
        self.stderr_path = self.workdir / "stderr.log"
        self.proc = None
        self.addresses = []
        self._lines = queue.Queue()
        self._stdout_tail = []
        self._stderr_file = None
        self.returncode = None
        self.env = env  # extra environment variables
        # --control: the `control on ADDR:PORT` line (docs/control.md).
        self.control_address = None

    def command(self):
        cmd = [str(self.binary), "--fixtures", str(self.fixtures)]
        for addr in self.listen:
            cmd += ["--listen", addr]
        if self.journal_path is not None:
            cmd += ["--journal", str(self.journal_path)]
        return cmd + self.args

    # ---- life cycle ---------------------------------------------------------

    def spawn(self):
        """Start the process without waiting for it to listen."""
        if self.proc is not None:
            raise RuntimeError("this XdiServer was already started")
        if not self.binary.exists():
            raise ServerStartError("xdi-server not built: %s does not exist"
                                   % self.binary)
        self._stderr_file = open(self.stderr_path, "wb")
        env = None
        if self.env:
            env = dict(os.environ)
            env.update(self.env)
            if "LD_PRELOAD" in self.env:
                # A preloaded library (libfaketime) comes before the ASan
                # runtime of a sanitized build (asan preset): allow it.
                env["ASAN_OPTIONS"] = ":".join(filter(None, [
                    env.get("ASAN_OPTIONS"), "verify_asan_link_order=0"]))
        self.proc = subprocess.Popen(
            self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=self._stderr_file, start_new_session=True, env=env)
        t = threading.Thread(target=self._read_stdout, daemon=True,
                             name="xdi-server-stdout")
        t.start()
        return self

    def _read_stdout(self):
        # Drains stdout for the whole life of the process so it can never
        # block on a full pipe; lines go to the queue, EOF as None.
        for line in self.proc.stdout:
            self._lines.put(line.decode("utf-8", "replace").rstrip("\n"))
        self._lines.put(None)

    def _wants_control(self):
        return any(a == "--control" or a.startswith("--control=")
                   for a in self.args)

    def start(self, timeout=START_TIMEOUT):
        """Spawn, then wait (bounded) for one `listening on` per listener
        (and `control on` with --control)."""
        self.spawn()
        deadline = time.monotonic() + timeout
        while (len(self.addresses) < len(self.listen) or
               (self._wants_control() and self.control_address is None)):
            remaining = deadline - time.monotonic()
            try:
                line = self._lines.get(timeout=max(remaining, 0.001))
            except queue.Empty:
                self.kill()
                raise ServerStartError(
                    "xdi-server printed %d of %d 'listening on' lines%s "
                    "within %.0f s\n%s" % (
                        len(self.addresses), len(self.listen),
                        " (and 'control on': %s)" % (
                            "yes" if self.control_address else "no")
                        if self._wants_control() else "",
                        timeout, self.diagnostics()))
            if line is None:
                self.wait(STOP_TIMEOUT)
                raise ServerStartError(
                    "xdi-server exited (code %s) before listening\n%s"
                    % (self.returncode, self.diagnostics()))
            self._stdout_tail.append(line)
            if line.startswith("listening on "):
                self.addresses.append(
                    parse_address(line[len("listening on "):].strip()))
            elif line.startswith("control on "):
                self.control_address = parse_address(
                    line[len("control on "):].strip())
        return self

    @property
    def control_url(self):
        """http://ADDR:PORT of the control plane (None without it)."""
        if self.control_address is None:
            return None
        from .control import url_of
        return url_of(*self.control_address)

    @property
    def control_token_file(self):
        """FILE of a `control token in FILE` line (a generated token)."""
        for line in self.stdout_lines():
            if line.startswith("control token in "):
                return line[len("control token in "):].strip()
        return None

    def control_client(self, token=None, user=None, password=None):
        """An xdi.control.ControlClient of this server's control plane;
        without credentials, the token of its --control-token."""
        from .control import ControlClient
        if token is None and user is None:
            token = _arg_value(self.args, "--control-token")
        return ControlClient(self.control_url, token=token, user=user,
                             password=password)

    @property
    def address(self):
        """The first listener's (host, port)."""
        return self.addresses[0]

    @property
    def journal(self):
        return Journal(self.journal_path)

    def stdout_lines(self):
        """Every stdout line read so far (the listening lines included)."""
        while True:
            try:
                line = self._lines.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self._stdout_tail.append(line)
        return list(self._stdout_tail)

    def agent(self, name="agent", address=None, **kw):
        return ScriptedAgent(address or self.address, name=name, **kw)

    def send_signal(self, sig):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)

    def wait(self, timeout=STOP_TIMEOUT):
        """Wait for exit; returns the exit code.  AssertionError (after
        killing it) when it does not exit in time."""
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("xdi-server did not exit within %.0f s\n%s"
                                 % (timeout, self.diagnostics()))
        self._close_files()
        return self.returncode

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Signal and wait; returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.wait(timeout)

    def kill(self):
        """SIGKILL if still running (teardown), and reap.  The server runs
        in its own process group (start_new_session), so anything it
        started goes with it."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.returncode = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        self._close_files()

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def _close_files(self):
        if self._stderr_file is not None:
            self._stderr_file.close()
            self._stderr_file = None

    def stderr(self):
        try:
            return self.stderr_path.read_text("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def diagnostics(self, tail=40):
        err = self.stderr().splitlines()[-tail:]
        return ("command: %s\nstdout:\n  %s\nstderr (last %d lines):\n  %s"
                % (" ".join(self.command()),
                   "\n  ".join(self._stdout_tail) or "(nothing)", tail,
                   "\n  ".join(err) or "(nothing)"))


def _arg_value(args, flag):
    """The value of `flag VALUE` or `flag=VALUE` in args (the last one)."""
    value = None
    for i, a in enumerate(args):
        if a == flag and i + 1 < len(args):
            value = args[i + 1]
        elif a.startswith(flag + "="):
            value = a[len(flag) + 1:]
    return value


def run_to_exit(fixtures, workdir, args=(), timeout=STOP_TIMEOUT,
                binary=None):
    """Run the server expecting it to exit by itself (a bad fixture, a bad
    flag).  Returns (exit code, stdout, stderr)."""
    binary = pathlib.Path(binary) if binary else server_binary()
    if not binary.exists():
        raise ServerStartError("xdi-server not built: %s does not exist"
                               % binary)
    cmd = [str(binary), "--fixtures", str(fixtures), "--listen",
           "127.0.0.1:0", "--journal", str(pathlib.Path(workdir) /
                                           "journal.jsonl")] + list(args)
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("xdi-server still running after %.0f s: %s"
                             % (timeout, " ".join(cmd))) from e
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))
