"""HOST:PORT means the same to every program (tools/common/addr.h): a host
name where an address is taken, resolved with getaddrinfo, and one clear
error for a name that does not resolve.

- xdi-server --listen localhost:0 listens on localhost's addresses, and an
  agent logs in there;
- xdi-server --listen / --control with a name that does not resolve: exit 2,
  "xdi-server: --listen 'NAME:PORT': cannot resolve 'NAME': ...";
- xdi-agent --server localhost:PORT logs in; a bad name is a failed
  connection (retried, then exit 13), a malformed one a usage error;
- xdi-replay agent --connect takes the same forms.
"""

import re
import socket

import pytest

from agent_proc import run_agent, xdi_agent
from xdi import run_to_exit
from xdi.server import fixture_dir

BAD = "nosuchhost.invalid"  # never resolves (RFC 6761)


def test_server_listens_on_localhost(xdi_server_factory):
    srv = xdi_server_factory(listen=("localhost:0",))
    lines = [l for l in srv.stdout_lines() if l.startswith("listening on ")]
    assert lines, srv.stdout_lines()
    for line in lines:
        assert re.fullmatch(r"listening on (127\.0\.0\.1|\[::1\]):\d+", line), \
            line
    host, port = srv.address
    with socket.create_connection((host, port), timeout=5):
        pass
    assert srv.stop() == 0


@pytest.mark.parametrize("option", ["--listen", "--control"])
def test_server_name_that_does_not_resolve(tmp_path, option):
    rc, out, err = run_to_exit(fixture_dir("demo"), tmp_path,
                               args=[option, "%s:7012" % BAD])
    assert rc == 2, err
    assert ("xdi-server: %s '%s:7012': cannot resolve '%s': " % (
        option, BAD, BAD)) in err, err
    assert err.strip().splitlines()[-1] == "Try 'xdi-server --help'.", err
    assert "listening on" not in out


@pytest.mark.parametrize("text,why", [
    ("localhost", "expected HOST:PORT"),
    ("::1:7012", "[ADDR]:PORT"),
    ("localhost:99999", "the port must be a number 0..65535"),
])
def test_server_malformed_listen(tmp_path, text, why):
    rc, out, err = run_to_exit(fixture_dir("demo"), tmp_path,
                               args=["--listen", text])
    assert rc == 2, err
    assert err.startswith("xdi-server: --listen '%s': " % text), err
    assert why in err, err


def test_agent_connects_by_name(xdi_server, tmp_path):
    _, port = xdi_server.address
    agent = xdi_agent(["-C", "localhost:%d" % port, "-s", "TESTA"], tmp_path)
    try:
        agent.wait_line(r"^xdi-agent: running:")
    finally:
        agent.stop()
    assert "login" in xdi_server.journal.events()


def test_agent_name_that_does_not_resolve():
    rc, out, err = run_agent(["--server", "%s:7012" % BAD, "--system", "TESTA",
                              "--retries", "0"])
    assert rc == 13, err
    assert "cannot resolve '%s'" % BAD in err, err


def test_agent_malformed_server_is_a_usage_error():
    rc, out, err = run_agent(["-C", "localhost", "-s", "TESTA"])
    assert rc == 2, err
    assert "xdi-agent: --server 'localhost': expected HOST:PORT" in err, err


def test_agent_old_short_server_option_is_explained():
    """-s was --server before it became --system (as in xdi-replay)."""
    rc, out, err = run_agent(["-s", "127.0.0.1:7012"])
    assert rc == 2, err
    assert "the server is -C (--server), -s is --system" in err, err
