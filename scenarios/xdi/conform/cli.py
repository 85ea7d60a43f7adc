"""xdi-conform's command line (tools/xdi-conform/xdi-conform runs main()).

    xdi-conform --agent 'my-agent --server {host}:{port} --system {system}'

Exit codes: 0 every check that ran passed (skipped checks are listed as
skipped, never as passed); 1 at least one check failed (the agent broke a
rule); 2 usage; 3 no check failed but at least one could not be run (a
harness error).  See docs/conformance.md.
"""

import argparse
import os
import pathlib
import re
import signal
import sys
import time

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3

# ---- a sanitized libnaccb (asan builds) -------------------------------------
# libnaccb built with -fsanitize=address can only be loaded by a process
# that has the ASan runtime first: restart once with it preloaded (and its
# leak checks off for Python itself), and give the children (agent,
# xdi-server) back the environment we were started with.

_SAVED = ("LD_PRELOAD", "ASAN_OPTIONS")


def _asan_soname(lib):
    try:
        data = pathlib.Path(lib).read_bytes()
    except OSError:
        return None
    m = re.search(rb"libasan\.so\.\d+", data)
    return m.group(0).decode() if m else None


def _ensure_asan(lib):
    soname = _asan_soname(lib)
    if soname is None:
        return
    with open("/proc/self/maps") as f:
        if "libasan" in f.read():
            return
    if os.environ.get("XDI_CONFORM_ASAN_RESTARTED"):
        sys.exit("xdi-conform: %s needs %s, still not loaded after a "
                 "restart" % (lib, soname))
    env = dict(os.environ, XDI_CONFORM_ASAN_RESTARTED="1")
    for var in _SAVED:
        if var in env:
            env["XDI_CONFORM_SAVED_" + var] = env[var]
    env["LD_PRELOAD"] = " ".join(filter(None, [soname,
                                               env.get("LD_PRELOAD")]))
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"),
                                                 "detect_leaks=0"]))
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable] + sys.orig_argv[1:], env)


def _restore_env():
    if not os.environ.get("XDI_CONFORM_ASAN_RESTARTED"):
        return
    for var in _SAVED:
        saved = os.environ.pop("XDI_CONFORM_SAVED_" + var, None)
        if saved is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = saved


# ---- options ---------------------------------------------------------------------


def _default(var, otherwise):
    """The default --help names: the path the xdi-conform command set in
    var (the installed command's are in its prefix), else otherwise."""
    value = os.environ.get(var)
    return (value or otherwise).replace("%", "%%")  # argparse formats help


class _Parser(argparse.ArgumentParser):
    """Usage errors in the form every xdi-emu tool uses: what was wrong,
    then where to look, exit 2."""

    def error(self, message):
        self.exit(EXIT_USAGE, "%s: %s\nTry '%s --help'.\n" % (
            self.prog, message, self.prog))


def parser():
    p = _Parser(
        prog="xdi-conform",
        description="Run an XDI agent against a harness-controlled fake "
                    "host and report, check by check, where it departs "
                    "from the protocol (docs/conformance.md).",
        epilog="Placeholders: {host} {port} {system} {workdir} {jobs} "
               "{holidays} in --agent; {text} in --inject-message; {job} "
               "{script} {rc} in --inject-job; {step} {rc} {job} in "
               "--job-step.  Values are shell-quoted.  Exit codes: 0 pass, "
               "1 a check failed, 2 usage, 3 a check could not be run.")
    p.add_argument("--agent", metavar="COMMAND",
                   help="the agent's command line, run by /bin/sh")
    p.add_argument("--inject-message", metavar="COMMAND",
                   help="a command that causes a message event with text "
                        "{text} on the agent's host")
    p.add_argument("--inject-job", metavar="COMMAND",
                   help="a command that makes job {job} run on the agent's "
                        "host ({script}: the job script the suite wrote)")
    p.add_argument("--job-step", metavar="COMMAND",
                   help="a shell line in a job script that reports the "
                        "end of step {step} with return code {rc}")
    p.add_argument("--refused-command", metavar="TEXT",
                   help="an exec command the agent must refuse (outside "
                        "the command policy its --agent command line "
                        "gives it): runs check exec.refusal")
    p.add_argument("--faketime", action="store_true",
                   help="run the time-frame checks with the agent under "
                        "libfaketime (dynamically linked agents)")
    p.add_argument("--check", action="append", default=[], metavar="NAME",
                   help="run only these checks (names or patterns such as "
                        "'tables.*'); repeatable")
    p.add_argument("--skip", action="append", default=[], metavar="NAME",
                   help="do not run these checks; repeatable")
    p.add_argument("--fail-fast", action="store_true",
                   help="stop at the first failure or error (the rest is "
                        "reported skipped)")
    p.add_argument("--list", action="store_true",
                   help="list the checks and exit")
    p.add_argument("--junit", metavar="FILE", help="write JUnit XML here")
    p.add_argument("--workdir", metavar="DIR",
                   help="keep each check's files (agent output, journal) "
                        "under DIR")
    p.add_argument("--timeout-scale", type=_timeout_scale, default=1.0,
                   metavar="F",
                   help="multiply every deadline by F (slow agents, "
                        "sanitizers)")
    p.add_argument("--stop-signal", type=_signal, default="TERM",
                   metavar="SIG",
                   help="the signal that asks the agent for a local "
                        "shutdown (default TERM)")
    p.add_argument("--server-binary", metavar="PATH",
                   help="xdi-server (default: %s)" % _default(
                       "XDI_CONFORM_SERVER", "the build tree's"))
    p.add_argument("--fixtures", metavar="DIR",
                   help="the conformance fixture sets (default: %s)" %
                        _default("XDI_CONFORM_FIXTURES",
                                 "fixtures/conformance of the source tree"))
    p.add_argument("--libnaccb", metavar="PATH",
                   help="libnaccb.so (default: %s)" % _default(
                       "XDI_LIBNACCB", "the build tree's"))
    p.add_argument("-V", "--version", action=_Version, nargs=0,
                   help="show xdi-conform's and libnaccb's versions and "
                        "exit")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="show the transcript of passing checks too")
    return p


class _Version(argparse.Action):
    """-V: the suite's version (the xdi-emu it came with) and that of the
    libnaccb it loads, which --libnaccb, given before it, chooses."""

    def __call__(self, parser, namespace, values, option_string=None):
        lib = getattr(namespace, "libnaccb", None)
        if lib:
            os.environ["XDI_LIBNACCB"] = lib
        try:
            from .. import codec
            naccb = codec.version()
        except (OSError, AttributeError) as e:
            naccb = "not loadable (%s)" % e
        print("xdi-conform (xdi-emu) %s, libnaccb %s" % (
            os.environ.get("XDI_CONFORM_VERSION", "unknown"), naccb))
        parser.exit(0)


def _signal(name):
    """--stop-signal: a signal name (TERM, SIGINT) or number; a bad one is a
    usage error (argparse exits 2), found before any check runs."""
    if isinstance(name, signal.Signals):
        return name
    text = str(name).strip().upper()
    if text.isdigit():
        try:
            return signal.Signals(int(text))
        except ValueError:
            pass
    else:
        if not text.startswith("SIG"):
            text = "SIG" + text
        sig = getattr(signal, text, None)
        if isinstance(sig, signal.Signals) and not text.startswith("SIG_"):
            return sig
    raise argparse.ArgumentTypeError(
        "unknown signal %r (a name such as TERM, INT, HUP or a number)" %
        name)


def _timeout_scale(text):
    """--timeout-scale: a finite number above 0 (every deadline is
    multiplied by it; 0 or less would fail every check for nothing)."""
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not (0 < value < float("inf")):
        raise argparse.ArgumentTypeError(
            "%r is not a number above 0 (deadlines are multiplied by it)" %
            text)
    return value


def config_from_args(args):
    """The engine's Config from parsed options (also the pytest plugin's)."""
    from . import engine
    server, fixtures = engine.default_paths()
    env_server = os.environ.get("XDI_CONFORM_SERVER")
    env_fixtures = os.environ.get("XDI_CONFORM_FIXTURES")
    return engine.Config(
        agent=args.agent, inject_message=args.inject_message,
        inject_job=args.inject_job, job_step=args.job_step,
        refused_command=args.refused_command,
        faketime=args.faketime, stop_signal=_signal(args.stop_signal),
        timeout_scale=args.timeout_scale,
        server_binary=pathlib.Path(args.server_binary or env_server or
                                   server or "xdi-server"),
        fixtures_dir=pathlib.Path(args.fixtures or env_fixtures or fixtures),
        workdir=pathlib.Path(args.workdir) if args.workdir else None,
        keep_workdir=bool(args.workdir))


def main(argv=None):
    args = parser().parse_args(argv)
    if args.libnaccb:
        os.environ["XDI_LIBNACCB"] = args.libnaccb
    lib = os.environ.get("XDI_LIBNACCB")
    if lib:
        _ensure_asan(lib)
    _restore_env()

    from . import checks  # noqa: F401 - registers the checks
    from . import engine, report

    if args.list:
        for c in engine.REGISTRY:
            needs = (" (needs %s)" % ", ".join(c.needs)) if c.needs else ""
            print("%-28s %-10s %s%s" % (c.name, c.host, c.title, needs))
        return EXIT_OK
    if not args.agent:
        print("xdi-conform: --agent COMMAND is required\n"
              "Try 'xdi-conform --help'.", file=sys.stderr)
        return EXIT_USAGE
    config = config_from_args(args)
    try:
        engine.select_checks(args.check, args.skip)
    except engine.HarnessError as e:
        print("xdi-conform: %s" % e, file=sys.stderr)
        return EXIT_USAGE
    console = report.Console(verbose=args.verbose)
    console.header(config)
    t0 = time.monotonic()
    results = engine.run_suite(config, args.check, args.skip,
                               fail_fast=args.fail_fast, on_result=console)
    seconds = time.monotonic() - t0
    console.footer(results, seconds)
    if args.junit:
        report.write_junit(args.junit, results, config, seconds)
    c = report.counts(results)
    if c[engine.FAIL]:
        return EXIT_FAILED
    if c[engine.ERROR]:
        return EXIT_ERROR
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
