"""The control plane's HTTP server (xdi-server --control): logon and
tokens, the limits (413, the request timeout, persistent connections), the
journal stream with Last-Event-ID, 409 without an agent, and an exec
command answered by the real xdi-agent through "wait".

Every server runs on kernel-chosen ports; readiness is its `control on`
line, a wait is for a journal record, a log line of the agent or the close
of a socket, each with a deadline: nothing sleeps.
"""

import base64
import http.client
import json
import os
import queue
import re
import socket
import stat
import subprocess
import time

import pytest

from agent_proc import server_arg
from agent_proc import xdi_agent as agent_process
from xdi.agent import ipv6_loopback
from xdi.server import server_binary

TOKEN = "ci-token-0123456789abcdef"
WITHIN = 10.0


# ---- helpers -------------------------------------------------------------------


def control_address(srv, within=WITHIN):
    """(host, port) of the server's `control on ADDR:PORT` line (printed
    after the `listening on` lines)."""
    known = getattr(srv, "control_address", None)
    if known:
        return known
    rx = re.compile(r"^control on (\[(?P<v6>[^\]]+)\]|(?P<v4>[^:]+)):(?P<port>\d+)$")
    for line in srv.stdout_lines():
        m = rx.match(line)
        if m:
            return (m.group("v6") or m.group("v4"), int(m.group("port")))
    deadline = time.monotonic() + within
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError("no 'control on' line\n" + srv.diagnostics())
        try:
            line = srv._lines.get(timeout=remaining)
        except queue.Empty:
            continue
        if line is None:
            raise AssertionError("xdi-server exited\n" + srv.diagnostics())
        srv._stdout_tail.append(line)
        m = rx.match(line)
        if m:
            return (m.group("v6") or m.group("v4"), int(m.group("port")))


def start(factory, *extra, control="127.0.0.1:0", token=TOKEN, **kw):
    args = ["--control", control]
    if token:
        args += ["--control-token", token]
    srv = factory(args=args + list(extra), **kw)
    srv.http_address = control_address(srv)
    return srv


def connect(srv, timeout=WITHIN):
    host, port = srv.http_address
    return http.client.HTTPConnection(host, port, timeout=timeout)


def basic(user, password):
    raw = ("%s:%s" % (user, password)).encode()
    return "Basic " + base64.b64encode(raw).decode()


def call(conn, method, path, body=None, auth=None, headers=None):
    """One request on conn: (status, headers dict (lower-case), decoded
    JSON or raw bytes)."""
    h = dict(headers or {})
    if auth:
        h["Authorization"] = auth
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    raw = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    if hdrs.get("content-type", "").startswith("application/json"):
        return r.status, hdrs, json.loads(raw)
    return r.status, hdrs, raw


def logon(srv, user="xdi", password=TOKEN):
    conn = connect(srv)
    status, hdrs, body = call(conn, "POST", "/xdi/logon",
                              auth=basic(user, password))
    assert status == 200, body
    m = re.fullmatch(r'auth="([A-Za-z0-9_\-]{32,})"',
                     hdrs.get("authentication-info", ""))
    assert m, hdrs
    return conn, m.group(1)


def bearer(token):
    return "Bearer " + token


# ---- authentication -------------------------------------------------------------


def test_logon_token_then_systems(xdi_server_factory):
    srv = start(xdi_server_factory)
    conn, tok = logon(srv)
    status, _, body = call(conn, "GET", "/xdi/systems", auth=bearer(tok))
    assert status == 200 and body["rc"] == 200
    names = [s["name"] for s in body["systems"]]
    assert "TESTA" in names and "TESTN" in names
    # Without credentials: 401, never the data.
    status, hdrs, body = call(conn, "GET", "/xdi/systems")
    assert status == 401 and "systems" not in body
    assert hdrs.get("www-authenticate", "").startswith("Basic")


def test_wrong_password_is_401_and_journalled(xdi_server_factory):
    srv = start(xdi_server_factory)
    conn = connect(srv)
    status, hdrs, body = call(conn, "POST", "/xdi/logon",
                              auth=basic("xdi", "not-the-token"))
    assert status == 401
    assert body["rc"] == 401 and body["msgid"].startswith("XDIC")
    assert "authentication-info" not in hdrs
    rec = srv.journal.wait_for(event="control_auth_failed")[0]
    assert rec["user"] == "xdi" and rec["client"] == "127.0.0.1"


def test_generated_token_file(xdi_server_factory, tmp_path):
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    srv = start(xdi_server_factory, token=None,
                env={"XDG_RUNTIME_DIR": str(run)})
    path = run / "xdi-emu" / "control-token"
    assert "control token in %s" % path in srv.stdout_lines()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    token = path.read_text().strip()
    assert len(token) >= 32
    conn, _ = logon(srv, password=token)


def test_generated_token_in_the_given_file(xdi_server_factory, tmp_path):
    path = tmp_path / "my-token"
    path.write_text("an old token\n")
    path.chmod(0o644)
    srv = start(xdi_server_factory, "--control-token-file", str(path),
                token=None)
    assert "control token in %s" % path in srv.stdout_lines()
    # Rewritten, and no longer readable by others.
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    logon(srv, password=path.read_text().strip())


def test_users_file_with_passwd_hash(xdi_server_factory, tmp_path):
    digest = passwd_hash("s3cret pass")
    assert digest.startswith("$6$") and len(digest) > 60
    users = tmp_path / "users"
    users.write_text("# control users\nalice:%s:TESTA\n" % digest)
    srv = start(xdi_server_factory, "--control-users", str(users), token=None)
    conn, tok = logon(srv, "alice", "s3cret pass")
    status, _, _ = call(conn, "GET", "/xdi/systems",
                        auth=basic("alice", "wrong"))
    assert status == 401


def passwd_hash(password):
    p = subprocess.run([str(server_binary()), "--control-passwd"],
                       input=password.encode() + b"\n", capture_output=True,
                       timeout=WITHIN)
    assert p.returncode == 0, p.stderr
    return p.stdout.decode().strip()


def test_bad_users_file_exit_2_names_the_line(xdi_server_factory, tmp_path):
    users = tmp_path / "users"
    users.write_text("alice:%s\nthis line has no hash\n" % passwd_hash("pw"))
    srv = xdi_server_factory(args=["--control", "127.0.0.1:0",
                                   "--control-users", str(users)], wait=False)
    assert srv.wait() == 2
    assert "%s:2:" % users in srv.stderr()


# ---- limits ----------------------------------------------------------------------


def test_body_too_large_is_413(xdi_server_factory):
    srv = start(xdi_server_factory, "--control-max-body", "1K")
    conn = connect(srv)
    status, hdrs, body = call(conn, "POST", "/xdi/logon", body=b"x" * 2048,
                              auth=basic("xdi", TOKEN))
    # Refused before any handler runs, in the API's shape all the same.
    assert status == 413
    assert body["rc"] == 413 and body["msgid"] == "XDIC016E"
    assert "1024 bytes" in body["message"][0]
    # Just within the limit is fine (the logon ignores the body).
    conn = connect(srv)
    status, _, _ = call(conn, "POST", "/xdi/logon", body=b"{}" + b" " * 1000,
                        auth=basic("xdi", TOKEN))
    assert status == 200


def test_slow_client_cut_off_while_naccb_is_served(xdi_server_factory,
                                                   xdi_agent):
    srv = start(xdi_server_factory, "--control-timeout", "0.5")
    slow = socket.create_connection(srv.http_address, timeout=WITHIN)
    began = time.monotonic()
    slow.sendall(b"GET /xdi/systems HTTP/1.1\r\nHost: x\r\nAuthor")
    # While it dawdles, an agent logs in and is answered at once.
    agent = xdi_agent(server=srv)
    agent.login("TESTA")
    # The server closes the connection, without an answer, after the
    # request timeout (recv returns end-of-stream; a timeout here fails).
    assert slow.recv(100) == b""
    assert time.monotonic() - began >= 0.45
    slow.close()
    # The control plane still answers other clients.
    conn, _ = logon(srv)


def test_persistent_connection_100_requests(xdi_server_factory):
    srv = start(xdi_server_factory)
    conn, tok = logon(srv)
    sock = conn.sock
    for i in range(100):
        status, hdrs, body = call(conn, "GET", "/xdi/systems",
                                  auth=bearer(tok))
        assert status == 200
        # http.client reconnects silently when the server closed: the
        # socket object would change.
        assert conn.sock is sock, "reconnected at request %d" % i


# ---- the journal stream ------------------------------------------------------------


class Events:
    """A Server-Sent Events reader on an open response."""

    def __init__(self, resp):
        self.resp = resp

    def next(self):
        ev = {}
        data = []
        while True:
            line = self.resp.readline()
            if not line:
                raise AssertionError("stream ended")
            line = line.decode().rstrip("\r\n")
            if line == "":
                if data or "id" in ev:
                    ev["data"] = "\n".join(data)
                    return ev
                continue
            if line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                data.append(value)
            else:
                ev[field] = value

    def next_record(self, event):
        while True:
            ev = self.next()
            rec = json.loads(ev["data"])
            if rec.get("event") == event:
                return int(ev["id"]), rec


def open_stream(srv, tok, last_id=None, query=""):
    conn = connect(srv)
    h = {"Authorization": bearer(tok), "Accept": "text/event-stream"}
    if last_id is not None:
        h["Last-Event-ID"] = str(last_id)
    conn.request("GET", "/xdi/journal/stream" + query, headers=h)
    r = conn.getresponse()
    assert r.status == 200
    assert r.getheader("Content-Type").startswith("text/event-stream")
    return conn, Events(r)


def test_stream_live_and_resume(xdi_server_factory, xdi_agent):
    srv = start(xdi_server_factory)
    _, tok = logon(srv)
    conn, events = open_stream(srv, tok)
    a = xdi_agent(server=srv)
    a.login("TESTA")
    first_id, rec = events.next_record("login")
    assert rec["system"] == "TESTA"
    conn.close()
    # Missed while disconnected: a second agent's login.
    b = xdi_agent(server=srv)
    b.login("TESTE")
    srv.journal.wait_for(event="login", system="TESTE")
    conn, events = open_stream(srv, tok, last_id=first_id)
    ev_id, rec = events.next_record("login")
    assert ev_id > first_id and rec["system"] == "TESTE"
    conn.close()


# ---- requests to agents ------------------------------------------------------------


def test_command_without_agent_is_409(xdi_server_factory):
    srv = start(xdi_server_factory)
    conn, tok = logon(srv)
    status, _, body = call(conn, "POST", "/xdi/systems/TESTA/commands",
                           body={"command": "D A,L"}, auth=bearer(tok))
    assert status == 409 and body["rc"] == 409
    assert body["msgid"].startswith("XDIC")
    status, _, body = call(conn, "POST", "/xdi/systems/NOSUCH/commands",
                           body={"command": "D A,L"}, auth=bearer(tok))
    assert status == 404


def test_command_wait_gets_the_agents_answer(xdi_server_factory, tmp_path):
    srv = start(xdi_server_factory)
    agent = agent_process(["--server", server_arg(srv.address), "--system",
                           "TESTA", "--backoff", "20"], tmp_path / "agent")
    try:
        agent.wait_line(r"running: ")
        conn, tok = logon(srv)
        # TESTA's EMS table has the command event KILL (VL 4), so the
        # agent reports the command back as a command event.
        status, _, body = call(conn, "POST", "/xdi/systems/TESTA/commands",
                               body={"command": "KILL JOKO", "wait": 8},
                               auth=bearer(tok))
        assert status == 200, body
        assert body["sent"]["key"] == "01020104"
        answer = body["answer"]
        assert answer is not None and not body.get("timed_out"), body
        assert answer["event"] == "info" and "KILL JOKO" in json.dumps(answer)
        rec = srv.journal.wait_for(event="control")[0]
        assert rec["user"] == "xdi"
    finally:
        agent.kill()


def test_wait_times_out_on_the_timer(xdi_server_factory, xdi_agent):
    """An agent that never answers: the wait ends when its time is up
    (the layer's timer calls the core), not at the client's timeout."""
    srv = start(xdi_server_factory)
    a = xdi_agent(server=srv)
    a.login("TESTA")
    conn, tok = logon(srv)
    began = time.monotonic()
    status, _, body = call(conn, "POST", "/xdi/systems/TESTA/commands",
                           body={"command": "D T", "wait": 0.5},
                           auth=bearer(tok))
    took = time.monotonic() - began
    assert status == 200 and body["answer"] is None and body["timed_out"]
    assert 0.45 <= took < WITHIN


def test_waiting_client_that_leaves_is_forgotten(xdi_server_factory,
                                                 xdi_agent):
    """A client that gives up on a long wait: the server notices the
    closed socket and stops waiting for it (it keeps serving)."""
    srv = start(xdi_server_factory)
    a = xdi_agent(server=srv)
    a.login("TESTA")
    _, tok = logon(srv)
    s = socket.create_connection(srv.http_address, timeout=WITHIN)
    body = json.dumps({"command": "D T", "wait": 60}).encode()
    s.sendall(b"POST /xdi/systems/TESTA/commands HTTP/1.1\r\nHost: x\r\n"
              b"Authorization: Bearer " + tok.encode() + b"\r\n"
              b"Content-Type: application/json\r\nContent-Length: " +
              str(len(body)).encode() + b"\r\n\r\n" + body)
    srv.journal.wait_for(event="control")
    s.close()
    conn, tok2 = logon(srv)
    status, _, _ = call(conn, "GET", "/xdi/systems", auth=bearer(tok2))
    assert status == 200


# ---- files -------------------------------------------------------------------------


def test_dashboard_and_openapi_files(xdi_server_factory, tmp_path,
                                     source_dir):
    www = tmp_path / "www"
    www.mkdir()
    (www / "index.html").write_text("<!DOCTYPE html><title>t</title>dash\n")
    srv = start(xdi_server_factory, "--control-www", str(www))
    conn = connect(srv)
    status, hdrs, body = call(conn, "GET", "/")
    assert status == 200 and body.endswith(b"dash\n")
    assert hdrs["content-type"].startswith("text/html")
    status, hdrs, body = call(conn, "GET", "/")
    assert status == 200 and body.endswith(b"dash\n")
    # Run from the build tree, the API description is the source tree's.
    spec = source_dir / "server" / "control" / "openapi.json"
    status, hdrs, body = call(conn, "GET", "/xdi/openapi.json")
    if spec.exists():
        assert status == 200 and body == json.loads(spec.read_text())
    else:
        assert status == 404


# ---- IPv6 --------------------------------------------------------------------------


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback here")
def test_ipv6_control(xdi_server_factory):
    srv = start(xdi_server_factory, control="[::1]:0")
    assert srv.http_address[0] == "::1"
    conn, tok = logon(srv)
    status, _, body = call(conn, "GET", "/xdi/systems", auth=bearer(tok))
    assert status == 200


# ---- the application's side: journal, reload ---------------------------------------


def test_reset_rotates_the_journal(xdi_server_factory, xdi_agent):
    srv = start(xdi_server_factory)
    a = xdi_agent(server=srv)
    a.login("TESTA")
    srv.journal.wait_for(event="login")
    conn, tok = logon(srv)
    status, _, body = call(conn, "POST", "/xdi/host/reset",
                           body={"rotate_journal": True}, auth=bearer(tok))
    assert status == 200, body
    old = srv.journal_path.with_name(srv.journal_path.name + ".1")
    old_text = old.read_text()
    # The old file ends with the reset's own record; the new one goes on.
    assert '"event":"login"' in old_text
    assert json.loads(old_text.splitlines()[-1])["action"] == "reset"
    b = xdi_agent(server=srv)
    b.login("TESTE")
    rec = srv.journal.wait_for(event="login")[0]
    assert rec["system"] == "TESTE"
    new = [json.loads(l) for l in srv.journal_path.read_text().splitlines()]
    assert not [r for r in new if r["event"] == "login"
                and r["system"] == "TESTA"]


def test_reset_rotation_refused_without_a_journal_file(xdi_server_factory):
    srv = start(xdi_server_factory, "--journal", "-")
    conn, tok = logon(srv)
    status, _, body = call(conn, "POST", "/xdi/host/reset",
                           body={"rotate_journal": True}, auth=bearer(tok))
    assert status >= 400 and "journal" in " ".join(body["message"])


def test_journal_none_still_feeds_the_control_plane(xdi_server_factory,
                                                    xdi_agent):
    srv = start(xdi_server_factory, "--journal", "none")
    conn, tok = logon(srv)
    a = xdi_agent(server=srv)
    a.login("TESTA")
    deadline = time.monotonic() + WITHIN
    while True:
        status, _, body = call(conn, "GET", "/xdi/journal?kind=login",
                               auth=bearer(tok))
        assert status == 200
        if body["records"]:
            break
        assert time.monotonic() < deadline, body
        # Polling the API (no sleep): each request is a round trip.
    assert body["records"][0]["system"] == "TESTA"
    assert not srv.journal_path.exists()


def test_reload_through_the_control_plane(xdi_server_factory, tmp_path,
                                          source_dir):
    import shutil
    fx = tmp_path / "fixtures"
    shutil.copytree(source_dir / "fixtures" / "test", fx)
    srv = start(xdi_server_factory, "--no-watch", fixtures=fx)
    conn, tok = logon(srv)
    status, _, body = call(conn, "POST", "/xdi/host/reload", auth=bearer(tok))
    assert status == 200, body
    rec = srv.journal.wait_for(event="reload")[0]
    assert rec["cause"] == "control"
    (fx / "hosts.yaml").write_text("hosts: [oops\n")
    status, _, body = call(conn, "POST", "/xdi/host/reload", auth=bearer(tok))
    assert status == 400
    assert "hosts.yaml" in " ".join(body["message"])


def test_slow_stream_reader_is_dropped(xdi_server_factory):
    """A stream client that does not read: once its queue (here 16K) and
    the socket buffers are full the server drops it, and every other
    request goes on being answered meanwhile."""
    srv = start(xdi_server_factory, "--control-stream-buffer", "16K")
    conn, tok = logon(srv)
    lazy = lazy_stream(srv, tok)
    # Every POST /xdi/host/up is a journal record for the stream: about
    # 200 bytes each, far more than 16K + the kernel's buffers in all.
    for i in range(5000):
        status, _, _ = call(conn, "POST", "/xdi/host/up", auth=bearer(tok))
        assert status == 200
    # Whatever reached the lazy client's socket, it ends: the server cut it
    # off (a reset or the end of the stream), not a timeout of ours.
    received = 0
    try:
        while True:
            chunk = lazy.recv(65536)
            if not chunk:
                break
            received += len(chunk)
    except ConnectionResetError:
        pass
    lazy.close()
    assert received < 5000 * 150


def lazy_stream(srv, tok):
    """A journal stream whose client never reads past the head."""
    lazy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lazy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    lazy.settimeout(WITHIN)
    lazy.connect(srv.http_address)
    lazy.sendall(b"GET /xdi/journal/stream HTTP/1.1\r\nHost: x\r\n"
                 b"Authorization: Bearer " + tok.encode() + b"\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = lazy.recv(1)
        assert chunk, "stream closed before its head"
        head += chunk
    assert head.startswith(b"HTTP/1.1 200")
    return lazy


def test_stop_does_not_wait_for_a_stuck_stream(xdi_server_factory):
    """SIGTERM while a stream client has stopped reading (its output stuck
    in the socket, within the queue's bound): the server still exits 0."""
    srv = start(xdi_server_factory)
    conn, tok = logon(srv)
    lazy = lazy_stream(srv, tok)
    for i in range(3500):
        status, _, _ = call(conn, "POST", "/xdi/host/up", auth=bearer(tok))
        assert status == 200
    began = time.monotonic()
    assert srv.stop() == 0
    assert time.monotonic() - began < 5
    lazy.close()


def test_control_options_without_control_or_bad_www_exit_2(xdi_server_factory,
                                                          tmp_path):
    srv = xdi_server_factory(args=["--control-token", TOKEN], wait=False)
    assert srv.wait() == 2
    assert "need --control" in srv.stderr()
    srv = xdi_server_factory(args=["--control", "127.0.0.1:0",
                                   "--control-token", TOKEN,
                                   "--control-token-file",
                                   str(tmp_path / "t")], wait=False)
    assert srv.wait() == 2
    assert not (tmp_path / "t").exists()
    srv = xdi_server_factory(args=["--control", "127.0.0.1:0",
                                   "--control-token", TOKEN, "--control-www",
                                   str(tmp_path / "nosuch")], wait=False)
    assert srv.wait() == 2
    assert "--control-www %s: not a directory" % (tmp_path / "nosuch") \
        in srv.stderr()
