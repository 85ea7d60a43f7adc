"""pytest fixtures that run the real xdi-server for a test.

    def test_login(xdi_server, xdi_agent):
        a = xdi_agent()                      # connected to xdi_server
        a.login("SYSA")
        xdi_server.journal.wait_for(event="login")

    @pytest.mark.xdi_server(args=["--xdi-down"])
    def test_down(xdi_server, xdi_agent): ...

    def test_two(xdi_server_factory):
        srv = xdi_server_factory(fixtures=my_dir, args=["--grace", "1"])

Each server runs on kernel-chosen ports with its journal and stderr in the
test's own tmp_path: tests are safe to run in parallel.  Every server and
agent a test made is closed or killed in teardown, pass or fail.
"""

import pytest

from .agent import ScriptedAgent
from .server import XdiServer, fixture_dir


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "xdi_server(fixtures=None, listen=None, args=()): how the "
        "xdi_server fixture starts xdi-server")


@pytest.fixture
def xdi_test_fixtures():
    """The well-known fixture set fixtures/test (see its README.md)."""
    return fixture_dir("test")


@pytest.fixture
def xdi_server_factory(tmp_path, xdi_test_fixtures):
    """start(fixtures=None, listen=("127.0.0.1:0",), args=(), wait=True,
    env=None, wrapper=()) -> a started XdiServer (fixtures default:
    fixtures/test; env: extra environment; wrapper: a command prefix such
    as ["faketime", "2026-11-23 09:00:00"])."""
    servers = []

    def start(fixtures=None, listen=("127.0.0.1:0",), args=(), wait=True,
              env=None, wrapper=()):
        workdir = tmp_path / ("server%d" % len(servers))
        srv = XdiServer(fixtures or xdi_test_fixtures, workdir,
                        listen=listen, args=args, env=env, wrapper=wrapper)
        servers.append(srv)
        if wait:
            srv.start()
        else:
            srv.spawn()
        return srv

    yield start
    for srv in servers:
        srv.kill()


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
def xdi_agent(request):
    """make(name=..., server=None, address=None, **kw) -> a connected
    ScriptedAgent (default: to the xdi_server fixture's first listener).
    Every agent made is closed in teardown."""
    agents = []

    def make(name=None, server=None, address=None, **kw):
        if address is None:
            srv = server or request.getfixturevalue("xdi_server")
            address = srv.address
        a = ScriptedAgent(address, name=name or "agent%d" % len(agents),
                          **kw)
        agents.append(a)
        return a

    yield make
    for a in agents:
        a.close()
