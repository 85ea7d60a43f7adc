"""xdi-conform as a pytest plugin, for teams that already run pytest.

    PYTHONPATH=/path/to/xdi-emu/scenarios XDI_LIBNACCB=.../libnaccb.so \\
    pytest -p xdi.conform.pytest_plugin \\
        --xdi-conform="--agent 'my-agent {host}:{port} {system}' --faketime"

adds one test per check, named xdi-conform::CHECK (select with -k as
usual, e.g. -k "login or tables").  The option's value is xdi-conform's own
options as shell words (docs/conformance.md).  A check the agent fails is a
test failure with the evidence as its report; a check the harness could
not run is a test error (raised in setup); a check that does not apply is
skipped.
"""

import pathlib
import shlex
import tempfile

import pytest

from . import engine
from .errors import HarnessError


def pytest_addoption(parser):
    group = parser.getgroup("xdi-conform")
    group.addoption("--xdi-conform", metavar="ARGS", default=None,
                    help="run the xdi-conform checks as tests; ARGS are "
                         "xdi-conform's options (e.g. \"--agent 'CMD "
                         "{host} {port} {system}' --faketime\")")


class ConformFailure(Exception):
    def __init__(self, result):
        super().__init__(result.message)
        self.result = result


class ConformItem(pytest.Item):
    def __init__(self, *, check, conform, **kw):
        super().__init__(**kw)
        self.check = check
        self.conform = conform
        self.result = None

    def setup(self):
        caps = self.conform.capabilities()
        missing = [n for n in self.check.needs if caps.get(n)]
        if missing:
            pytest.skip("; ".join("needs %s: %s" % (engine.CAPABILITIES[n],
                                                    caps[n])
                                  for n in missing))
        self.result = engine.run_check(
            self.conform, self.check,
            pathlib.Path(self.conform.workdir) / self.check.name)
        if self.result.status == engine.ERROR:
            raise HarnessError("%s\n%s" % (self.result.message,
                                           self.result.evidence))
        if self.result.status == engine.SKIP:
            pytest.skip(self.result.message)

    def runtest(self):
        if self.result.status == engine.FAIL:
            raise ConformFailure(self.result)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ConformFailure):
            r = excinfo.value.result
            return "\n".join(x for x in (
                "%s: %s" % (r.check.name, r.message),
                "seed: %s" % r.check.seed,
                "protocol: %s" % r.check.notes,
                r.evidence, "transcript:\n" + r.transcript,
                r.agent_output) if x)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, "xdi-conform: %s" % self.check.name


def pytest_collection_modifyitems(session, config, items):
    value = config.getoption("--xdi-conform")
    if not value:
        return
    from . import checks  # noqa: F401 - registers the checks
    from .cli import config_from_args, parser
    args = parser().parse_args(shlex.split(value))
    if not args.agent:
        raise pytest.UsageError("--xdi-conform: --agent COMMAND is required")
    conform = config_from_args(args)
    if conform.workdir is None:
        conform.workdir = pathlib.Path(tempfile.mkdtemp(
            prefix="xdi-conform-"))
    for name, why in engine.select_checks(args.check, args.skip):
        if why is None:
            items.append(ConformItem.from_parent(
                session, name="xdi-conform::" + name.name, check=name,
                conform=conform))
