"""xdi-journal: a journal turns back into the NACCBs of its connections.

A real session (the reference xdi-agent against xdi-server --capture, the
KILL JOKO loop of LOOPA: login, both tables, an info message, the exec
command it fires, the info command the agent reports, logout; then a
second session of LOOPA that is sent the same tables) is journalled; the
journal alone, through `xdi-journal stream`, gives every byte each side
sent, equal to the capture's TCP payload (read with scapy, not with the
code under test).  `xdi-journal conversations` gives the lines of
`xdi-replay extract` of the same capture, which `naccb encode` and
`xdi-replay agent` read.  A NACCB cut by --journal-max-raw is named, never
made up.
"""

import json
import os
import pathlib
import subprocess

import pytest

from e2e import E2E, Agents, append_line

scapy = pytest.importorskip("scapy.all")
from scapy.all import IP, IPv6, TCP, rdpcap  # noqa: E402

WITHIN = 20.0


def tool(*parts):
    return str(pathlib.Path(os.environ["XDI_BUILD_DIR"]).joinpath(*parts))


JOURNAL = tool("tools", "xdi-journal", "xdi-journal")
NACCB = tool("tools", "naccb", "naccb")
REPLAY = tool("tools", "xdi-replay", "xdi-replay")


def run(*cmd, data=None):
    return subprocess.run([str(c) for c in cmd], input=data,
                          capture_output=True, timeout=WITHIN)


def addr(host, port):
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


def payloads(path):
    """Each direction's TCP payload, by ("src", "dst")."""
    out = {}
    for pkt in rdpcap(str(path)):
        ip = pkt[IP] if IP in pkt else pkt[IPv6]
        t = pkt[TCP]
        key = (addr(ip.src, t.sport), addr(ip.dst, t.dport))
        out[key] = out.get(key, b"") + bytes(t.payload)
    return out


# With --journal-max-raw 37 every NACCB of the session is still whole in
# the journal: logins, acquires and logouts are 36 bytes, and an info
# NACCB is rebuilt from its header and the objects of its info records.
@pytest.fixture(params=[[], ["--journal-max-raw", "37"]],
                ids=["default", "max-raw-37"])
def session(request, tmp_path, xdi_server_factory):
    cap = tmp_path / "server.pcap"
    srv = xdi_server_factory(fixtures=E2E,
                             args=["--capture", str(cap), *request.param])
    log = tmp_path / "console.log"
    log.write_text("")
    pool = Agents(tmp_path)
    try:
        a = pool.start("loopa", srv, "LOOPA", ["--follow", log])
        a.wait_line(r"running: EMS ready")
        append_line(log, "KILL JOKO")
        srv.journal.wait_for(event="info", kind="CMD")
        assert Agents.stop(a) == 0
        srv.journal.wait_for(event="disconnect", conn=1)
        b = pool.start("loopa2", srv, "LOOPA")
        b.wait_line(r"running: EMS ready")
        assert Agents.stop(b) == 0
        srv.journal.wait_for(event="disconnect", conn=2)
    finally:
        pool.close()
    srv.stop()
    return cap, srv


def peers(srv):
    out = {}
    for r in srv.journal.records():
        if "conn" in r:
            out.setdefault(r["conn"], r["peer"])
    return out


def test_stream_gives_every_byte_of_each_side(session):
    cap, srv = session
    sent = payloads(cap)
    server = addr(*srv.address)
    by_conn = peers(srv)
    assert sorted(by_conn) == [1, 2]
    for conn, peer in by_conn.items():
        for frm, key in (("agent", (peer, server)),
                         ("host", (server, peer))):
            p = run(JOURNAL, "stream", srv.journal_path, "--conn", conn,
                    "--from", frm)
            assert p.returncode == 0, p.stderr.decode()
            assert p.stdout == sent[key], (conn, frm)
    # The whole journal, both sides, is one stream naccb decode reads.
    p = run(JOURNAL, "stream", srv.journal_path)
    assert p.returncode == 0, p.stderr.decode()
    d = run(NACCB, "decode", data=p.stdout)
    assert d.returncode == 0, d.stderr.decode()
    names = [json.loads(x)["key_name"] for x in d.stdout.decode().split("\n")
             if x]
    for want in ("login", "accept", "receive EMS", "receive SCD",
                 "exec command", "logout"):
        assert want in names, names


def test_a_table_is_written_once_and_referenced(session):
    _, srv = session
    tables = [r for r in srv.journal.records() if "table_fnv1a64" in r]
    # EMS and SCD, each to both connections.
    assert len(tables) == 4, tables
    whole = [r for r in tables if "table_objects" in r]
    assert sorted(r["conn"] for r in whole) == [1, 1]
    assert len({r["table_fnv1a64"] for r in tables}) == 2
    for r in whole:
        assert len(r["table_objects"]) == 2 * r["body_len"]


def test_conversations_are_those_of_replay_extract(session, tmp_path):
    cap, srv = session
    ex = run(REPLAY, "extract", cap)
    assert ex.returncode == 0, ex.stderr.decode()
    want = [json.loads(x) for x in ex.stdout.decode().splitlines() if x]
    p = run(JOURNAL, "conversations", srv.journal_path, "--server",
            addr(*srv.address))
    assert p.returncode == 0, p.stderr.decode()
    got = [json.loads(x) for x in p.stdout.decode().splitlines() if x]

    def key(x):  # time: the journal's clock, not the capture's
        return {k: v for k, v in x.items() if k != "time"}

    # Within a conversation the two sides interleave by when each was
    # journalled or captured; each side's order is the wire's.
    for conv in (1, 2):
        for frm in ("agent", "host"):
            g = [key(x) for x in got
                 if x["conversation"] == conv and x["from"] == frm]
            w = [key(x) for x in want
                 if x["conversation"] == conv and x["from"] == frm]
            assert g == w, (conv, frm)
    times = [x["time"] for x in got if x["conversation"] == 1]
    assert times == sorted(times)
    # naccb encode takes them back to the agent's bytes ...
    agent1 = "".join(json.dumps(x) + "\n" for x in got
                     if x["conversation"] == 1 and x["from"] == "agent")
    e = run(NACCB, "encode", data=agent1.encode())
    assert e.returncode == 0, e.stderr.decode()
    sent = payloads(cap)
    peer = peers(srv)[1]
    assert e.stdout == sent[(peer, addr(*srv.address))]


def test_replay_agent_plays_what_conversations_writes(
        session, tmp_path, xdi_server_factory):
    _, srv = session
    p = run(JOURNAL, "conversations", srv.journal_path, "--conn", "2")
    assert p.returncode == 0, p.stderr.decode()
    conv = tmp_path / "conv2.jsonl"
    conv.write_bytes(p.stdout)
    again = xdi_server_factory(fixtures=E2E)
    r = run(REPLAY, "agent", conv, "--connect", addr(*again.address))
    out = r.stdout.decode() + r.stderr.decode()
    assert r.returncode == 0, out
    assert "0 differences" in out, out


def test_a_cut_naccb_is_named_not_made_up(xdi_server_factory, xdi_agent):
    srv = xdi_server_factory(args=["--journal-max-raw", "40"])
    # A login for an unknown host with a 64-byte object: 100 bytes, the
    # journal keeps 40.
    login = bytes.fromhex("00000064 00000000 D5D6E2E4C3C84040 02010500"
                          " 00000000 00000000 00000001 00000040") + \
        bytes([0x40]) * 64
    a = xdi_agent(server=srv)
    a.send(login)
    srv.journal.wait_for(event="reject")
    p = run(JOURNAL, "stream", srv.journal_path, "--from", "agent")
    assert p.returncode == 1
    assert p.stdout == b""
    err = p.stderr.decode()
    assert "conn 1, seq 1" in err and "not recoverable" in err, err
    # The reject the server sent is whole.
    # What the server sent is whole: only the agent's side lost bytes.
    p = run(JOURNAL, "stream", srv.journal_path, "--from", "host")
    assert p.returncode == 0, p.stderr.decode()
    assert len(p.stdout) == 36 and p.stdout[16:20].hex() == "01020800"


def test_usage_errors(tmp_path):
    p = run(JOURNAL, "stream", tmp_path / "missing.jsonl")
    assert p.returncode == 2 and b"missing.jsonl" in p.stderr
    p = run(JOURNAL, "stream")
    assert p.returncode == 2
    assert b"Try 'xdi-journal --help'." in p.stderr
    p = run(JOURNAL, "--version")
    assert p.returncode == 0 and p.stdout.startswith(b"xdi-journal ")
