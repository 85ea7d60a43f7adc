"""pytest fixtures that run the real xdi-server for a test.

    def test_login(xdi_server, xdi_agent):
        a = xdi_agent()                      # connected to xdi_server
        a.login("TESTA")
        xdi_server.journal.wait_for(event="login")

    @pytest.mark.xdi_server(args=["--xdi-down"])
    def test_down(xdi_server, xdi_agent): ...

    def test_two(xdi_server_factory):
        srv = xdi_server_factory(fixtures=my_dir, args=["--grace", "1"])

Each server runs on kernel-chosen ports with its journal and stderr in the
test's own tmp_path: tests are safe to run in parallel.  Every server and
agent a test made is closed or killed in teardown, pass or fail.

The control plane (docs/control.md): one server for the whole test
session, driven over HTTP and reset before each test that asks for it:

    def test_cmd(xdi_control, xdi_host):
        # xdi_host: the session's server (fixtures/demo, --control on a
        # kernel-chosen port); xdi_control: its ControlClient, after
        # reset() (no session, no job, wait_for looks from here on)
        ...start an agent on xdi_host.address...
        xdi_control.send_command("SYSA", "D A,L", wait=5)
        xdi_control.wait_for("info", "SYSA", kind="CMD")

`pytest --xdi-url http://127.0.0.1:8080 --xdi-token TOKEN` attaches these
two fixtures to a server already running instead of starting one
(--xdi-listen HOST:PORT: its NACCB listener, for agents).  A server of
xdi_server_factory started with --control gives one too:
srv.control_client().
"""

import os
import re
import secrets

import pytest

from .agent import ScriptedAgent, parse_address
from .control import ControlClient, parse_url
from .server import XdiServer, fixture_dir


def pytest_addoption(parser):
    group = parser.getgroup("xdi", "xdi-emu control plane")
    group.addoption("--xdi-url", metavar="URL", default=None,
                    help="attach xdi_host / xdi_control to the control "
                    "plane of a running xdi-server (http://HOST:PORT) "
                    "instead of starting one")
    group.addoption("--xdi-token", metavar="TOKEN", default=None,
                    help="its token (default $XDI_TOKEN; else $XDI_USER "
                    "and $XDI_PASSWORD)")
    group.addoption("--xdi-listen", metavar="HOST:PORT", default=None,
                    help="with --xdi-url: the server's NACCB listener, "
                    "where agents connect (xdi_host.address)")
    group.addoption("--xdi-fixtures", metavar="DIR", default=None,
                    help="the fixture set of the session's server "
                    "(default: fixtures/demo)")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    if config.getoption("--xdi-url", None):
        _attach_options(config)
    # Under the asan preset $XDI_LIBNACCB is an uninstrumented copy of the
    # codec (naccb/CMakeLists.txt, naccb_python): Python cannot load an
    # ASan library, and the programs under test stay instrumented.
    config.addinivalue_line(
        "markers",
        "xdi_server(fixtures=None, listen=None, args=()): how the "
        "xdi_server fixture starts xdi-server")


# libfaketime (preloaded by the time-frame tests) keeps a semaphore and a
# shared-memory segment per process in /dev/shm, named after its pid, and
# removes them only at a normal exit; processes the tests kill leave them.
# They harm nothing (the library tolerates a stale pair for a recycled pid)
# but would pile up run after run, so the session removes those whose
# process is gone.
_FAKETIME_SHM = re.compile(r"^(?:sem\.faketime_sem|faketime_shm)_(\d+)$")


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pytest_sessionfinish(session, exitstatus):
    try:
        names = os.listdir("/dev/shm")
    except OSError:
        return
    for name in names:
        m = _FAKETIME_SHM.match(name)
        if m and not _pid_alive(int(m.group(1))):
            try:
                os.unlink(os.path.join("/dev/shm", name))
            except OSError:
                pass


@pytest.fixture
def xdi_test_fixtures():
    """The well-known fixture set fixtures/test (see its README.md)."""
    return fixture_dir("test")


@pytest.fixture
def _xdi_servers():
    """Every server this test started, in order (shared by the fixtures)."""
    return []


@pytest.fixture
def _xdi_agents():
    """Every agent this test made: closed before its servers are stopped,
    whatever order the test asked for the fixtures in."""
    return []


# Every server a fixture starts gets this grace period unless the test
# gives its own --grace (a later flag wins): teardown stops servers with
# SIGTERM, and agents still logged in then must not cost 5 s each.
DEFAULT_ARGS = ("--grace", "0.5")


@pytest.fixture
def xdi_server_factory(tmp_path, xdi_test_fixtures, _xdi_servers,
                       _xdi_agents):
    """start(fixtures=None, listen=("127.0.0.1:0",), args=(), wait=True,
    env=None) -> a started XdiServer (fixtures default: fixtures/test; env:
    extra environment, e.g. xdi.faketime.faketime_env("2026-11-23 09:00:00")).

    Teardown stops every server still running with SIGTERM and fails the
    test unless it exits 0 within the time (a crash, a sanitizer report or
    a hang at stop is a bug whatever the test was about); a server that
    does not stop is killed."""
    def start(fixtures=None, listen=("127.0.0.1:0",), args=(), wait=True,
              env=None):
        workdir = tmp_path / ("server%d" % len(_xdi_servers))
        srv = XdiServer(fixtures or xdi_test_fixtures, workdir,
                        listen=listen, args=DEFAULT_ARGS + tuple(args),
                        env=env)
        _xdi_servers.append(srv)
        if wait:
            srv.start()
        else:
            srv.spawn()
        return srv

    yield start
    for a in _xdi_agents:
        a.close()
    problems = []
    for srv in _xdi_servers:
        if not srv.running():
            srv.kill()  # reaps, closes files
            continue
        try:
            rc = srv.stop(timeout=10)
        except AssertionError as e:
            problems.append(str(e))
            continue
        if rc != 0:
            problems.append("xdi-server exited %s on SIGTERM at teardown\n%s"
                            % (rc, srv.diagnostics()))
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture
def xdi_server(request, xdi_server_factory):
    """A running xdi-server on fixtures/test (or as the xdi_server marker
    says).  .address is its (host, port), .journal its Journal."""
    marker = request.node.get_closest_marker("xdi_server")
    kw = dict(marker.kwargs) if marker else {}
    if kw.get("listen") is None:
        kw.pop("listen", None)
    return xdi_server_factory(**kw)


@pytest.fixture
def xdi_agent(request, _xdi_servers, _xdi_agents):
    """make(name=..., server=None, address=None, **kw) -> a connected
    ScriptedAgent.  Default: the first listener of the server this test
    started last (through xdi_server_factory or xdi_server); with none
    started yet, the xdi_server fixture's.  Every agent made is closed in
    teardown."""
    def make(name=None, server=None, address=None, **kw):
        if address is None:
            srv = server
            if srv is None and _xdi_servers:
                srv = _xdi_servers[-1]
            if srv is None:
                srv = request.getfixturevalue("xdi_server")
            address = srv.address
        a = ScriptedAgent(address, name=name or "agent%d" % len(_xdi_agents),
                          **kw)
        _xdi_agents.append(a)
        return a

    yield make
    for a in _xdi_agents:
        a.close()


# ---- the control plane: one server per session -----------------------------

class XdiHost:
    """The session's host: .control (a ControlClient), .url, .token,
    .address (the NACCB listener, (host, port); None when attached without
    --xdi-listen), .server (the XdiServer started, None when attached) and
    .journal (its journal file; None when attached)."""

    def __init__(self, control, address, server=None):
        self.control = control
        self.url = control.url
        self.token = control.token
        self.address = address
        self.server = server

    @property
    def journal(self):
        return self.server.journal if self.server is not None else None

    @property
    def attached(self):
        return self.server is None


def _attach_options(config):
    """(url, token, user, password, listen) of --xdi-url; UsageError (at
    configure time, before any test) when they cannot work."""
    url = config.getoption("--xdi-url")
    try:
        parse_url(url)
    except ValueError as e:
        raise pytest.UsageError("--xdi-url: %s" % e)
    token = config.getoption("--xdi-token") or os.environ.get("XDI_TOKEN")
    user = password = None
    if not token:
        user = os.environ.get("XDI_USER")
        password = os.environ.get("XDI_PASSWORD")
        if not user or password is None:
            raise pytest.UsageError(
                "--xdi-url needs credentials: --xdi-token TOKEN, or "
                "$XDI_TOKEN, or $XDI_USER and $XDI_PASSWORD")
    listen = config.getoption("--xdi-listen")
    if listen:
        try:
            listen = parse_address(listen)
        except ValueError:
            raise pytest.UsageError("--xdi-listen %r: want HOST:PORT"
                                    % listen)
    return url, token, user, password, listen


def _attach(config):
    url, token, user, password, listen = _attach_options(config)
    client = ControlClient(url, token=token, user=user, password=password)
    return XdiHost(client, listen)


@pytest.fixture(scope="session")
def xdi_host(request, tmp_path_factory):
    """The test session's one xdi-server with its control plane (an
    XdiHost), started at first use on fixtures/demo (or --xdi-fixtures),
    kernel-chosen ports, a random --control-token; or, with --xdi-url, the
    server already running there.  Not reset: use xdi_control for that.
    A server this fixture started must exit 0 on SIGTERM at the end."""
    config = request.config
    if config.getoption("--xdi-url"):
        host = _attach(config)
        yield host
        host.control.close()
        return
    fixtures = config.getoption("--xdi-fixtures") or fixture_dir("demo")
    token = secrets.token_urlsafe(24)
    srv = XdiServer(fixtures, tmp_path_factory.mktemp("xdi_host"),
                    args=DEFAULT_ARGS + ("--control", "127.0.0.1:0",
                                         "--control-token", token))
    srv.start()
    host = XdiHost(srv.control_client(token=token), srv.address, srv)
    try:
        yield host
    finally:
        host.control.close()
        if srv.running():
            rc = srv.stop(timeout=10)
            if rc != 0:
                pytest.fail("the session's xdi-server exited %s on SIGTERM"
                            "\n%s" % (rc, srv.diagnostics()), pytrace=False)
        else:
            srv.kill()
            pytest.fail("the session's xdi-server died during the session "
                        "(exit code %s)\n%s" % (srv.returncode,
                                                 srv.diagnostics()),
                        pytrace=False)


@pytest.fixture
def xdi_control(xdi_host):
    """The session host's ControlClient on a clean slate (its clean():
    POST /xdi/host/reset, XDI up, the fixtures' own tables): no session,
    no held trigger, an empty job registry, and wait_for() looking only
    at what happens from now on."""
    xdi_host.control.clean()
    return xdi_host.control
