"""AgentProcess: an agent under test as a child process, the one wrapper
the pytest scenarios (the real xdi-agent, scenarios/tests) and
xdi-conform (any agent's command, xdi.conform) share.

The agent runs in its own session (process group).  Its output (stderr,
and stdout unless discarded) is read line by line in a thread, written to
a log file as it comes and kept in .lines, so that a test waits for a log
line with a deadline (wait_line) instead of sleeping.  stop() ends the
whole group, bounded, and always reaps; wait() and wait_exit() are the two
ways to wait for an exit (failing the test, or returning None).
"""

import os
import pathlib
import queue
import re
import shlex
import signal as signals
import subprocess
import threading
import time

WITHIN = 10.0


class AgentProcess:
    """One agent process.

    command: an argument list (run as it is) or a shell command line (run
    by /bin/sh -c "exec COMMAND").  workdir: its log goes there, as
    LABEL.log.  env: variables set on top of this process's environment.
    cwd: where it runs (default: workdir).  stdout: "log" to log it with
    stderr, or subprocess.DEVNULL.  transcript: an xdi.conform Transcript
    that gets a note of the start and of every signal sent.
    """

    def __init__(self, command, workdir, env=None, stdin=subprocess.DEVNULL,
                 cwd=None, stdout="log", label="agent", transcript=None):
        self.label = label
        self.transcript = transcript
        self.workdir = pathlib.Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / ("%s.log" % label)
        if isinstance(command, str):
            argv, shown = ["/bin/sh", "-c", "exec " + command], command
        else:
            argv = [str(a) for a in command]
            shown = shlex.join(argv)
        self.command = shown
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.lines = []            # every output line read so far
        self._queue = queue.Queue()
        self._seen = 0             # lines already handed to wait_line
        self._eof = False
        self.returncode = None
        if transcript is not None:
            transcript.note("%s: starting: %s" % (label, shown))
        log = open(self.log_path, "w", encoding="utf-8")
        try:
            self.proc = subprocess.Popen(
                argv, stdin=stdin,
                stdout=subprocess.PIPE if stdout == "log" else stdout,
                stderr=subprocess.STDOUT if stdout == "log"
                else subprocess.PIPE,
                cwd=str(cwd or self.workdir),
                env=full_env, start_new_session=True)
        except OSError:
            log.close()
            raise
        stream = self.proc.stdout if stdout == "log" else self.proc.stderr
        self._thread = threading.Thread(target=self._read, args=(stream, log),
                                        daemon=True)
        self._thread.start()

    # ---- its output ------------------------------------------------------

    def _read(self, stream, log):
        with log:
            for raw in stream:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                log.write(line + "\n")
                log.flush()
                self._queue.put(line)
        self._queue.put(None)

    def _pull(self, timeout):
        """One more line into self.lines; False at the end of the output."""
        if self._eof:
            return False
        line = self._queue.get(timeout=timeout)
        if line is None:
            self._eof = True
            return False
        self.lines.append(line)
        return True

    def _drain(self):
        try:
            while self._pull(0.001):
                pass
        except queue.Empty:
            pass

    def wait_line(self, pattern, within=WITHIN):
        """The next output line (after those already waited for) matching
        the regular expression; AssertionError with the tail otherwise."""
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
                "%s: no log line matching %r within %.1f s (exit code %s)"
                "\n%s" % (self.label, pattern, within, self.proc.poll(),
                          self.tail()))

    def has_line(self, pattern):
        """Any line read so far matches (no waiting)."""
        self._drain()
        rx = re.compile(pattern)
        return any(rx.search(line) for line in self.lines)

    def _settle(self):
        """Once the agent has exited, let the reader catch up (bounded: a
        child it left may hold the pipe open)."""
        if self.poll() is not None:
            self._thread.join(timeout=1.0)

    def tail(self, n=40):
        self._settle()
        self._drain()
        return "last %d agent log lines:\n  %s" % (
            n, "\n  ".join(self.lines[-n:]) or "(none)")

    def log_tail(self, n=30):
        """The end of the log file, for a report's evidence."""
        self._settle()
        try:
            lines = self.log_path.read_text("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return "last %d lines of the agent's output (%s):\n  %s" % (
            min(n, len(lines)), self.log_path,
            "\n  ".join(lines[-n:]) or "(none)")

    # ---- its life --------------------------------------------------------

    def poll(self):
        if self.returncode is None:
            self.returncode = self.proc.poll()
        return self.returncode

    def signal(self, sig):
        if self.poll() is None:
            if self.transcript is not None:
                self.transcript.note("%s: sending %s" % (
                    self.label, signals.Signals(sig).name))
            self.proc.send_signal(sig)

    def wait_exit(self, within):
        """The exit code, or None when it still runs after `within` s."""
        try:
            self.returncode = self.proc.wait(timeout=within)
        except subprocess.TimeoutExpired:
            return None
        return self.returncode

    def wait(self, within=WITHIN):
        """The exit code, with every line of its output read;
        AssertionError (after a kill) when it runs on."""
        if self.wait_exit(within) is None:
            self.kill()
            raise AssertionError("%s still running after %.1f s\n%s"
                                 % (self.label, within, self.tail()))
        self._thread.join(timeout=within)
        return self.returncode

    def kill(self):
        """SIGKILL to the agent process itself; reaps it."""
        if self.poll() is None:
            self.proc.kill()
        self.wait_exit(WITHIN)

    def stop(self, within=3.0):
        """SIGTERM to the process group, then SIGKILL; always reaps.  An
        agent already gone still has its group killed: children it left
        behind are not ours to keep."""
        if self.poll() is None:
            self._kill_group(signals.SIGTERM)
            if self.wait_exit(within) is None:
                self._kill_group(signals.SIGKILL)
                self.wait_exit(within)
        else:
            self._kill_group(signals.SIGKILL)

    def _kill_group(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
