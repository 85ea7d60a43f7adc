"""The engine of xdi-conform: the check registry, the configuration, the
context a check runs in, and the runner.

A check is a function registered with @check(...): it gets a Context, runs
the agent under test against the scripted host (host.py) or the real
xdi-server, and returns when the agent kept every rule.  It raises Failure
when the agent broke one, SkipCheck when it does not apply to this agent
as configured, and anything else (HarnessError included) when the harness
could not run it.  The runner turns that into one Result per check, with
the evidence: the failure's diff, the transcript, the agent's output.

Each check runs in a private directory with its own agent process(es),
host and server, all stopped when it ends, pass or fail: checks do not
depend on each other and may be selected one by one.
"""

import fnmatch
import os
import pathlib
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import traceback
from dataclasses import dataclass

from .. import codec
from ..faketime import faketime_env, faketime_library
from ..proxy import InjectingProxy, ProxyError
from ..server import XdiServer
from . import diagnose
from .agentproc import (AgentUnderTest, placeholders, program_of, render,
                        statically_linked)
from .errors import Failure, HarnessError, SkipCheck
from .host import ScriptedHost, Transcript, describe

PASS, FAIL, ERROR, SKIP = "pass", "fail", "error", "skip"

# Capabilities a check may need; each comes from the configuration.
CAPABILITIES = {
    "messages": "an --inject-message adapter (message events)",
    "jobs": "jobs: {jobs} in the agent command (exec job runs the suite's "
            "job scripts) or an --inject-job adapter",
    "exec_job": "{jobs} in the agent command (the agent runs exec job "
                "requests from that directory)",
    "steps": "a --job-step adapter (how a job reports a step's end)",
    "faketime": "--faketime, and a dynamically linked agent",
    "holidays": "{holidays} in the agent command (the holiday calendar)",
    "refusal": "--refused-command (a command the agent's policy, as its "
               "command line configures it, must refuse)",
}

HOLIDAYS = ["2026-12-25", "2027-01-01"]

# After this many checks in a row whose agent never connected, the rest of
# the suite is reported not run: each would only wait out its connection
# deadline again, and the report would bury the one thing to fix.
NO_CONNECTION_LIMIT = 2


@dataclass
class Check:
    name: str
    title: str
    seed: str        # the seed passage the rule comes from
    notes: str       # where docs/protocol.md states it
    needs: tuple
    host: str        # "scripted" or "xdi-server"
    func: object

    @property
    def group(self):
        return self.name.split(".", 1)[0]


REGISTRY = []


def check(name, title, seed, notes, needs=(), host="scripted", before=None):
    """Registers a check (in definition order: the suite's order; before:
    the name of an already registered check to run it ahead of)."""
    def register(func):
        if any(c.name == name for c in REGISTRY):
            raise ValueError("check %s registered twice" % name)
        c = Check(name, title, seed, notes, tuple(needs), host, func)
        if before is None:
            REGISTRY.append(c)
        else:
            at = [i for i, x in enumerate(REGISTRY) if x.name == before]
            if not at:
                raise ValueError("check %s: no check %s to run it before"
                                 % (name, before))
            REGISTRY.insert(at[0], c)
        return func
    return register


@dataclass
class Config:
    agent: str                      # the agent command template
    inject_message: str = None
    inject_job: str = None
    job_step: str = None
    refused_command: str = None     # an exec command the agent must refuse
    faketime: bool = False
    stop_signal: int = signal.SIGTERM
    timeout_scale: float = 1.0
    server_binary: pathlib.Path = None
    fixtures_dir: pathlib.Path = None   # fixtures/conformance
    workdir: pathlib.Path = None
    keep_workdir: bool = False

    def capabilities(self):
        """{capability: None when present, else why it is missing}."""
        marks = placeholders(self.agent)
        caps = {
            "messages": None if self.inject_message else
            "no --inject-message adapter",
            "exec_job": None if "jobs" in marks else
            "the agent command has no {jobs}",
            "holidays": None if "holidays" in marks else
            "the agent command has no {holidays}",
            "steps": None if self.job_step else "no --job-step adapter",
            "refusal": None if self.refused_command else
            "no --refused-command",
        }
        caps["jobs"] = None if self.inject_job or "jobs" in marks else \
            "neither {jobs} in the agent command nor --inject-job"
        if not self.faketime:
            caps["faketime"] = "--faketime not given"
        elif faketime_library() is None:
            caps["faketime"] = "libfaketime is not installed"
        else:
            prog = program_of(render(self.agent, _dummy_values()))
            caps["faketime"] = (
                "the agent (%s) is statically linked: libfaketime cannot "
                "move its clock" % prog
                if prog is not None and statically_linked(prog) else None)
        return caps


def _dummy_values():
    return {k: "x" for k in ("host", "port", "system", "workdir", "jobs",
                             "holidays")}


@dataclass
class Result:
    check: Check
    status: str
    message: str = ""
    evidence: str = ""
    transcript: str = ""
    agent_output: str = ""
    seconds: float = 0.0
    workdir: pathlib.Path = None   # the check's files, kept (fail, error)
    no_connection: bool = False    # failed because the agent never connected


def random_agent_id():
    """A random agent-ID no agent would guess: above 0xFFFF, never 1."""
    return 0x10000 + secrets.randbelow(0xFFFF0000 - 1)


class Context:
    """What a check works with.  Everything it starts is stopped by
    close()."""

    def __init__(self, config, chk, workdir):
        self.config = config
        self.check = chk
        self.workdir = pathlib.Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.jobs_dir = self.workdir / "jobs"
        self.jobs_dir.mkdir(exist_ok=True)
        self.holidays_file = self.workdir / "holidays.txt"
        self.holidays_file.write_text("".join(d + "\n" for d in HOLIDAYS))
        self.transcript = Transcript()
        self.agents = []
        self.hosts = []
        self.servers = []
        self.injections = 0

    # ---- time ------------------------------------------------------------

    def t(self, seconds):
        """A deadline scaled by --timeout-scale."""
        return seconds * self.config.timeout_scale

    # ---- the agent ----------------------------------------------------------

    def values(self, address, system):
        return {"host": address[0], "port": address[1], "system": system,
                "workdir": self.workdir, "jobs": self.jobs_dir,
                "holidays": self.holidays_file}

    def start_agent(self, address, system, when=None):
        """Start the agent pointed at address as `system`; `when` (a
        faketime instant) runs it under libfaketime."""
        self.address, self.system = address, system
        command = render(self.config.agent, self.values(address, system))
        env = self._agent_clock(when) if when else None
        label = "agent%d" % (len(self.agents) + 1)
        if when:
            self.transcript.note("%s: its clock starts at %s UTC (faketime)"
                                 % (label, when))
        agent = AgentUnderTest(command, self.workdir, env=env,
                               transcript=self.transcript, label=label)
        self.agents.append(agent)
        return agent

    @staticmethod
    def _agent_clock(when):
        """The wall clock starts at `when` (UTC) and runs at real speed
        (the agent's own timers must not stretch); monotonic clocks are
        untouched (event loops time their timers with them)."""
        try:
            return faketime_env(when, speed="1")
        except RuntimeError as e:
            raise HarnessError("--faketime: %s" % e)

    def scripted_host(self):
        host = ScriptedHost(self.transcript, within=self.t(5.0))
        self.hosts.append(host)
        return host

    def proxy(self, srv):
        """An InjectingProxy in front of the xdi-server srv."""
        px = InjectingProxy(srv.address, self.transcript)
        self.hosts.append(px)
        return px

    def xdi_server(self, fixtures, args=()):
        """A real xdi-server on a kernel-chosen port serving `fixtures` (a
        directory)."""
        binary = self.config.server_binary
        if binary is None or not pathlib.Path(binary).exists():
            raise HarnessError("xdi-server not found (%s): give "
                               "--server-binary" % binary)
        srv = XdiServer(fixtures, self.workdir / ("server%d"
                                                  % len(self.servers)),
                        args=("--grace", "0.5") + tuple(args), binary=binary)
        self.servers.append(srv)
        srv.start()
        self.transcript.note("xdi-server listening on %s:%d (fixtures %s)"
                             % (srv.address + (fixtures,)))
        return srv

    def fixture_copy(self, name):
        """A private copy of fixtures/conformance/NAME (for reloads)."""
        src = pathlib.Path(self.config.fixtures_dir) / name
        if not src.is_dir():
            raise HarnessError("fixture set %s is missing" % src)
        dst = self.workdir / ("fixtures-" + name)
        shutil.copytree(src, dst)
        return dst

    def fixture(self, name):
        src = pathlib.Path(self.config.fixtures_dir) / name
        if not src.is_dir():
            raise HarnessError("fixture set %s is missing" % src)
        return src

    # ---- adapters -----------------------------------------------------------

    def need(self, capability):
        why = self.config.capabilities()[capability]
        if why is not None:
            raise SkipCheck("needs %s: %s" % (CAPABILITIES[capability], why))

    def has(self, capability):
        return self.config.capabilities()[capability] is None

    def _run_adapter(self, what, template, values):
        cmd = render(template, dict(self.values(self.address, self.system),
                                    **values))
        self.transcript.note("%s: %s" % (what, cmd))
        try:
            p = subprocess.run(
                ["/bin/sh", "-c", cmd], stdin=subprocess.DEVNULL,
                capture_output=True, timeout=self.t(10.0))
        except Exception as e:  # noqa: BLE001 - any failure is the harness's
            raise HarnessError("%s adapter failed: %s" % (what, e))
        if p.returncode != 0:
            raise HarnessError("%s adapter exited %d: %s\n%s" % (
                what, p.returncode, cmd,
                (p.stdout + p.stderr).decode("utf-8", "replace")))

    def inject_message(self, text):
        """Cause a message event with this text on the agent's host."""
        self.need("messages")
        self.injections += 1
        self._run_adapter("inject message", self.config.inject_message,
                          {"text": text})

    def write_job(self, job, steps=(), rc=0, kill=None):
        """The job script {jobs}/JOB: its steps (name, rc) reported through
        the --job-step adapter, then exit rc (or, with kill, the job kills
        itself with that signal name: a job ended by a signal)."""
        lines = ["#!/bin/sh", "# written by xdi-conform: job %s" % job]
        for step, step_rc in steps:
            if self.config.job_step:
                lines.append(render(self.config.job_step,
                                    {"step": step, "rc": step_rc,
                                     "job": job}))
        if kill is not None:
            lines.append("kill -%s $$" % kill)
        lines.append("exit %d" % rc)
        path = self.jobs_dir / job
        path.write_text("\n".join(lines) + "\n")
        path.chmod(0o755)
        return path

    def run_job(self, conn, job, steps=(), rc=0, kill=None):
        """Make job JOB run and end on the agent's host: through
        --inject-job when given, else by sending exec job on conn (the
        agent runs {jobs}/JOB)."""
        self.need("jobs")
        script = self.write_job(job, steps if self.has("steps") else (), rc,
                                kill=kill)
        if self.config.inject_job:
            self._run_adapter("inject job", self.config.inject_job,
                              {"job": job, "script": script, "rc": rc})
        else:
            conn.send(codec.Naccb(codec.EXEC_JOB, agent_id=conn.agent_id,
                                  system=self.system,
                                  objects=[codec.field(job)]))

    # ---- the end ------------------------------------------------------------

    def close(self):
        # The hosts first: an agent that logs out on SIGTERM would wait
        # for its host to close the connection.
        for h in self.hosts:
            h.close()
        for a in self.agents:
            a.stop()
        for s in self.servers:
            if s.running():
                try:
                    s.stop(timeout=5)
                except AssertionError:
                    s.kill()
            else:
                s.kill()

    def agent_output(self):
        return "\n".join(a.log_tail(60) for a in self.agents)


# ---- running ---------------------------------------------------------------------


def select_checks(names=(), skip=()):
    """(check, why skipped or None) for every registered check, in order.
    names/skip: names or fnmatch patterns ("tables.*").  HarnessError when
    a name matches no check (a typo must not pass silently)."""
    for pat in list(names) + list(skip):
        if not any(fnmatch.fnmatchcase(c.name, pat) for c in REGISTRY):
            raise HarnessError("no check is named %r (see --list)" % pat)
    out = []
    for c in REGISTRY:
        why = None
        if names and not any(fnmatch.fnmatchcase(c.name, p) for p in names):
            why = "not selected"
        elif any(fnmatch.fnmatchcase(c.name, p) for p in skip):
            why = "skipped by --skip"
        out.append((c, why))
    return out


def _evidence(f):
    parts = []
    if f.expected is not None and f.got is not None:
        parts.append("field by field (! marks a difference):\n"
                     + codec.diff(f.expected, f.got))
        exp = f.expected.encode()
        got = f.got.raw if f.got.raw is not None else f.got.encode()
        if exp != got:
            parts.append(codec.hex_diff(exp, got))
        parts += diagnose.header(exp, got)
        if f.expected.objects != f.got.objects:
            fixed = f.expected.key in (codec.INFO_EOJ, codec.INFO_EOS)
            parts.append("objects, expected beside got:\n" + "\n".join(
                diagnose.object_lines(f.expected.objects, f.got.objects,
                                      fixed=fixed)))
    elif f.got is not None:
        raw = f.got.raw if f.got.raw is not None else f.got.encode()
        parts.append("received: " + describe(raw) + "\n" + f.got.describe())
    if f.raw is not None:
        if f.expected is not None:
            parts.append(codec.hex_diff(f.expected.encode(), bytes(f.raw)))
            parts += diagnose.header(f.expected.encode(), bytes(f.raw))
        else:
            parts.append("bytes: %s" % bytes(f.raw)[:256].hex().upper())
    if f.details:
        parts.append(f.details if isinstance(f.details, str)
                     else "\n".join(f.details))
    return "\n".join(parts)


def run_check(config, chk, workdir):
    ctx = Context(config, chk, workdir)
    t0 = time.monotonic()
    no_connection = False
    try:
        chk.func(ctx)
        status, message, evidence = PASS, "", ""
    except Failure as f:
        status, message, evidence = FAIL, f.message, _evidence(f)
        no_connection = f.no_connection
    except SkipCheck as s:
        status, message, evidence = SKIP, str(s), ""
    except (HarnessError, ProxyError) as e:
        status, message, evidence = ERROR, str(e), ""
    except Exception as e:  # noqa: BLE001 - a bug of the harness: an error
        status, message = ERROR, "%s: %s" % (type(e).__name__, e)
        evidence = traceback.format_exc()
    finally:
        try:
            ctx.close()
        except Exception as e:  # noqa: BLE001
            ctx.transcript.note("cleanup failed: %s" % e)
    return Result(chk, status, message, evidence, ctx.transcript.render(),
                  ctx.agent_output() if status in (FAIL, ERROR) else "",
                  time.monotonic() - t0,
                  ctx.workdir if status in (FAIL, ERROR) else None,
                  no_connection)


def run_suite(config, names=(), skip=(), fail_fast=False, on_result=None):
    """Runs the selected checks; returns every Result (skipped ones
    included).  fail_fast: after the first failure or error, the remaining
    checks are reported skipped.

    Without --workdir the checks run under a temporary directory: the
    directory of a passed check is removed as it ends, that of a failed or
    errored one is kept (its Result.workdir says where), so that every file
    a report names is still there; the temporary directory goes when no
    check failed."""
    from . import checks  # noqa: F401 - registers the checks
    plan = select_checks(names, skip)
    root = pathlib.Path(config.workdir) if config.workdir else \
        pathlib.Path(tempfile.mkdtemp(prefix="xdi-conform-"))
    root.mkdir(parents=True, exist_ok=True)
    caps = config.capabilities()
    results = []
    stop = False
    unconnected = 0     # checks in a row whose agent never connected
    try:
        for chk, why in plan:
            if why is None and stop:
                why = "not run: --fail-fast after a failure"
            if why is None and unconnected >= NO_CONNECTION_LIMIT:
                why = ("not run: the agent did not connect in %d checks in "
                       "a row" % unconnected)
            if why is None:
                missing = [n for n in chk.needs if caps.get(n)]
                if missing:
                    why = "; ".join("needs %s: %s" % (CAPABILITIES[n],
                                                      caps[n])
                                    for n in missing)
            if why is not None:
                r = Result(chk, SKIP, why)
            else:
                r = run_check(config, chk, root / chk.name)
                if r.workdir is None and not config.workdir and \
                        not config.keep_workdir:
                    shutil.rmtree(root / chk.name, ignore_errors=True)
            results.append(r)
            if r.status != SKIP:
                unconnected = unconnected + 1 if r.no_connection else 0
            if on_result:
                on_result(r)
            if fail_fast and r.status in (FAIL, ERROR):
                stop = True
    finally:
        if not config.keep_workdir and not config.workdir and \
                not any(r.workdir for r in results):
            shutil.rmtree(root, ignore_errors=True)
    return results


def default_paths():
    """(server binary, fixtures/conformance) from the environment
    (XDI_BUILD_DIR, XDI_SOURCE_DIR) or this file's place in the source
    tree."""
    src = os.environ.get("XDI_SOURCE_DIR")
    src = pathlib.Path(src) if src else \
        pathlib.Path(__file__).resolve().parents[3]
    build = os.environ.get("XDI_BUILD_DIR")
    server = pathlib.Path(build) / "server" / "xdi-server" if build else None
    return server, src / "fixtures" / "conformance"
