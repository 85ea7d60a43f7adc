"""xdi-fuzz: an evil XDI host that fuzzes an agent (docs/fuzzing.md).

    xdi-fuzz --agent 'my-agent --server {host}:{port} --system {system}'
    xdi-fuzz repro FINDING-DIR --agent '...'

Exit codes: 0 nothing found (repro: no longer triggers); 1 findings
(repro: still triggers); 2 usage; 3 setup error (the agent command cannot
run, never connects in its first case, no shared memory).
"""

import argparse
import ctypes
import hashlib
import json
import multiprocessing
import os
import re
import signal
import socket
import subprocess
import sys
import time

import xdifuzz_gen as gen
import xdifuzz_run as run

EXIT_OK, EXIT_FOUND, EXIT_USAGE, EXIT_SETUP = 0, 1, 2, 3


# ---- options -------------------------------------------------------------------


def size_arg(text):
    """SIZE as every tool takes it (tools/common/cli.h): bytes, or with a
    K, M or G suffix (binary): 4096, 64K, 16M, 1G."""
    m = re.fullmatch(r"(\d+)([kKmMgG]?)", text)
    if not m:
        raise argparse.ArgumentTypeError(
            "not a size: %r (bytes, or with a K, M or G suffix: 4096, 64K, "
            "16M, 1G)" % text)
    return int(m.group(1)) << {"": 0, "k": 10, "m": 20, "g": 30}[
        m.group(2).lower()]


def duration_arg(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", text.strip())
    if not m:
        raise argparse.ArgumentTypeError("not a duration: %r (e.g. 90s, "
                                         "10m, 2h)" % text)
    return float(m.group(1)) * {None: 1, "s": 1, "ms": 0.001, "m": 60,
                                "h": 3600}[m.group(2)]


def exits_arg(text):
    try:
        return frozenset(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("not a list of exit statuses: %r"
                                         % text)


def signal_arg(name):
    n = name.upper()
    n = n if n.startswith("SIG") else "SIG" + n
    if not hasattr(signal, n):
        raise argparse.ArgumentTypeError("unknown signal %r" % name)
    return getattr(signal, n)


def common_options(p):
    p.add_argument("--agent", metavar="COMMAND", required=True,
                   help="the agent's command line, run by /bin/sh; "
                        "placeholders {host} {port} {system} {workdir} "
                        "{jobs} {holidays}, values shell-quoted")
    p.add_argument("--inject-message", metavar="COMMAND",
                   help="liveness probe by a message event: a command that "
                        "causes a message event with text {text} on the "
                        "agent's host (default: an exec command the agent "
                        "answers)")
    p.add_argument("--system", default="CONFA", metavar="NAME",
                   help="the system name the agent logs in as (default "
                        "CONFA)")
    p.add_argument("--allowed-exits", type=exits_arg, default=frozenset({0}),
                   metavar="LIST",
                   help="exit statuses that are not findings, comma-"
                        "separated (default 0)")
    p.add_argument("--max-rss", type=size_arg, default=0, metavar="SIZE",
                   help="resident memory of the agent's process tree above "
                        "which a case is a finding (e.g. 256M; default: "
                        "no limit)")
    p.add_argument("--check-after", action="store_true",
                   help="end every case with a normal session and report an "
                        "agent that no longer logs in, acquires and "
                        "answers correctly (desynchronised)")
    p.add_argument("--timeout-scale", type=float, default=1.0, metavar="F",
                   help="multiply every deadline by F (slow agents, "
                        "sanitizers)")
    p.add_argument("--stop-signal", type=signal_arg, default=signal.SIGTERM,
                   metavar="SIG", help="how a case asks the agent to stop "
                                       "(default TERM)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no status line and no finding lines on stderr")


class _Parser(argparse.ArgumentParser):
    """Usage errors in the form every xdi-emu tool uses, exit 2."""

    def error(self, message):
        prog = self.prog.split()[0]
        self.exit(2, "%s: %s\nTry '%s --help'.\n" % (self.prog, message,
                                                       prog))


def _libnaccb_version():
    try:
        from xdi import codec
        return codec.version()
    except (ImportError, OSError, AttributeError) as e:
        return "not loadable (%s)" % e


def parser():
    p = _Parser(
        prog="xdi-fuzz",
        description="An evil XDI host: runs the agent under test once per "
                    "case, carries it through a valid login and both "
                    "tables, then sends it broken and hostile NACCBs, and "
                    "reports crashes, sanitizer reports, hangs, bad exit "
                    "statuses, memory growth and desynchronisation, each "
                    "with a minimal reproducer (docs/fuzzing.md).",
        epilog="Subcommand: xdi-fuzz repro FINDING-DIR-OR-FILE --agent "
               "COMMAND replays one reproducer (exit 1: still triggers, 0: "
               "no longer).  Exit codes: 0 nothing found, 1 findings, 2 "
               "usage, 3 setup error.")
    common_options(p)
    p.add_argument("-V", "--version", action="version",
                   version="xdi-fuzz (xdi-emu) %s, libnaccb %s" % (
                       os.environ.get("XDI_FUZZ_VERSION", "unknown"),
                       _libnaccb_version()),
                   help="show xdi-fuzz's and libnaccb's versions and exit")
    p.add_argument("--seed", type=int, metavar="N",
                   help="the campaign's seed (default: from the clock; "
                        "printed)")
    p.add_argument("--first-case", type=int, default=0, metavar="K",
                   help="start at case K of the seed (default 0)")
    p.add_argument("--max-cases", type=int, metavar="N",
                   help="stop after N cases")
    p.add_argument("--duration", type=duration_arg, metavar="TIME",
                   help="stop after TIME (90s, 10m, 2h)")
    p.add_argument("--max-findings", type=int, metavar="N",
                   help="stop after N unique findings")
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                   help="parallel workers, each its own host and agent runs")
    p.add_argument("--out", metavar="DIR",
                   help="write each unique finding to DIR/<name>/ "
                        "(conversation.jsonl, case.json, finding.json, "
                        "stderr.txt)")
    p.add_argument("--corpus", metavar="DIR",
                   help="AFL++ sync directory: cases reaching new edges go to "
                        "DIR/<name>/queue/, and the other instances' queues "
                        "are read")
    p.add_argument("--name", metavar="NAME",
                   help="this instance's directory in --corpus (default "
                        "xdi-fuzz-<hostname>)")
    p.add_argument("--no-feedback", action="store_true",
                   help="measure coverage but do not use it (black-box "
                        "generation only)")
    p.add_argument("--attack", action="append", metavar="NAME",
                   help="only these generators (%s); repeatable" %
                        ", ".join(g[0] for g in gen.GENERATORS))
    p.add_argument("--no-minimize", action="store_true",
                   help="write findings as found")
    p.add_argument("--minimize-seconds", type=duration_arg, default=60.0,
                   metavar="TIME", help="time budget for minimising one "
                                        "finding (default 60s)")
    p.add_argument("--print-case", action="store_true",
                   help="print the case of --seed/--first-case as JSON and "
                        "exit (the same bytes on every machine)")
    p.add_argument("--summary", metavar="FILE",
                   help="also write the JSON summary to FILE")
    return p


def repro_parser():
    p = _Parser(
        prog="xdi-fuzz repro",
        description="Replay one reproducer (a finding directory, its "
                    "case.json, or a conversation.jsonl) against the agent; "
                    "exit 1 when it still triggers the finding, 0 when it "
                    "no longer does.")
    p.add_argument("path", metavar="DIR-OR-FILE")
    common_options(p)
    p.add_argument("--runs", type=int, default=3, metavar="N",
                   help="replay up to N times, stopping at the first that "
                        "triggers (timing-dependent findings; default 3)")
    return p


# ---- the host of a campaign ---------------------------------------------------


def make_host(system):
    from xdi.conform import tables
    return gen.Host(system, tables.default_ems(system),
                    tables.default_scd(system))


class Cfg:
    def __init__(self, args):
        self.agent = args.agent
        self.inject_message = args.inject_message
        self.allowed_exits = args.allowed_exits
        self.max_rss = args.max_rss
        self.check_after = args.check_after
        self.timeout_scale = args.timeout_scale
        self.stop_signal = args.stop_signal
        self.cwd = os.getcwd()


# ---- AFL++ coverage ---------------------------------------------------------------

IPC_PRIVATE, IPC_CREAT, IPC_EXCL, IPC_RMID = 0, 0o1000, 0o2000, 0


def _bucket_table():
    t = bytearray(256)
    for v in range(256):
        t[v] = (0 if v == 0 else 1 if v == 1 else 2 if v == 2 else
                4 if v == 3 else 8 if v < 8 else 16 if v < 16 else
                32 if v < 32 else 64 if v < 128 else 128)
    return bytes(t)


BUCKETS = _bucket_table()
NONZERO = bytes([0] + [1] * 255)


class Coverage:
    """The shared-memory edge map an afl-cc instrumented program writes
    into (AFL++'s __AFL_SHM_ID protocol, without the fork server): set to
    zero before each case, read after the agent exits."""

    def __init__(self, size):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.shmat.restype = ctypes.c_void_p
        libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
        self.libc = libc
        self.size = size
        self.shmid = libc.shmget(IPC_PRIVATE, size,
                                 IPC_CREAT | IPC_EXCL | 0o600)
        if self.shmid < 0:
            raise OSError(ctypes.get_errno(), "shmget")
        self.addr = libc.shmat(self.shmid, None, 0)
        if self.addr in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), "shmat")
        self.seen = 0
        self.hit = 0

    def env(self):
        return {"__AFL_SHM_ID": str(self.shmid), "AFL_MAP_SIZE":
                str(self.size), "AFL_NO_FORKSRV": "1"}

    def reset(self):
        ctypes.memset(self.addr, 0, self.size)

    def collect(self):
        """True when this case reached an edge never hit before.  New hit
        count buckets are recorded but do not make a case interesting:
        the agent's event loop hits its edges a timing-dependent number
        of times, and without afl-fuzz's calibration runs they would fill
        the corpus with noise."""
        raw = ctypes.string_at(self.addr, self.size)
        self.seen |= int.from_bytes(raw.translate(BUCKETS), "little")
        cur = int.from_bytes(raw.translate(NONZERO), "little")
        new = cur & ~self.hit
        if new:
            self.hit |= cur
        return bool(new)

    def edges(self):
        return bin(self.hit).count("1")

    def close(self):
        self.libc.shmdt(ctypes.c_void_p(self.addr))
        self.libc.shmctl(self.shmid, IPC_RMID, None)


def instrumented(command):
    """True when the agent's executable is built with AFL++'s compiler."""
    from xdi.conform.agentproc import program_of
    prog = program_of(command)
    if prog is None:
        return False
    try:
        with open(prog, "rb") as f:
            return b"__AFL_SHM_ID" in f.read()
    except OSError:
        return False


# ---- writing a finding ----------------------------------------------------------


def slug(finding):
    h = hashlib.sha1(finding.signature().encode()).hexdigest()[:8]
    words = [finding.kind, str(finding.detail)] + finding.frames[:1]
    name = "-".join(re.sub(r"[^A-Za-z0-9_.]+", "_", w)[:40] for w in words)
    return "%s-%s" % (name, h)


def conversation_lines(record, naccb_tool, port):
    """The host's side as conversation JSON Lines: `naccb decode` objects
    plus conversation, from, time, src, dst (docs/replay.md).  A unit
    whose length fields do not describe its bytes (cut short, a declared
    length beyond the maximum) has no such line: it is left out and its
    conversation marked incomplete, as `xdi-replay extract` does with a
    NACCB it cannot decode; case.json keeps its exact bytes."""
    convs = {}
    for number, t, unit, peer in record:
        convs.setdefault(number, []).append((t, unit, peer))
    out = []
    for number in sorted(convs):
        items = convs[number]
        lines, incomplete, offset = [], False, 0
        run_units = []

        def flush():
            if not run_units:
                return
            data = b"".join(u for _, u, _, _ in run_units)
            p = subprocess.run([naccb_tool, "decode", "-"], input=data,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
            decoded = [json.loads(x) for x in p.stdout.splitlines() if x]
            for (t, u, peer, off), d in zip(run_units, decoded):
                d["offset"] = off
                d.update({"conversation": number, "from": "host",
                          "time": round(t, 6),
                          "src": "127.0.0.1:%d" % port, "dst": peer})
                lines.append(d)
            run_units.clear()

        for t, u, peer in items:
            if gen.in_sync([u]):
                run_units.append((t, u, peer, offset))
            else:
                flush()
                incomplete = True
            offset += len(u)
        flush()
        if incomplete:
            for d in lines:
                d["incomplete"] = True
        out.extend(lines)
    return out


def write_finding(out_dir, name, case, finding, meta, stderr, record,
                  naccb_tool, port, command, template):
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case.to_json(), f, indent=1)
        f.write("\n")
    if naccb_tool and record is not None:
        lines = conversation_lines(record, naccb_tool, port)
        with open(os.path.join(d, "conversation.jsonl"), "w") as f:
            for line in lines:
                f.write(json.dumps(line) + "\n")
    info = dict(finding.to_json())
    info.update(meta)
    info["agent"] = command
    info["agent_template"] = template
    info["signature"] = finding.signature()
    with open(os.path.join(d, "finding.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    with open(os.path.join(d, "stderr.txt"), "wb") as f:
        f.write(stderr)
    return d


# ---- minimising ---------------------------------------------------------------


def _with_units(case, units):
    c = case.copy()
    c.units = units
    total = sum(len(u) for u in units)
    c.splits = [s for s in c.splits if s < total]
    return c


def shrink_unit(u):
    """Smaller versions of one unit, whole objects first (count, size and
    total length kept consistent when they were), then its body cut."""
    out = []
    tl, count, size = (int.from_bytes(u[0:4], "big"),
                       int.from_bytes(u[28:32], "big"),
                       int.from_bytes(u[32:36], "big"))
    if gen.in_sync([u]) and count > 1 and size > 0 and \
            len(u) == 36 + count * size:
        for keep in (1, count // 2):
            if 1 <= keep < count:
                b = bytearray(u[:36 + keep * size])
                gen.put32(b, 0, len(b))
                gen.put32(b, 28, keep)
                out.append(bytes(b))
                # the same number of objects, taken from the end
                b2 = bytearray(u[:36]) + u[36 + (count - keep) * size:]
                gen.put32(b2, 0, len(b2))
                gen.put32(b2, 28, keep)
                out.append(bytes(b2))
    elif len(u) > 36 and not gen.in_sync([u]):
        body = len(u) - 36
        for cut in (body // 2, body - 1):
            if 0 < cut < body:
                out.append(u[:36 + cut] if tl != len(u) else u)
    return [x for x in out if x != u]


def minimize(worker, case, signature, seconds):
    """The smallest case that still gives `signature`: the write
    boundaries dropped, then whole NACCBs removed (halves, quarters, ...,
    single ones), then each NACCB made smaller."""
    deadline = time.monotonic() + seconds
    runs = [0]

    def still(c):
        if time.monotonic() > deadline:
            return False
        runs[0] += 1
        f = worker.run(c)
        return f is not None and f.signature() == signature

    best = case
    if best.splits:
        c = best.copy()
        c.splits = []
        if still(c):
            best = c
    units = list(best.units)
    n = 2
    while len(units) > 1 and time.monotonic() < deadline:
        chunk = max(1, (len(units) + n - 1) // n)
        removed = False
        for i in range(0, len(units), chunk):
            cand = units[:i] + units[i + chunk:]
            if cand and still(_with_units(best, cand)):
                units = cand
                best = _with_units(best, cand)
                removed = True
                n = max(2, n - 1)
                break
        if not removed:
            if chunk == 1:
                break
            n = min(len(units), n * 2)
    for i in range(len(units)):
        progress = True
        while progress and time.monotonic() < deadline:
            progress = False
            for smaller in shrink_unit(units[i]):
                cand = units[:i] + [smaller] + units[i + 1:]
                if still(_with_units(best, cand)):
                    units = cand
                    best = _with_units(best, cand)
                    progress = True
                    break
    if best.end == "hold":
        c = best.copy()
        c.end, c.hold_ms = "close", 0
        if still(c):
            best = c
    return best, runs[0]


# ---- a worker's loop ----------------------------------------------------------------


class Corpus:
    """The cases that reached new edges, in AFL++'s sync layout: this
    instance writes DIR/NAME/queue/id:NNNNNN,..., and reads the queue
    directories of the others."""

    def __init__(self, root, name):
        self.root = root
        self.name = name
        self.entries = []
        self.known = set()
        self.next_id = 0
        if root:
            self.queue = os.path.join(root, name, "queue")
            os.makedirs(self.queue, exist_ok=True)
            self.next_id = len(os.listdir(self.queue))

    def size(self, i):
        return sum(len(u) for u in self.entries[i].units)

    def add(self, case, note):
        self.entries.append(case)
        if self.root:
            fn = "id:%06d,%s" % (self.next_id, note)
            self.next_id += 1
            path = os.path.join(self.queue, fn)
            with open(path, "w") as f:
                json.dump(case.to_json(), f)
            self.known.add(path)

    def sync(self):
        """New entries of every queue under the root (ours on start)."""
        if not self.root:
            return 0
        added = 0
        for inst in sorted(os.listdir(self.root)):
            q = os.path.join(self.root, inst, "queue")
            if not os.path.isdir(q):
                continue
            for fn in sorted(os.listdir(q)):
                path = os.path.join(q, fn)
                if path in self.known or not fn.startswith("id:"):
                    continue
                self.known.add(path)
                try:
                    with open(path) as f:
                        self.entries.append(gen.Case.from_json(json.load(f)))
                        added += 1
                except (OSError, ValueError, KeyError, TypeError):
                    pass      # an AFL++ input of another target: not ours
        return added


def worker_main(w, args, cfg, report, stop, shared):
    """Worker w of args.jobs: cases w, w + jobs, w + 2*jobs, ... of the
    seed.  report(msg) hands messages to the parent."""
    host = make_host(args.system)
    base = os.path.join(shared["workdir"], "w%d" % w)
    cov = None
    env = {}
    if shared["afl"]:
        cov = Coverage(shared["map_size"])
        env = cov.env()
    worker = run.Worker(cfg, host, base, env)
    name = args.name or "xdi-fuzz-%s" % socket.gethostname()
    corpus = Corpus(args.corpus, "%s-%d" % (name, w) if args.jobs > 1
                    else name)
    corpus.sync()
    feedback = cov is not None and not args.no_feedback
    seen = set()
    k = args.first_case + w
    done = 0
    last_sync = time.monotonic()
    only = set(args.attack) if args.attack else None
    try:
        while not stop():
            if args.max_cases is not None and k >= args.first_case + \
                    args.max_cases:
                break
            pick = gen.Rng(args.seed ^ 0x5CA1AB1E, k)
            if feedback and corpus.entries and pick.chance(3, 4):
                # Prefer the newest entries (the last 16 get half the
                # picks), and of two candidates the smaller: a big case
                # (a flood) is a slow case, and so are its children.
                n = len(corpus.entries)

                def candidate():
                    return n - 1 - pick.below(min(16, n)) \
                        if pick.chance(1, 2) else pick.below(n)
                i, j = candidate(), candidate()
                if corpus.size(j) < corpus.size(i):
                    i = j
                other = corpus.entries[pick.below(n)]
                case = gen.mutate(args.seed, k, host, corpus.entries[i],
                                  other)
                case.parent = i
            else:
                case = gen.generate(args.seed, k, host, only)
            if cov is not None:
                cov.reset()
            finding = worker.run(case)
            done += 1
            new_cov = cov.collect() if cov is not None else False
            if new_cov and feedback:
                corpus.add(case, "src:%s,case:%d,+cov" % (
                    "gen" if case.parent is None else "%06d" % case.parent,
                    k))
            msg = {"type": "tick", "worker": w, "cases": done,
                   "edges": cov.edges() if cov is not None else None,
                   "new": new_cov, "corpus": len(corpus.entries)}
            if finding is not None:
                sig = finding.signature()
                msg["finding"] = sig
                if sig not in seen:
                    seen.add(sig)
                    stderr = worker.stderr
                    orig = case
                    if not args.no_minimize:
                        case, nruns = minimize(worker, case, sig,
                                               args.minimize_seconds)
                    else:
                        nruns = 0
                    f2 = worker.run(case, record=True)
                    record = worker.record
                    peers = worker_peers(worker)
                    if f2 is not None and f2.signature() == sig:
                        stderr = worker.stderr
                        finding = f2
                    else:
                        case = orig
                        worker.run(case, record=True)
                        record = worker.record
                        peers = worker_peers(worker)
                    msg["unique"] = {
                        "finding": finding.to_json(), "signature": sig,
                        "case": case.to_json(), "case_no": k,
                        "seed": args.seed, "attack": orig.attack,
                        "units_found": len(orig.units),
                        "units": len(case.units),
                        "bytes_found": len(orig.stream()),
                        "bytes": len(case.stream()),
                        "minimize_runs": nruns,
                        "stderr": stderr.decode("latin-1"),
                        "record": [(n, t, u.hex(), peers.get(n, ""))
                                   for n, t, u in record or []],
                        "port": worker.port,
                        "command": worker.command}
            report(msg)
            k += args.jobs
            if args.corpus and time.monotonic() - last_sync > 30:
                corpus.sync()
                last_sync = time.monotonic()
    except run.SetupError as e:
        report({"type": "setup", "error": str(e)})
    finally:
        if cov is not None:
            cov.close()
        report({"type": "done", "worker": w})


def worker_peers(worker):
    return getattr(worker, "peers", {})


# ---- the campaign ------------------------------------------------------------------


class Status:
    def __init__(self, quiet):
        self.tty = sys.stderr.isatty() and not quiet
        self.quiet = quiet
        self.last = 0.0

    def show(self, s, force=False):
        if not self.tty:
            return
        now = time.monotonic()
        if not force and now - self.last < 0.5:
            return
        self.last = now
        el = now - s["t0"]
        line = ("cases %d  %.0f/s  findings %d (%d unique)  edges %s  "
                "corpus %d  last new %s" % (
                    s["cases"], s["cases"] / el if el > 0 else 0,
                    s["findings"], len(s["unique"]),
                    "-" if s["edges"] is None else s["edges"], s["corpus"],
                    "-" if s["last_new"] is None else
                    "%.0fs ago" % (now - s["last_new"])))
        sys.stderr.write("\r\x1b[K" + line)
        sys.stderr.flush()

    def say(self, text):
        if self.quiet:
            return
        if self.tty:
            sys.stderr.write("\r\x1b[K")
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def campaign(args):
    import tempfile
    cfg = Cfg(args)
    if args.seed is None:
        args.seed = int.from_bytes(os.urandom(4), "big")
    afl = instrumented(run_render_probe(args))
    map_size = int(os.environ.get("AFL_MAP_SIZE", "65536"))
    status = Status(args.quiet)
    status.say("xdi-fuzz: seed %d, %d worker(s), agent %s%s" % (
        args.seed, args.jobs, args.agent,
        ", AFL++ coverage" + (" (not used: --no-feedback)"
                              if args.no_feedback else "") if afl else
        ", black-box"))
    workdir = tempfile.mkdtemp(prefix="xdi-fuzz-")
    shared = {"workdir": workdir, "afl": afl, "map_size": map_size}
    deadline = time.monotonic() + args.duration if args.duration else None
    s = {"t0": time.monotonic(), "cases": 0, "findings": 0, "unique": {},
         "edges": None if not afl else 0, "corpus": 0, "last_new": None,
         "per_worker": {}, "edges_at": [], "setup": None}
    found_dirs = []

    def handle(msg):
        if msg["type"] == "setup":
            s["setup"] = msg["error"]
            return
        if msg["type"] != "tick":
            return
        w = msg["worker"]
        prev = s["per_worker"].get(w, {"cases": 0, "corpus": 0})
        s["cases"] += msg["cases"] - prev["cases"]
        s["corpus"] += msg["corpus"] - prev["corpus"]
        s["per_worker"][w] = {"cases": msg["cases"], "corpus": msg["corpus"]}
        if msg["edges"] is not None:
            if msg["edges"] > (s["edges"] or 0):
                s["edges"] = msg["edges"]
                s["last_new"] = time.monotonic()
                s["edges_at"].append((round(time.monotonic() - s["t0"], 2),
                                      s["cases"], s["edges"]))
        if "finding" in msg:
            s["findings"] += 1
        u = msg.get("unique")
        if u and u["signature"] not in s["unique"]:
            f = run.Finding(u["finding"]["kind"], u["finding"]["detail"],
                            u["finding"]["frames"], u["finding"]["note"])
            f.signal = u["finding"]["signal"]
            f.exit = u["finding"]["exit_status"]
            name = slug(f)
            s["unique"][u["signature"]] = name
            s["last_new"] = time.monotonic()
            path = None
            if args.out:
                record = [(n, t, bytes.fromhex(h), p)
                          for n, t, h, p in u["record"]]
                meta = {"seed": u["seed"], "case": u["case_no"],
                        "attack": u["attack"],
                        "found_with": {"naccbs": u["units_found"],
                                       "bytes": u["bytes_found"]},
                        "minimized": {"naccbs": u["units"],
                                      "bytes": u["bytes"],
                                      "runs": u["minimize_runs"]},
                        "cases_before": s["cases"],
                        "seconds_before": round(time.monotonic() - s["t0"],
                                                2)}
                path = write_finding(args.out, name,
                                     gen.Case.from_json(u["case"]), f, meta,
                                     u["stderr"].encode("latin-1"), record,
                                     os.environ.get("XDI_FUZZ_NACCB"),
                                     u["port"], u["command"], args.agent)
                found_dirs.append(path)
            status.say("xdi-fuzz: finding %s %s%s (seed %d case %d, %s)%s" % (
                f.kind, f.detail,
                (" in " + " < ".join(f.frames[:3])) if f.frames else "",
                u["seed"], u["case_no"], u["attack"],
                (" -> " + path) if path else ""))
        status.show(s)

    def stop_now():
        if deadline is not None and time.monotonic() >= deadline:
            return True
        if args.max_findings is not None and \
                len(s["unique"]) >= args.max_findings:
            return True
        return s["setup"] is not None

    interrupted = [False]

    def on_sigint(signum, frame):
        interrupted[0] = True

    old = signal.signal(signal.SIGINT, on_sigint)
    try:
        if args.jobs == 1:
            worker_main(0, args, cfg, handle,
                        lambda: stop_now() or interrupted[0], shared)
        else:
            ctx = multiprocessing.get_context("fork")
            q = ctx.Queue()
            ev = ctx.Event()
            procs = [ctx.Process(target=_child, args=(w, args, cfg, q, ev,
                                                     shared))
                     for w in range(args.jobs)]
            for p in procs:
                p.start()
            running = args.jobs
            while running:
                try:
                    msg = q.get(timeout=0.5)
                except Exception:   # queue.Empty
                    msg = None
                if msg is not None:
                    if msg["type"] == "done":
                        running -= 1
                    else:
                        handle(msg)
                if stop_now() or interrupted[0]:
                    ev.set()
                status.show(s)
            for p in procs:
                p.join()
    finally:
        signal.signal(signal.SIGINT, old)
        import shutil
        shutil.rmtree(workdir, ignore_errors=True)
    status.show(s, force=True)
    if status.tty:
        sys.stderr.write("\n")
    el = time.monotonic() - s["t0"]
    summary = {"seed": args.seed, "cases": s["cases"],
               "seconds": round(el, 2),
               "cases_per_second": round(s["cases"] / el, 1) if el else 0,
               "findings": s["findings"], "unique_findings": len(s["unique"]),
               "finding_names": sorted(s["unique"].values()),
               "finding_dirs": found_dirs,
               "coverage": afl, "feedback": afl and not args.no_feedback,
               "edges": s["edges"], "corpus": s["corpus"],
               "edges_over_time": s["edges_at"],
               "interrupted": interrupted[0]}
    if s["setup"]:
        summary["setup_error"] = s["setup"]
    text = json.dumps(summary)
    print(text)
    if args.summary:
        with open(args.summary, "w") as f:
            f.write(text + "\n")
    if s["setup"]:
        print("xdi-fuzz: %s" % s["setup"], file=sys.stderr)
        return EXIT_SETUP
    return EXIT_FOUND if s["unique"] else EXIT_OK


def run_render_probe(args):
    """The agent command rendered with dummy values, to find its program."""
    from xdi.conform.agentproc import render
    try:
        return render(args.agent, {"host": "127.0.0.1", "port": 1,
                                   "system": args.system, "workdir": "/tmp",
                                   "jobs": "/tmp", "holidays": "/tmp/h"})
    except Exception:   # noqa: BLE001 - reported when the case runs
        return args.agent


def _child(w, args, cfg, q, ev, shared):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    worker_main(w, args, cfg, q.put, ev.is_set, shared)


# ---- repro -----------------------------------------------------------------------


def load_reproducer(path, naccb_tool):
    """(case, finding.json or None) from a finding directory, a case.json
    or a conversation.jsonl."""
    info = None
    if os.path.isdir(path):
        fj = os.path.join(path, "finding.json")
        if os.path.exists(fj):
            with open(fj) as f:
                info = json.load(f)
        cj = os.path.join(path, "case.json")
        if os.path.exists(cj):
            path = cj
        else:
            path = os.path.join(path, "conversation.jsonl")
    if path.endswith(".jsonl"):
        return case_from_conversation(path, naccb_tool), info
    with open(path) as f:
        return gen.Case.from_json(json.load(f)), info


def case_from_conversation(path, naccb_tool):
    """A case from conversation JSON Lines: the host's lines of the first
    conversation, encoded by `naccb encode`; an accept and both tables at
    its start are the prefix."""
    with open(path) as f:
        lines = [json.loads(x) for x in f if x.strip()]
    host_lines = [d for d in lines if d.get("from", "host") == "host" and
                  d.get("conversation", 1) == min(
                      x.get("conversation", 1) for x in lines)]
    units = []
    for d in host_lines:
        p = subprocess.run([naccb_tool, "encode"], input=json.dumps(d).encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0:
            raise ValueError("%s: naccb encode refuses a line: %s" % (
                path, p.stderr.decode("utf-8", "replace").strip()))
        units.append(p.stdout)
    state, aid = "login", 1
    if units and units[0][16:20] == bytes.fromhex("01020700"):
        aid = int.from_bytes(units[0][4:8], "big")
        units = units[1:]
        state = "acquiring"
        keys = [u[16:20].hex().upper() for u in units[:2]]
        if sorted(keys) == ["01020201", "01020202"]:
            units = units[2:]
            state = "running"
    end = "close" if any(d.get("incomplete") for d in host_lines) else \
        "probe"
    return gen.Case(state, aid, units or [], [], end)


def repro(argv):
    args = repro_parser().parse_args(argv)
    cfg = Cfg(args)
    tool = os.environ.get("XDI_FUZZ_NACCB", "naccb")
    try:
        case, info = load_reproducer(args.path, tool)
    except (OSError, ValueError, KeyError) as e:
        print("xdi-fuzz repro: %s" % e, file=sys.stderr)
        return EXIT_USAGE
    import tempfile
    import shutil
    workdir = tempfile.mkdtemp(prefix="xdi-fuzz-repro-")
    try:
        worker = run.Worker(cfg, make_host(args.system), workdir)
        want = info.get("signature") if info else None
        for i in range(args.runs):
            try:
                f = worker.run(case)
            except run.SetupError as e:
                print("xdi-fuzz repro: %s" % e, file=sys.stderr)
                return EXIT_SETUP
            if f is not None and (want is None or f.signature() == want):
                print(json.dumps({"triggers": True, "run": i + 1,
                                  "finding": f.to_json()}))
                if not args.quiet:
                    sys.stderr.write(worker.stderr.decode("utf-8", "replace")
                                     [-4000:])
                return EXIT_FOUND
            if f is not None:
                print("xdi-fuzz repro: run %d: a different finding: %s"
                      % (i + 1, f.signature()), file=sys.stderr)
        print(json.dumps({"triggers": False, "runs": args.runs}))
        return EXIT_OK
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "repro":
        return repro(argv[1:])
    try:
        args = parser().parse_args(argv)
    except SystemExit as e:
        return EXIT_USAGE if e.code else EXIT_OK
    if args.jobs < 1:
        print("xdi-fuzz: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    if args.attack:
        names = {g[0] for g in gen.GENERATORS}
        bad = [a for a in args.attack if a not in names]
        if bad:
            print("xdi-fuzz: unknown --attack %s (known: %s)" % (
                ", ".join(bad), ", ".join(sorted(names))), file=sys.stderr)
            return EXIT_USAGE
    if args.print_case:
        if args.seed is None:
            print("xdi-fuzz: --print-case needs --seed", file=sys.stderr)
            return EXIT_USAGE
        host = make_host(args.system)
        c = gen.generate(args.seed, args.first_case, host,
                         set(args.attack) if args.attack else None)
        print(json.dumps(c.to_json()))
        return EXIT_OK
    try:
        return campaign(args)
    except OSError as e:
        print("xdi-fuzz: %s" % e, file=sys.stderr)
        return EXIT_SETUP
