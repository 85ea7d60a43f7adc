"""xdi-fuzz: one case against one run of the agent under test.

The worker is the evil host: it listens on 127.0.0.1 (a kernel-chosen
port), starts the agent's command (rendered and quoted exactly as
xdi-conform does, run by /bin/sh -c "exec COMMAND" in its own process
group), accepts its connection, carries it through the valid prefix (the
login read, accept, both acquires read and both tables sent) to the
case's state, sends the case's bytes, and then checks that the agent
still lives: the liveness probe (an exec command it answers; or, with a
message adapter, an injected message it reports), on the same connection
when the stream is in step, else after a reconnect with a fresh session.
Then it asks the agent to stop (SIGTERM by default) and looks at its
exit and its stderr.
"""

import os
import re
import select
import signal
import socket
import struct
import subprocess
import time

import xdifuzz_gen as gen

SANITIZER_MARKERS = (
    (b"ERROR: AddressSanitizer", "asan"),
    (b"ERROR: LeakSanitizer", "lsan"),
    (b"WARNING: MemorySanitizer", "msan"),
    (b"ERROR: MemorySanitizer", "msan"),
    (b"WARNING: ThreadSanitizer", "tsan"),
    (b"runtime error:", "ubsan"),
)
FRAME = re.compile(rb"^\s*#(\d+) 0x[0-9a-fA-F]+ in (\S+)(?: (\S+))?", re.M)
UBSAN_AT = re.compile(rb"^(\S+:\d+:\d+): runtime error: (.*)$", re.M)
RUNTIME_FRAME = re.compile(r"^(__asan|__lsan|__ubsan|__msan|__sanitizer|"
                           r"__interceptor_|__GI_|_start$|__libc_|"
                           r"raise$|abort$|malloc$|calloc$|realloc$|free$|"
                           r"memcpy$|memmove$|memset$|strlen$)")


class Finding:
    """What went wrong in one case: kind (signal, asan/ubsan/lsan/msan,
    hang, exit, rss, desync), detail (the signal's name, the exit status,
    the sanitizer's error line, what the hang was), frames (the top of
    the sanitizer's stack, runtime frames left out)."""

    def __init__(self, kind, detail, frames=(), note=""):
        self.kind = kind
        self.detail = detail
        self.frames = list(frames)
        self.note = note
        self.signal = None
        self.exit = None

    def signature(self):
        """Deduplication: kind, signal or exit status, top three frames."""
        return "|".join([self.kind, str(self.detail)] + self.frames[:3])

    def to_json(self):
        return {"kind": self.kind, "detail": self.detail,
                "frames": self.frames, "signal": self.signal,
                "exit_status": self.exit, "note": self.note}


class Gone(Exception):
    """The agent process ended."""


class Closed(Exception):
    """The agent closed the connection."""


def signal_name(num):
    try:
        return signal.Signals(num).name
    except ValueError:
        return "SIG%d" % num


def sanitizer_report(data):
    """Finding for the first sanitizer report in the agent's stderr, or
    None."""
    for marker, kind in SANITIZER_MARKERS:
        i = data.find(marker)
        if i < 0:
            continue
        line_end = data.find(b"\n", i)
        line = data[i:line_end if line_end >= 0 else len(data)]
        frames = []
        for m in FRAME.finditer(data, i):
            name = m.group(2).decode("utf-8", "replace")
            if not RUNTIME_FRAME.match(name):
                frames.append(name)
            if len(frames) >= 5:
                break
        if kind == "ubsan" and not frames:
            m = UBSAN_AT.search(data)
            if m:
                # file:line:col without the directories, so that the same
                # bug gives the same signature in every build tree.
                frames = [os.path.basename(m.group(1).decode("utf-8",
                                                             "replace"))]
        # The error line without addresses and thread numbers.
        text = line.decode("utf-8", "replace")
        text = re.sub(r"0x[0-9a-fA-F]+", "", text)
        text = re.sub(r"\s+", " ", text)
        if kind == "ubsan":
            m = UBSAN_AT.search(data)
            detail = m.group(2).decode("utf-8", "replace") if m else text
            detail = re.sub(r"-?\d+", "N", detail)[:120]
        else:
            m = re.search(r"Sanitizer: (.*?)(?: on | at | \(|:|$)", text)
            detail = (m.group(1) if m else text).strip()[:60]
        return Finding(kind, detail, frames)
    return None


def tree_rss(pid):
    """Resident memory of pid and its descendants, bytes."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open("/proc/%d/statm" % p, "rb") as f:
                total += int(f.read().split()[1]) * PAGE
            for t in os.listdir("/proc/%d/task" % p):
                with open("/proc/%d/task/%s/children" % (p, t), "rb") as f:
                    todo.extend(int(x) for x in f.read().split())
        except (OSError, ValueError):
            pass
    return total


PAGE = os.sysconf("SC_PAGE_SIZE")


class Conn:
    """The host's end of one connection: NACCBs read from the agent, cut
    by their total length (a length outside 36..max loses the framing:
    the rest is kept unparsed)."""

    def __init__(self, sock, number, started):
        self.sock = sock
        self.number = number
        self.started = started
        self.buf = bytearray()
        self.got = []          # (key, agent_id, system, body)
        self.eof = False
        self.lost = False
        sock.setblocking(False)

    def fileno(self):
        return self.sock.fileno()

    def read_some(self):
        try:
            data = self.sock.recv(1 << 20)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.eof = True
            return
        if self.lost:
            return
        self.buf += data
        while len(self.buf) >= gen.HEADER_SIZE:
            tl = struct.unpack_from(">I", self.buf, 0)[0]
            if tl < gen.HEADER_SIZE or tl > gen.MAX_SIZE:
                self.lost = True
                return
            if len(self.buf) < tl:
                return
            h = bytes(self.buf[:tl])
            del self.buf[:tl]
            key = struct.unpack_from(">I", h, 16)[0]
            aid = struct.unpack_from(">I", h, 4)[0]
            self.got.append((key, aid, h[8:16], h))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


KEY_LOGIN = 0x02010500
KEY_ACQ_EMS, KEY_ACQ_SCD = 0x02010901, 0x02010902
KEY_INFO_CMD, KEY_INFO_MSG = 0x02010A04, 0x02010A03
KEY_AGENT_ERR_CMD = 0x02010B04


SHELL_SYNTAX = re.compile(r"[|&;<>()$`\\\"*?\[\]#~=%{}!\n]")


def plain_argv(command):
    """The words of a command line that is only words (no shell syntax
    outside single quotes): run without /bin/sh, which saves a process
    per case and behaves the same as sh -c "exec COMMAND"."""
    import shlex
    if SHELL_SYNTAX.search(re.sub(r"'[^']*'", "", command)):
        return None
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    return words or None


def new_ems(units):
    """True when units hold an EMS table: the probe's XCMD entry may be
    gone with it, so the probe goes to a fresh session instead of waiting
    for an answer that a correct agent does not give."""
    return any(u[16:20] in (b"\x01\x02\x02\x01", b"\x01\x02\x03\x01")
               for u in units)


class Worker:
    """One evil host, running cases one after the other, each against a
    fresh run of the agent."""

    def __init__(self, cfg, host, workdir, extra_env=None):
        self.cfg = cfg
        self.host = host
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.jobs = os.path.join(workdir, "jobs")
        os.makedirs(self.jobs, exist_ok=True)
        job = os.path.join(self.jobs, gen.JOB_NAME)
        with open(job, "w") as f:
            f.write("#!/bin/sh\n# written by xdi-fuzz: a job that ends at "
                    "once\nexit 0\n")
        os.chmod(job, 0o755)
        self.holidays = os.path.join(workdir, "holidays.txt")
        with open(self.holidays, "w") as f:
            f.write("2026-12-25\n")
        self.stderr_path = os.path.join(workdir, "agent.stderr")
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(16)
        self.lsock.setblocking(False)
        self.port = self.lsock.getsockname()[1]
        self.values = {"host": "127.0.0.1", "port": self.port,
                       "system": host.system_text, "workdir": workdir,
                       "jobs": self.jobs, "holidays": self.holidays}
        from xdi.conform.agentproc import render
        self.render = render
        self.command = render(cfg.agent, self.values)
        self.argv = plain_argv(self.command) or ["/bin/sh", "-c",
                                                 "exec " + self.command]
        self.env = dict(os.environ)
        self.env.update(extra_env or {})
        self.t = cfg.timeout_scale
        self.probe_wire = gen.ebcdic(gen.PROBE_TEXT)

    # ---- the agent process ------------------------------------------------

    def spawn(self):
        self.errf = open(self.stderr_path, "wb")
        try:
            self.proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL, stdout=self.errf, stderr=self.errf,
                cwd=self.cfg.cwd, env=self.env, start_new_session=True,
                close_fds=True)
        except OSError as e:
            self.errf.close()
            raise SetupError("the agent command could not be run (%s): %s"
                             % (e.strerror or e, self.command))
        try:
            self.pidfd = os.pidfd_open(self.proc.pid)
        except (AttributeError, OSError):
            self.pidfd = None
        self.status = None

    def alive(self):
        if self.status is None:
            rc = self.proc.poll()
            if rc is not None:
                self.status = rc
        return self.status is None

    def kill_group(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self.status is None:
            self.status = self.proc.returncode
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        self.errf.close()

    # ---- waiting ------------------------------------------------------------

    def wait(self, conn, until, deadline, listen=False):
        """Reads conn until until() is true (returns True), the deadline
        passes (False), the agent exits (Gone) or closes conn (Closed).
        With listen=True, returns a new Conn as soon as the agent
        connects."""
        while True:
            if until is not None and until():
                return True
            if conn is not None and conn.eof:
                raise Closed()
            if not self.alive():
                raise Gone()
            now = time.monotonic()
            if now >= deadline:
                return False
            rd = []
            if conn is not None:
                rd.append(conn)
            if listen:
                rd.append(self.lsock)
            if self.pidfd is not None:
                rd.append(self.pidfd)
            r, _, _ = select.select(rd, [], [], min(deadline - now,
                                                    0.05 if self.pidfd is None
                                                    else deadline - now))
            for x in r:
                if x is self.lsock:
                    try:
                        s, _ = self.lsock.accept()
                    except BlockingIOError:
                        continue
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    self.conn_no += 1
                    self.peers[self.conn_no] = "%s:%d" % s.getpeername()[:2]
                    return Conn(s, self.conn_no, time.monotonic())
                if x is conn:
                    conn.read_some()

    def send(self, conn, data):
        """Writes data whole; an agent that stops reading for longer than
        the send deadline is a hang."""
        view = memoryview(data)
        deadline = time.monotonic() + 5.0 * self.t
        while view:
            try:
                n = conn.sock.send(view)
                view = view[n:]
                # A hang is no progress for the whole deadline, however
                # long the data takes to go out.
                deadline = time.monotonic() + 5.0 * self.t
                continue
            except BlockingIOError:
                pass
            except OSError:
                raise Closed()
            if not self.alive():
                raise Gone()
            now = time.monotonic()
            if now >= deadline:
                raise HangError("stops-reading",
                                "the agent stopped reading: %d bytes not "
                                "taken in %.1f s" % (len(view), 5.0 * self.t))
            rd = [conn] + ([self.pidfd] if self.pidfd is not None else [])
            r, _, _ = select.select(rd, [conn.sock], [], min(0.2,
                                                           deadline - now))
            if conn in r:
                conn.read_some()
                if conn.eof:
                    raise Closed()

    def log_units(self, conn, units):
        if self.record is not None:
            t = time.monotonic() - conn.started
            for u in units:
                self.record.append((conn.number, t, u))

    def send_units(self, conn, units):
        self.log_units(conn, units)
        self.send(conn, b"".join(units))

    def count(self, conn, keys):
        return sum(1 for g in conn.got if g[0] in keys)

    # ---- the session parts -------------------------------------------------

    def take_login(self, conn, strict=False):
        ok = self.wait(conn, lambda: self.count(conn, (KEY_LOGIN,)) > 0,
                       time.monotonic() + 5.0 * self.t)
        if not ok:
            raise HangError("no-login", "connected but sent no login in "
                            "%.1f s" % (5.0 * self.t))
        if strict:
            login = [g for g in conn.got if g[0] == KEY_LOGIN][0]
            if login[1] != 0 or login[2] != self.host.system:
                raise DesyncError("the login after the case carries agent-ID "
                                  "%d / system %s" % (login[1],
                                                      login[2].hex()))

    def take_acquires(self, conn, aid, strict=False):
        def both():
            keys = {g[0] for g in conn.got}
            return KEY_ACQ_EMS in keys and KEY_ACQ_SCD in keys
        if not self.wait(conn, both, time.monotonic() + 3.0 * self.t):
            return False
        if strict:
            for g in conn.got:
                if g[0] in (KEY_ACQ_EMS, KEY_ACQ_SCD) and (
                        g[1] != aid or g[2] != self.host.system):
                    raise DesyncError("an acquire after the case carries "
                                      "agent-ID %d, not %d" % (g[1], aid))
        return True

    def send_tables(self, conn, aid):
        self.send_units(conn, [self.host.table(aid, False),
                               self.host.table(aid, True)])

    def probe(self, conn, aid, within, strict=False):
        """The liveness probe: True when answered within `within`."""
        mark = len(conn.got)
        if self.cfg.inject_message:
            self.probes += 1
            text = "XMSG1 FUZZ PROBE %d" % self.probes
            cmd = self.render(self.cfg.inject_message,
                              dict(self.values, text=text))
            subprocess.run(["/bin/sh", "-c", cmd], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, cwd=self.cfg.cwd,
                           timeout=10 * self.t)
            want = gen.ebcdic(text)

            def answered():
                return any(g[0] == KEY_INFO_MSG and want in g[3]
                           for g in conn.got[mark:])
        else:
            self.send_units(conn, [self.host.exec_command(aid,
                                                          gen.PROBE_TEXT)])

            def answered():
                return any((g[0] == KEY_INFO_CMD and self.probe_wire in g[3])
                           or g[0] == KEY_AGENT_ERR_CMD
                           for g in conn.got[mark:])
        ok = self.wait(conn, answered, time.monotonic() + within)
        if ok and strict:
            for g in conn.got[mark:]:
                if g[1] != aid or g[2] != self.host.system:
                    raise DesyncError("after the case the agent sends %08X "
                                      "with agent-ID %d (the session's is "
                                      "%d)" % (g[0], g[1], aid))
        return ok

    def fresh_session(self, strict=False):
        """After a close: the agent must reconnect, log in, acquire and
        answer the probe."""
        conn = self.wait(None, None, time.monotonic() + 5.0 * self.t,
                         listen=True)
        if conn is False:
            raise HangError("no-reconnect", "no reconnect within %.1f s of "
                            "the connection's end" % (5.0 * self.t))
        try:
            self.take_login(conn, strict)
            aid = 0x5EED0000 + conn.number
            self.send_units(conn, [self.host.accept(aid)])
            if not self.take_acquires(conn, aid, strict):
                raise HangError("no-acquire", "logged in again but did not "
                                "acquire both tables")
            self.send_tables(conn, aid)
            if not self.probe(conn, aid, 3.0 * self.t, strict):
                raise HangError("no-probe-answer",
                                "a fresh session does not answer the "
                                "liveness probe within %.1f s" % (3.0 * self.t))
        except Closed:
            raise HangError("closes-fresh-session", "the agent closes a "
                            "fresh, valid session")
        return conn

    # ---- one case -------------------------------------------------------------

    def run(self, case, record=False):
        """Runs one case; returns a Finding or None."""
        self.record = [] if record else None
        self.conn_no = 0
        self.peers = {}
        self.probes = 0
        self.max_rss = 0
        self.killed_by_us = False
        self.spawn()
        finding = None
        conns = []
        try:
            finding = self._drive(case, conns)
        except Gone:
            finding = None
        except HangError as e:
            finding = Finding("hang", e.what, note=e.note)
        except DesyncError as e:
            finding = Finding("desync", "after-case-session", note=str(e))
        finally:
            we_killed = self.alive()
            self.kill_group()
            for c in conns:
                c.close()
        # What the agent's exit and stderr say outranks a hang: the hang
        # is often the consequence.
        with open(self.stderr_path, "rb") as f:
            self.stderr = f.read()
        status = self.status
        rep = sanitizer_report(self.stderr)
        if rep is not None:
            rep.note = finding.note if finding else ""
            finding = rep
        elif status is not None and status < 0 and not we_killed and not (
                self.killed_by_us and -status == self.cfg.stop_signal):
            finding = Finding("signal", signal_name(-status))
        elif finding is None and status is not None and status >= 0 and \
                status not in self.cfg.allowed_exits:
            finding = Finding("exit", status)
        if finding is not None and status is not None and not we_killed:
            if status < 0:
                finding.signal = signal_name(-status)
            else:
                finding.exit = status
        return finding

    def check_rss(self):
        if self.cfg.max_rss and self.alive():
            rss = tree_rss(self.proc.pid)
            self.max_rss = max(self.max_rss, rss)
            if rss > self.cfg.max_rss:
                raise RssError(rss)

    def _drive(self, case, conns):
        t = self.t
        try:
            conn = self.wait(None, None, time.monotonic() + 10.0 * t,
                             listen=True)
        except Gone:
            if self.status in (126, 127):
                raise SetupError("the agent command could not be run "
                                 "(exit %d): %s" % (self.status,
                                                    self.command))
            raise
        if conn is False:
            raise HangError("no-connect", "did not connect within %.1f s"
                            % (10.0 * t))
        conns.append(conn)
        try:
            return self._session(case, conn, conns)
        except RssError as e:
            return Finding("rss", "max-rss", note="resident memory of the "
                           "agent's process tree %d MiB > --max-rss %d MiB"
                           % (e.rss >> 20, self.cfg.max_rss >> 20))

    def _session(self, case, conn, conns):
        t = self.t
        try:
            self.take_login(conn)
            if case.state != "login":
                self.send_units(conn, [self.host.accept(case.aid)])
                if not self.take_acquires(conn, case.aid):
                    raise HangError("no-acquire", "accepted but did not "
                                    "acquire both tables")
                if case.state == "running":
                    self.send_tables(conn, case.aid)
            # The case.
            self.log_units(conn, case.units)
            for chunk in case.chunks():
                self.send(conn, chunk)
            self.check_rss()
            sync = gen.in_sync(case.units)
            if case.expect_exit:
                try:
                    self.wait(conn, None, time.monotonic() + 1.0 * t)
                except (Gone, Closed):
                    pass
                if not self.alive():
                    raise Gone()
            if case.end == "hold":
                self.wait(conn, None, time.monotonic() + case.hold_ms / 1000.0)
            answered = False
            if sync and case.end == "probe" and not (
                    case.state == "running" and new_ems(case.units)):
                answered = self._finish_prefix_and_probe(case, conn)
            if not answered:
                conn.close()
                conn = self.fresh_session()
                conns.append(conn)
        except Closed:
            conn.close()
            conn = self.fresh_session()
            conns.append(conn)
        self.check_rss()
        if self.cfg.check_after:
            conn.close()
            conn = self.fresh_session(strict=True)
            conns.append(conn)
        return self.stop(conn)

    def _finish_prefix_and_probe(self, case, conn):
        t = self.t
        aid = case.aid
        if case.state == "login":
            self.send_units(conn, [self.host.accept(aid)])
        if case.state in ("login", "acquiring"):
            if not self.take_acquires(conn, aid):
                return False
            self.send_tables(conn, aid)
        # Short: an agent that lost the probe's EVBLOK to a replaced table
        # is not hung, and the fallback (a reconnect) finds out.
        return self.probe(conn, aid, 0.25 * t)

    def stop(self, conn):
        """Asks the agent to stop; its exit status is judged by run()."""
        try:
            os.killpg(self.proc.pid, self.cfg.stop_signal)
        except OSError:
            pass
        self.killed_by_us = True
        deadline = time.monotonic() + 5.0 * self.t
        while self.alive() and time.monotonic() < deadline:
            try:
                self.wait(conn if not conn.eof else None, None, deadline)
            except Closed:
                # The agent's half is closed (after its logout): close
                # ours, so that an agent waiting for the host's FIN ends.
                conn.close()
            except Gone:
                break
        if self.alive():
            raise HangError("no-exit", "still running %.1f s after %s"
                            % (5.0 * self.t,
                               signal_name(self.cfg.stop_signal)))
        return None


class HangError(Exception):
    def __init__(self, what, note):
        super().__init__(note)
        self.what = what
        self.note = note


class DesyncError(Exception):
    pass


class SetupError(Exception):
    pass


class RssError(Exception):
    def __init__(self, rss):
        super().__init__(rss)
        self.rss = rss
