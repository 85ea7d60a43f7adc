"""ControlClient: the HTTP/JSON control plane of xdi-server (docs/control.md)
from Python, standard library only.

    c = ControlClient("http://127.0.0.1:8080", token="demo-control-token")
    c.systems()                              # [{"name": "SYSA", ...}, ...]
    r = c.send_command("SYSA", "KILL JOKO", wait=5)
    r["answer"]                              # the agent's command event
    c.send_job("SYSA", "PAYROLL2")
    rec = c.wait_for("info", "SYSA", within=10, kind="EOJ")
    c.reset()                                # a clean slate

Every method returns the server's JSON answer (a dict) or the part of it
named after the method (systems() the list); an answer of 400 or more
raises ControlError with the status, the message id and the messages, a
server that cannot be reached raises ControlUnreachable, and a wait_for
that sees nothing in time raises WaitTimeout (an AssertionError, like the
harness's other waits).  xdi-ctl (tools/xdi-ctl) is a command line over
this class.

Credentials: a token (from `logon`, or the server's --control-token) is
sent as `Authorization: Bearer TOKEN`; a user and password without a
token are sent as Basic on every request, as z/OSMF clients do.

Journal positions: every record the control plane hands out has a
journal-wide sequence number, its field `jseq` (from 1), which is also the
`id:` of its Server-Sent Event; `next` of /xdi/journal is the last one
looked at.  `since=N` asks for the records after N (on the stream, N = 0
means from now on).  reset() and mark() remember where the journal was,
and wait_for() looks at the records from there on by default: what
happened since the test began, without racing the request that causes
it.
"""

import base64
import http.client
import json
import socket
import ssl
import time
import urllib.parse

DEFAULT_TIMEOUT = 10.0
# A request with "wait" is answered by the server after up to that many
# seconds: the socket waits that much longer.
WAIT_SLACK = 10.0
POLL = 0.02
RECONNECT_MIN = 0.1
RECONNECT_MAX = 5.0


class ControlError(Exception):
    """The server answered with a status of 400 or more."""

    def __init__(self, status, body, method, path, reason=""):
        self.status = status
        self.body = body if isinstance(body, dict) else {}
        self.method = method
        self.path = path
        self.msgid = self.body.get("msgid")
        msgs = self.body.get("message")
        if isinstance(msgs, str):
            msgs = [msgs]
        if not msgs:
            text = body if isinstance(body, str) else ""
            msgs = [text.strip().splitlines()[0]] if text.strip() else \
                [reason or "HTTP %d" % status]
        self.messages = [str(m) for m in msgs]
        super().__init__("%s %s: %d %s" % (method, path, status,
                                           "; ".join(self.messages)))


class ControlUnreachable(ConnectionError):
    """No answer at all: refused, unknown host, timed out, cut off."""


class WaitTimeout(AssertionError):
    """wait_for saw no matching record in time."""


def parse_url(url):
    """(scheme, host, port, base path) of http://HOST:PORT[/base]; a URL
    without a scheme is taken as http://.  ValueError when unusable."""
    if not url:
        raise ValueError("no server URL")
    if "://" not in url:
        url = "http://" + url
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError("server URL %r: the scheme must be http or https"
                         % url)
    try:
        port = parts.port
    except ValueError:
        raise ValueError("server URL %r: the port is not a number" % url)
    host = parts.hostname
    if not host:
        raise ValueError("server URL %r has no host" % url)
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    return parts.scheme, host, port, parts.path.rstrip("/")


def url_of(host, port, scheme="http"):
    """http://HOST:PORT, IPv6 addresses in brackets."""
    if ":" in host:
        host = "[%s]" % host
    return "%s://%s:%d" % (scheme, host, port)


def basic(user, password):
    raw = ("%s:%s" % (user, password)).encode("utf-8")
    return "Basic " + base64.b64encode(raw).decode("ascii")


def auth_token(header):
    """The token of an `Authentication-Info: auth="TOKEN"` header."""
    if not header:
        return None
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "auth":
            return value.strip().strip('"') or None
    return None


def _query(params):
    items = [(k, v) for k, v in params.items() if v is not None]
    return ("?" + urllib.parse.urlencode(items)) if items else ""


def _decode(data, content_type):
    text = data.decode("utf-8", "replace")
    if "json" in (content_type or "") or text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def record_matches(rec, kind=None, system=None, pred=None, fields=None):
    """A journal record of event type `kind` (one name, or a list of them),
    of host `system`, with every field equal, and pred(rec) true."""
    if not isinstance(rec, dict):
        return False
    if kind is not None:
        kinds = [kind] if isinstance(kind, str) else list(kind)
        if rec.get("event") not in kinds:
            return False
    if system is not None and rec.get("system") != system:
        return False
    for k, v in (fields or {}).items():
        if rec.get(k) != v:
            return False
    return pred is None or bool(pred(rec))


class SseEvent:
    """One Server-Sent Event: id (int when it is a number), event type
    (default "message"), data (text), and record, the data as JSON."""

    def __init__(self, id, event, data):
        self.id = id
        self.event = event
        self.data = data
        try:
            self.record = json.loads(data)
        except ValueError:
            self.record = None

    def __repr__(self):
        return "SseEvent(id=%r, event=%r, data=%r)" % (self.id, self.event,
                                                       self.data[:80])


def _sse_id(value):
    try:
        return int(value)
    except ValueError:
        return value


def read_sse(lines):
    """The events of a text/event-stream, from an iterator of its lines
    (bytes or str, with or without line ends): the WHATWG rules, with
    comment lines (`:`) and retry: skipped."""
    data, event, ident = [], None, None
    for raw in lines:
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) \
            else raw
        line = line.rstrip("\r\n")
        if not line:
            if data:
                yield SseEvent(ident, event or "message", "\n".join(data))
            data, event = [], None
            continue
        if line.startswith(":"):
            continue
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
        elif name == "id" and "\0" not in value:
            ident = _sse_id(value)
    # A stream cut in the middle of an event does not dispatch it.


class ControlClient:
    """A client of one server's control plane.

    url: http://HOST:PORT (the `control on` address).  token: a logon
    token or the server's --control-token.  user/password: Basic on every
    request when there is no token (logon() trades them for a token).
    timeout: seconds for a request without "wait"."""

    def __init__(self, url, token=None, user=None, password=None,
                 timeout=DEFAULT_TIMEOUT):
        self.url = url
        self.scheme, self.hostname, self.port, self.base = parse_url(url)
        self.token = token
        self.user = user
        self.password = password
        self.timeout = timeout
        self.session = None       # the logon's session number
        self._conn = None
        self._mark = 0            # wait_for's default `since`

    # ---- HTTP ------------------------------------------------------------

    def _connect(self, timeout):
        if self.scheme == "https":
            return http.client.HTTPSConnection(
                self.hostname, self.port, timeout=timeout,
                context=ssl.create_default_context())
        return http.client.HTTPConnection(self.hostname, self.port,
                                          timeout=timeout)

    def authorization(self):
        """The Authorization header this client sends, or None."""
        if self.token:
            return "Bearer " + self.token
        if self.user is not None and self.password is not None:
            return basic(self.user, self.password)
        return None

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def raw(self, method, path, body=None, headers=None, timeout=None,
            auth=True):
        """One request, whatever its answer: (status, headers as a dict of
        lower-case names, body bytes).  body: a dict/list (sent as JSON),
        bytes or str.  auth=False sends no Authorization (unless headers
        has one).  ControlUnreachable when there is no answer.  The
        connection is kept for the next request (HTTP/1.1 keep-alive)."""
        hdrs = {"Accept": "application/json"}
        if auth and self.authorization():
            hdrs["Authorization"] = self.authorization()
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            hdrs["Content-Type"] = "application/json"
        if isinstance(body, str):
            body = body.encode("utf-8")
        hdrs.update(headers or {})
        timeout = self.timeout if timeout is None else timeout
        target = self.base + path
        # A kept connection the server closed meanwhile fails at once:
        # one retry on a fresh one (every control request may be repeated
        # only where it was not received; a fresh connection is tried
        # only when the old one broke before an answer began).
        for attempt in (0, 1):
            fresh = self._conn is None
            if fresh:
                self._conn = self._connect(timeout)
            conn = self._conn
            try:
                conn.timeout = timeout
                if conn.sock is not None:
                    conn.sock.settimeout(timeout)
                conn.request(method, target, body=body, headers=hdrs)
                resp = conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError,
                    ConnectionResetError) as e:
                self.close()
                if fresh or attempt:
                    raise ControlUnreachable(
                        "%s %s: the server at %s closed the connection (%s)"
                        % (method, path, self.url, e)) from e
                continue
            except socket.timeout as e:
                self.close()
                raise ControlUnreachable(
                    "%s %s: no answer from %s within %.1f s"
                    % (method, path, self.url, timeout)) from e
            except (OSError, http.client.HTTPException) as e:
                self.close()
                raise ControlUnreachable("cannot reach %s: %s"
                                         % (self.url, e)) from e
            headers_out = {k.lower(): v for k, v in resp.getheaders()}
            if resp.will_close:
                self.close()
            return resp.status, headers_out, data
        raise AssertionError("unreachable")

    def request(self, method, path, body=None, query=None, timeout=None,
                auth=True):
        """The decoded answer (a dict for JSON) of a request that
        succeeded; ControlError for a status of 400 or more."""
        path = path + _query(query or {})
        status, headers, data = self.raw(method, path, body=body,
                                         timeout=timeout, auth=auth)
        decoded = _decode(data, headers.get("content-type"))
        if status >= 400:
            raise ControlError(status, decoded, method, path)
        self.last_headers = headers
        return decoded

    def _wait_timeout(self, wait):
        return self.timeout if not wait else float(wait) + WAIT_SLACK

    # ---- authentication ------------------------------------------------

    def logon(self, user=None, password=None, new_password=None):
        """POST /xdi/logon with Basic user:password[:new_password]; keeps
        and returns the token (then sent as Bearer)."""
        user = self.user if user is None else user
        password = self.password if password is None else password
        if user is None or password is None:
            raise ValueError("logon needs a user and a password")
        secret = password if new_password is None \
            else "%s:%s" % (password, new_password)
        status, headers, data = self.raw(
            "POST", "/xdi/logon", auth=False,
            headers={"Authorization": basic(user, secret)})
        decoded = _decode(data, headers.get("content-type"))
        if status >= 400:
            raise ControlError(status, decoded, "POST", "/xdi/logon")
        token = auth_token(headers.get("authentication-info"))
        if not token:
            raise ControlError(status, {"message": [
                "the logon answer has no Authentication-Info token"]},
                "POST", "/xdi/logon")
        self.token = token
        self.user = user
        self.password = new_password if new_password is not None \
            else password
        if isinstance(decoded, dict):
            self.session = decoded.get("session")
        self.logon_answer = decoded
        return token

    def logoff(self):
        """POST /xdi/logoff: the token is invalid afterwards."""
        answer = self.request("POST", "/xdi/logoff")
        self.token = None
        return answer

    # ---- systems and requests to agents --------------------------------

    def systems(self):
        """Every host of the fixture set (list of SYSTEM objects)."""
        return self.request("GET", "/xdi/systems")["systems"]

    def system(self, name):
        return self.request("GET", "/xdi/systems/%s" % _seg(name))["system"]

    def _to_agent(self, system, what, body, wait):
        if wait is not None:
            body["wait"] = wait
        return self.request("POST", "/xdi/systems/%s/%s" % (_seg(system),
                                                            what),
                            body=body, timeout=self._wait_timeout(wait))

    def send_command(self, system, command, wait=None):
        """Exec command to the system's agent; with wait (seconds), the
        answer's "answer" is the agent's reply (its command event or agent
        error), or None with "timed_out" true."""
        return self._to_agent(system, "commands", {"command": command}, wait)

    def send_job(self, system, job, wait=None):
        """Exec job; answer: {"job": JOB, "answer": ...}."""
        return self._to_agent(system, "jobs", {"job": job}, wait)

    def replace(self, system, table, entries=None):
        """Replace EMS/SCD: the current table again, or `entries` (a list
        of events or jobs in the fixture format)."""
        body = {"table": table}
        if entries is not None:
            body["entries"] = entries
        return self._to_agent(system, "replace", body, None)

    def shutdown(self, system, wait=None):
        return self._to_agent(system, "shutdown", {}, wait)

    # ---- the job registry ------------------------------------------------

    def jobs(self, system=None, prefix=None, status=None, limit=None):
        """Jobs newest first (list of JOB objects)."""
        return self.request("GET", "/xdi/jobs", query={
            "system": system, "prefix": prefix, "status": status,
            "limit": limit})["jobs"]

    def job(self, system, jobid):
        return self.request("GET", "/xdi/jobs/%s/%s"
                            % (_seg(system), _seg(jobid)))["job"]

    def rerun(self, system, jobid, wait=None):
        body = {} if wait is None else {"wait": wait}
        return self.request("POST", "/xdi/jobs/%s/%s/rerun"
                            % (_seg(system), _seg(jobid)), body=body,
                            timeout=self._wait_timeout(wait))

    def purge(self, system, jobid):
        return self.request("DELETE", "/xdi/jobs/%s/%s"
                            % (_seg(system), _seg(jobid)))

    # ---- the host --------------------------------------------------------

    def host(self):
        return self.request("GET", "/xdi/host")["host"]

    def down(self):
        return self.request("POST", "/xdi/host/down", body={})["host"]

    def up(self):
        return self.request("POST", "/xdi/host/up", body={})["host"]

    def reload(self):
        return self.request("POST", "/xdi/host/reload", body={})

    def reset(self, rotate_journal=False):
        """Close every session, drop held triggers, clear the job
        registry; wait_for() then looks only at what comes after."""
        body = {"rotate_journal": True} if rotate_journal else {}
        answer = self.request("POST", "/xdi/host/reset", body=body)
        host = answer.get("host") if isinstance(answer, dict) else None
        if isinstance(host, dict) and isinstance(host.get("jseq"), int):
            self._mark = host["jseq"]
        else:
            self.mark()
        return answer

    def clean(self):
        """The clean slate a test starts from: reset(), then XDI up again
        if a test took it down, and the fixtures' tables back (a reload)
        if a table given to replace() is still in force.  wait_for() then
        looks only at what comes after.  Returns the host object."""
        host = self.reset().get("host") or {}
        if host.get("down"):
            host = self.up()
        if any(isinstance(t, dict) and t.get("given")
               for s in self.systems()
               for t in (s.get("tables") or {}).values()):
            host = self.reload().get("host") or host
        self.mark()
        return host

    # ---- the journal -----------------------------------------------------

    def journal_page(self, since=None, system=None, kind=None, limit=None):
        """(records, next) of GET /xdi/journal."""
        answer = self.request("GET", "/xdi/journal", query={
            "since": since, "system": system, "kind": _kinds(kind),
            "limit": limit})
        return answer.get("records", []), answer.get("next")

    def journal(self, since=None, system=None, kind=None, limit=None):
        """The records of GET /xdi/journal (since: after that seq)."""
        return self.journal_page(since, system, kind, limit)[0]

    def position(self):
        """The jseq of the newest journal record the server holds (0 when
        none): the host object's "jseq", else the "next" of the whole
        history."""
        host = self.host()
        if isinstance(host.get("jseq"), int):
            return host["jseq"]
        records, nxt = self.journal_page()
        if nxt is None:
            raise ControlError(200, {"message": [
                "GET /xdi/journal gave no \"next\""]}, "GET", "/xdi/journal")
        return nxt

    def mark(self):
        """Remember where the journal is now: wait_for() looks at the
        records after it unless told otherwise.  Returns the seq."""
        self._mark = self.position()
        return self._mark

    def stream(self, system=None, kind=None, since=None, timeout=None,
               reconnect=True):
        """The live journal (GET /xdi/journal/stream) as SseEvents, for
        ever: on a broken connection it connects again with Last-Event-ID
        (the last id seen), so nothing is missed or repeated.  timeout: for
        each read (socket.timeout propagates); None blocks."""
        last = since
        delay = RECONNECT_MIN
        while True:
            try:
                for ev in self._stream_once(system, kind, last, timeout):
                    delay = RECONNECT_MIN
                    if ev.id is not None:
                        last = ev.id
                    yield ev
                broke = ControlUnreachable("the stream ended")
            except socket.timeout:
                raise
            except (OSError, http.client.HTTPException) as e:
                broke = e
            if not reconnect:
                if isinstance(broke, ControlUnreachable):
                    return
                raise ControlUnreachable("journal stream: %s" % broke)
            time.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX)

    def _stream_once(self, system, kind, since, timeout):
        conn = self._connect(self.timeout if timeout is None else timeout)
        try:
            hdrs = {"Accept": "text/event-stream"}
            if self.authorization():
                hdrs["Authorization"] = self.authorization()
            if since is not None:
                hdrs["Last-Event-ID"] = str(since)
            path = "/xdi/journal/stream" + _query({
                "system": system, "kind": _kinds(kind), "since": since})
            try:
                conn.request("GET", self.base + path, headers=hdrs)
                resp = conn.getresponse()
            except socket.timeout:
                raise ControlUnreachable("GET %s: no answer within %.1f s"
                                         % (path, self.timeout))
            except (OSError, http.client.HTTPException) as e:
                raise ControlUnreachable("cannot reach %s: %s"
                                         % (self.url, e)) from e
            if resp.status >= 400:
                raise ControlError(resp.status,
                                   _decode(resp.read(),
                                           resp.getheader("content-type")),
                                   "GET", path)
            conn.sock.settimeout(timeout)
            self._stream_conn = conn
            yield from read_sse(iter(resp.readline, b""))
        finally:
            conn.close()

    def wait_for(self, event=None, system=None, within=10.0, since=None,
                 pred=None, via="stream", **fields):
        """The first journal record after `since` (default: the mark of
        the last reset() or mark()) of record type `event` (its "event":
        "info", "agent_error", ...; a name or a list), of host `system`,
        with every field=value given (kind="CMD" is the info record's
        field) and pred(rec) true.  via: "stream" (the SSE stream, no
        polling) or "poll" (GET /xdi/journal?since=).  WaitTimeout when
        none comes within `within` seconds."""
        kind = event
        since = self._mark if since is None else since
        deadline = time.monotonic() + within
        seen = []
        try:
            if via == "poll":
                rec = self._wait_poll(kind, system, since, pred, fields,
                                      deadline, seen)
            else:
                rec = self._wait_stream(kind, system, since, pred, fields,
                                        deadline, seen)
        except socket.timeout:
            rec = None
        if rec is not None:
            return rec
        raise WaitTimeout(
            "no journal record event=%s system=%s%s%s after jseq %s within "
            "%.1f s (via %s); the last ones seen:\n  %s"
            % (kind, system, "".join(" %s=%r" % kv for kv in fields.items()),
               " and a predicate" if pred else "", since, within, via,
               "\n  ".join(json.dumps(r)[:300] for r in seen[-10:])
               or "(none)"))

    def _wait_stream(self, kind, system, since, pred, fields, deadline,
                     seen):
        # What is already held first (one request), then the stream from
        # there on: the stream replays only after a jseq > 0, so on a
        # journal still empty this polls instead.
        records, nxt = self.journal_page(since=since, system=system,
                                         kind=kind)
        for rec in records:
            seen.append(rec)
            if record_matches(rec, kind, system, pred, fields):
                return rec
        since = since if nxt is None else max(nxt, since)
        if since <= 0:
            return self._wait_poll(kind, system, since, pred, fields,
                                   deadline, seen)
        gen = self._stream_once(system, kind, since,
                                max(deadline - time.monotonic(), 0.001))
        try:
            for ev in gen:
                rec = ev.record
                seen.append(rec)
                if record_matches(rec, kind, system, pred, fields):
                    return rec
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._stream_conn.sock.settimeout(remaining)
        finally:
            gen.close()
        return None

    def _wait_poll(self, kind, system, since, pred, fields, deadline, seen):
        cursor = since
        while True:
            records, nxt = self.journal_page(since=cursor, system=system,
                                             kind=kind)
            for rec in records:
                seen.append(rec)
                if record_matches(rec, kind, system, pred, fields):
                    return rec
            if nxt is not None:
                cursor = nxt
            if time.monotonic() >= deadline:
                return None
            time.sleep(POLL)

    # ---- metrics ---------------------------------------------------------

    def metrics(self):
        """GET /xdi/metrics: the Prometheus text."""
        status, headers, data = self.raw("GET", "/xdi/metrics",
                                         headers={"Accept": "text/plain"})
        if status >= 400:
            raise ControlError(status, _decode(data,
                                               headers.get("content-type")),
                               "GET", "/xdi/metrics")
        return data.decode("utf-8", "replace")


def parse_metrics(text):
    """Prometheus text -> {'name{labels}': value}, comments left out."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        try:
            number = float(value)
        except ValueError:
            continue
        out[name] = int(number) if number.is_integer() else number
    return out


def _seg(value):
    """One path segment, percent-encoded."""
    return urllib.parse.quote(str(value), safe="")


def _kinds(kind):
    if kind is None or isinstance(kind, str):
        return kind
    return ",".join(kind)
