"""xdi-server --capture and xdi-replay extract (issue 9, items 1, 2, 8).

Round trip on real traffic: the real xdi-agent against the real
xdi-server with --capture; the capture's own TCP payload (read with
scapy, not with the code under test) is what each side sent; `xdi-replay
extract` then `naccb encode` of one side's lines must give those bytes
back exactly, and tshark must read and reassemble the capture cleanly.

Then a corpus crafted with scapy for each hard case of the reassembly:
retransmission, duplicate, reordering, overlap, a capture that starts
mid-connection, a hole, every link type, IPv6, pcapng.  Its NACCBs are
written out by hand (e2e.header, code page 037).
"""

import json
import os
import pathlib
import shutil
import signal
import subprocess
import time

import pytest

from e2e import E2E, Agents, ebcdic, header

scapy = pytest.importorskip("scapy.all")
from scapy.all import (IP, IPv6, TCP, CookedLinux, CookedLinuxV2,  # noqa: E402
                       Ether, Loopback, PcapNgWriter, PcapWriter, Raw, rdpcap)

WITHIN = 20.0


def build():
    return pathlib.Path(os.environ["XDI_BUILD_DIR"])


def replay_bin():
    return build() / "tools" / "xdi-replay" / "xdi-replay"


def naccb_bin():
    return build() / "tools" / "naccb" / "naccb"


def extract(path, *args):
    p = subprocess.run([str(replay_bin()), "extract", *args, str(path)],
                       capture_output=True, timeout=WITHIN)
    lines = [json.loads(x) for x in p.stdout.decode().splitlines() if x]
    return p.returncode, lines, p.stderr.decode()


def encode(lines):
    """`naccb encode` of these lines exactly as extract wrote them."""
    text = "".join(json.dumps(x) + "\n" for x in lines)
    p = subprocess.run([str(naccb_bin()), "encode"], input=text.encode(),
                       capture_output=True, timeout=WITHIN)
    assert p.returncode == 0, p.stderr.decode()
    return p.stdout


def side(lines, who, conv=1):
    return [x for x in lines if x["from"] == who and x["conversation"] == conv]


def payloads(path):
    """Each direction's TCP payload in file order, by ("addr:port" of
    source, of destination): the bytes that side sent (a server capture
    has no retransmission)."""
    out = {}
    for pkt in rdpcap(str(path)):
        ip = pkt[IP] if IP in pkt else pkt[IPv6]
        t = pkt[TCP]
        key = (addr((ip.src, t.sport)), addr((ip.dst, t.dport)))
        out[key] = out.get(key, b"") + bytes(t.payload)
    return out


# ---- real traffic: xdi-agent against xdi-server --capture ----------------

def agent_session(tmp_path, xdi_server_factory, extra=(),
                  listen="127.0.0.1:0"):
    """One LOOPA session (login, tables, logout) captured by the server;
    returns (capture path, stopped server)."""
    cap = tmp_path / "server.pcap"
    srv = xdi_server_factory(fixtures=E2E, listen=(listen,),
                             args=["--capture", str(cap), *extra])
    pool = Agents(tmp_path)
    try:
        agent = pool.start("loopa", srv, "LOOPA")
        agent.wait_line(r"running: EMS ready")
        assert Agents.stop(agent) == 0
        srv.journal.wait_for(event="disconnect")
    finally:
        pool.close()
    srv.stop()
    return cap, srv


def addr(address):
    host, port = address
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


@pytest.mark.parametrize("listen", ["127.0.0.1:0", "[::1]:0"],
                         ids=["ipv4", "ipv6"])
def test_capture_extract_encode_round_trip(tmp_path, xdi_server_factory,
                                           listen):
    cap, srv = agent_session(tmp_path, xdi_server_factory, listen=listen)
    rc, lines, err = extract(cap)
    assert rc == 0, err
    sent = payloads(cap)
    assert len(sent) == 2
    agent_lines, host_lines = side(lines, "agent"), side(lines, "host")
    a_src = agent_lines[0]["src"]
    agent_bytes = sent[(a_src, addr(srv.address))]
    host_bytes = sent[(addr(srv.address), a_src)]
    assert encode(agent_lines) == agent_bytes
    assert encode(host_lines) == host_bytes
    # The login the journal recorded is the agent's first NACCB.
    login = srv.journal.wait_for(event="login")[0]
    assert agent_bytes[:36].hex().upper() == login["naccb"]
    assert agent_lines[0]["key_name"] == "login"
    assert host_lines[0]["key_name"] == "accept"
    assert agent_lines[-1]["key_name"] == "logout"
    # Addresses and ports: the connection's real ones, both ways.
    assert agent_lines[0]["dst"] == addr(srv.address)
    assert host_lines[0]["src"] == addr(srv.address)
    assert host_lines[0]["dst"] == a_src
    times = [x["time"] for x in lines]
    assert times == sorted(times) and 0 <= times[0] < times[-1] < WITHIN


def tshark_or_skip():
    if shutil.which("tshark") is None:
        pytest.skip("tshark is not installed (ci/deps.sh installs it)")
    return ["tshark", "-n", "-o", "tcp.check_checksum:TRUE",
            "--disable-protocol", "smpp"]


def test_tshark_reads_and_reassembles_capture(tmp_path, xdi_server_factory):
    cap, _ = agent_session(tmp_path, xdi_server_factory)
    ts = tshark_or_skip()
    # No malformed packet, no bad checksum, no expert warning or error.
    bad = subprocess.run(
        ts + ["-r", str(cap), "-Y",
              "_ws.malformed || _ws.expert.severity >= 0x00600000 || "
              "tcp.checksum.status == 0 || ip.checksum.status == 0"],
        capture_output=True, timeout=WITHIN, text=True)
    assert bad.returncode == 0, bad.stderr
    assert bad.stdout.strip() == "", bad.stdout
    # One conversation; tshark's reassembled stream is each side's bytes.
    follow = subprocess.run(ts + ["-r", str(cap), "-q", "-z",
                                  "follow,tcp,raw,0"],
                            capture_output=True, timeout=WITHIN, text=True)
    assert follow.returncode == 0, follow.stderr
    a, h = b"", b""
    body = follow.stdout.split("=" * 10)
    for ln in follow.stdout.splitlines():
        s = ln.strip()
        if not s or not all(c in "0123456789abcdef" for c in s):
            continue
        if ln.startswith("\t"):
            h += bytes.fromhex(s)
        else:
            a += bytes.fromhex(s)
    assert body
    sent = payloads(cap)
    assert sorted([a, h]) == sorted(sent.values())
    flags = subprocess.run(ts + ["-r", str(cap), "-T", "fields", "-e",
                                 "tcp.flags.str"],
                           capture_output=True, timeout=WITHIN, text=True)
    f = flags.stdout.splitlines()
    assert "S" in f[0] and "A" not in f[0], f[0]
    assert "S" in f[1] and "A" in f[1], f[1]
    assert sum("F" in x for x in f) == 2, f


def test_capture_max_stops_and_journals(tmp_path, xdi_server_factory):
    cap, srv = agent_session(tmp_path, xdi_server_factory,
                             extra=["--capture-max", "600"])
    assert 24 < cap.stat().st_size <= 600
    stopped = srv.journal.wait_for(event="capture_stopped")
    assert len(stopped) == 1
    assert stopped[0]["file"] == str(cap) and stopped[0]["max"] == 600
    assert stopped[0]["bytes"] == cap.stat().st_size
    # What was written is whole packets that still read.
    pkts = rdpcap(str(cap))
    assert pkts and TCP in pkts[0] and pkts[0][TCP].flags == "S"


# ---- the crafted corpus ---------------------------------------------------

A_SYS = "LOOPA"
LOGIN = bytes.fromhex(header(36, 0, A_SYS, "02010500"))
KILL = bytes.fromhex(header(0x2D, 1, A_SYS, "02010A03", 1, 9) +
                     ebcdic("KILL JOKO"))
LOGOUT = bytes.fromhex(header(36, 1, A_SYS, "02010600"))
ACCEPT = bytes.fromhex(header(36, 1, A_SYS, "01020700"))
CANCEL = bytes.fromhex(header(0x31, 1, A_SYS, "01020104", 1, 13) +
                       ebcdic("CANCEL U=JOKO"))
AGENT = [LOGIN, KILL, LOGOUT]
HOST = [ACCEPT, CANCEL]
AGENT_BYTES = b"".join(AGENT)
HOST_BYTES = b"".join(HOST)
A_ISN, H_ISN = 0xFFFFFF00, 7000  # the agent's numbers wrap past 2^32


def conversation(v6=False, seg=20):
    """(time, src-is-agent, seq, flags, payload) of a whole session: the
    handshake, the agent's bytes then the host's, `seg` bytes a segment,
    interleaved login, accept, ..., the FINs."""
    pk = []
    t = [1000.0]

    def add(agent, seq, flags, data=b""):
        t[0] += 0.001
        pk.append((t[0], agent, seq & 0xFFFFFFFF, flags, data))

    add(True, A_ISN, "S")
    add(False, H_ISN, "SA")
    add(True, A_ISN + 1, "A")
    a_off, h_off = 0, 0
    # login, accept, kill+logout vs cancel
    plan = [(True, len(LOGIN)), (False, len(ACCEPT)),
            (True, len(KILL) + len(LOGOUT)), (False, len(CANCEL))]
    for agent, n in plan:
        data, off = (AGENT_BYTES, a_off) if agent else (HOST_BYTES, h_off)
        base = (A_ISN if agent else H_ISN) + 1
        for i in range(off, off + n, seg):
            add(agent, base + i, "PA", data[i:min(i + seg, off + n)])
        if agent:
            a_off += n
        else:
            h_off += n
    add(True, A_ISN + 1 + len(AGENT_BYTES), "FA")
    add(False, H_ISN + 1 + len(HOST_BYTES), "FA")
    return pk


def frames(pk, link="raw", v6=False):
    out = []
    for when, agent, seq, flags, data in pk:
        if v6:
            ip = IPv6(src="2001:db8::7" if agent else "2001:db8::1",
                      dst="2001:db8::1" if agent else "2001:db8::7")
        else:
            ip = IP(src="192.0.2.7" if agent else "192.0.2.1",
                    dst="192.0.2.1" if agent else "192.0.2.7")
        tcp = TCP(sport=40000 if agent else 7012,
                  dport=7012 if agent else 40000, seq=seq, flags=flags,
                  ack=1 if "A" in flags else 0)
        p = ip / tcp / Raw(data) if data else ip / tcp
        if link == "ether":
            p = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / p
        elif link == "sll":
            p = CookedLinux(pkttype=0, lladdrtype=772, lladdrlen=0,
                            proto=0x86DD if v6 else 0x0800) / p
        elif link == "sll2":
            p = CookedLinuxV2(proto=0x86DD if v6 else 0x0800, pkttype=0) / p
        elif link == "null":
            p = Loopback(type=24 if v6 else 2) / p
        elif link == "loop":
            # DLT_LOOP: the family in network byte order (OpenBSD).
            p = Raw(bytes([0, 0, 0, 24 if v6 else 2])) / p
        p.time = when
        out.append(p)
    return out


LINKTYPE = {"raw": 101, "ether": 1, "sll": 113, "sll2": 276, "null": 0,
            "loop": 108}


def write(path, pk, link="raw", v6=False, pcapng=False):
    fr = frames(pk, link, v6)
    if pcapng:
        w = PcapNgWriter(str(path))
    else:
        w = PcapWriter(str(path), linktype=LINKTYPE[link], sync=True)
    for f in fr:
        w.write(f)
    w.close()
    return path


def check_clean(path, *args):
    rc, lines, err = extract(path, *args)
    assert rc == 0, err
    assert encode(side(lines, "agent")) == AGENT_BYTES
    assert encode(side(lines, "host")) == HOST_BYTES
    assert [x["key_name"] for x in lines] == \
        ["login", "accept", "info MSG", "logout", "exec command"]
    return lines, err


@pytest.mark.parametrize("link", sorted(LINKTYPE))
@pytest.mark.parametrize("v6", [False, True], ids=["ipv4", "ipv6"])
def test_link_types(tmp_path, link, v6):
    path = write(tmp_path / "c.pcap", conversation(), link, v6)
    lines, _ = check_clean(path)
    a = side(lines, "agent")[0]
    if v6:
        assert a["src"] == "[2001:db8::7]:40000"
        assert a["dst"] == "[2001:db8::1]:7012"
    else:
        assert a["src"] == "192.0.2.7:40000"
        assert a["dst"] == "192.0.2.1:7012"
    assert {x["conversation"] for x in lines} == {1}


def test_pcapng(tmp_path):
    check_clean(write(tmp_path / "c.pcapng", conversation(), "ether",
                      pcapng=True))


def test_time_is_from_the_first_packet(tmp_path):
    lines, _ = check_clean(write(tmp_path / "c.pcap", conversation()))
    # login: 2 segments of 20 and 16 bytes after the 3 handshake packets,
    # 1 ms apart: its last byte arrives 4 ms after the SYN.
    assert abs(lines[0]["time"] - 0.004) < 1e-6


def test_retransmission(tmp_path):
    pk = conversation()
    # Every data segment of the agent sent again, later.
    again = [(w + 0.5, a, s, f, d) for (w, a, s, f, d) in pk if a and d]
    check_clean(write(tmp_path / "c.pcap", pk[:-2] + again + pk[-2:]))


def test_duplicates(tmp_path):
    pk = []
    for p in conversation():
        pk += [p, p] if p[4] else [p]
    check_clean(write(tmp_path / "c.pcap", pk))


def test_reordering(tmp_path):
    pk = conversation(seg=10)
    data = [i for i, p in enumerate(pk) if p[4] and p[1]]
    i, j = data[1], data[4]
    pk[i], pk[j] = pk[j], pk[i]
    pk[data[2]], pk[data[3]] = pk[data[3]], pk[data[2]]
    check_clean(write(tmp_path / "c.pcap", pk))


def test_overlapping_segments(tmp_path):
    pk = conversation(seg=1000)
    # The host's second burst (CANCEL) sent as overlapping pieces.
    out = []
    for p in pk:
        w, a, s, f, d = p
        if not a and d == CANCEL:
            out += [(w, a, s, f, d[:30]), (w, a, s + 10, f, d[10:40]),
                    (w, a, s + 5, f, d[5:20]), (w, a, s + 25, f, d[25:])]
        else:
            out.append(p)
    check_clean(write(tmp_path / "c.pcap", out))


def test_mid_stream_start(tmp_path):
    pk = conversation(seg=1000)
    # The capture begins after the handshake, and 10 bytes into KILL.
    start = [i for i, p in enumerate(pk) if p[1] and p[4] and
             p[4].startswith(KILL)][0]
    first = pk[start]
    rest = pk[start + 1:]
    w, a, s, f, d = first
    cut = (w, a, s + 10, f, d[10:])
    rc, lines, err = extract(write(tmp_path / "c.pcap", [cut] + rest))
    assert rc == 1
    assert "starts mid-connection" in err and "resynchronised" in err
    assert "%d bytes skipped" % (len(KILL) - 10) in err
    ag = side(lines, "agent")
    assert encode(ag) == LOGOUT and ag[0]["offset"] == len(KILL) - 10
    assert all(x.get("incomplete") is True for x in lines)
    assert encode(side(lines, "host")) == CANCEL


def test_hole(tmp_path):
    pk = conversation(seg=20)
    # Lose the agent's segment holding bytes 56..76 (inside KILL, which
    # begins at 36 and ends at 81).
    lost = [p for p in pk if p[1] and p[4] and
            ((p[2] - A_ISN - 1) & 0xFFFFFFFF) == 56][0]
    rc, lines, err = extract(write(tmp_path / "c.pcap",
                                   [p for p in pk if p is not lost]))
    assert rc == 1
    assert "hole of 20 bytes at stream offset 56" in err
    assert "the NACCB at stream offset 36 is cut by the hole at 56" in err
    assert "conversation 1 is incomplete" in err
    ag = side(lines, "agent")
    assert [x["key_name"] for x in ag] == ["login", "logout"]
    assert encode(ag) == LOGIN + LOGOUT
    assert ag[1]["offset"] == 81
    assert all(x["incomplete"] is True for x in lines)
    assert encode(side(lines, "host")) == HOST_BYTES


def test_broken_naccb_still_emitted(tmp_path):
    # A KILL with an object size that disagrees with its length: shown
    # with body_hex and its violation named, and encoded back as sent.
    bad = bytearray(KILL)
    bad[35] = 8  # size 8, count 1: 36 + 8 != 45
    pk = [(w, a, s, f, (LOGIN if d == LOGIN else
                        bytes(bad) + LOGOUT if d == KILL + LOGOUT else d))
          for (w, a, s, f, d) in conversation(seg=1000)]
    rc, lines, err = extract(write(tmp_path / "c.pcap", pk))
    assert rc == 1
    ag = side(lines, "agent")
    assert [x["key_name"] for x in ag] == ["login", "info MSG", "logout"]
    assert ag[1]["errors"][0]["rule"] == "NACCB_ELENGTH_MISMATCH"
    assert encode(ag) == LOGIN + bytes(bad) + LOGOUT


def test_port_option_and_two_conversations(tmp_path):
    pk = conversation()
    other = [(w + 10, a, s, f, d) for (w, a, s, f, d) in conversation()]
    fr = frames(pk) + frames(other)
    for p in fr[len(pk):]:
        p[TCP].sport = 40001 if p[TCP].sport == 40000 else p[TCP].sport
        p[TCP].dport = 40001 if p[TCP].dport == 40000 else p[TCP].dport
    path = tmp_path / "c.pcap"
    w = PcapWriter(str(path), linktype=101, sync=True)
    for f in fr:
        w.write(f)
    w.close()
    rc, lines, err = extract(path)
    assert rc == 0, err
    assert {x["conversation"] for x in lines} == {1, 2}
    assert encode(side(lines, "agent", 2)) == AGENT_BYTES
    assert side(lines, "agent", 2)[0]["src"] == "192.0.2.7:40001"
    rc, lines, err = extract(path, "--port", "40001")
    assert rc == 0 and {x["conversation"] for x in lines} == {1}
    assert side(lines, "agent")[0]["src"] == "192.0.2.7:40001"
    rc, lines, err = extract(path, "--port", "9")
    assert rc == 1 and lines == [] and "no XDI conversation" in err


def test_usage_and_unreadable(tmp_path):
    p = subprocess.run([str(replay_bin()), "--help"], capture_output=True,
                       text=True)
    assert p.returncode == 0 and "Exit codes" in p.stdout
    p = subprocess.run([str(replay_bin()), "extract"], capture_output=True)
    assert p.returncode == 2
    p = subprocess.run([str(replay_bin()), "bogus", "x"], capture_output=True)
    assert p.returncode == 2
    (tmp_path / "junk").write_bytes(b"not a capture at all")
    rc, _, err = extract(tmp_path / "junk")
    assert rc == 3 and "junk" in err


# ---- tcpdump on loopback, where the machine lets the test capture ----------

def test_tcpdump_loopback(tmp_path, xdi_server_factory):
    if shutil.which("tcpdump") is None:
        pytest.skip("tcpdump is not installed")
    server_cap = tmp_path / "server.pcap"
    srv = xdi_server_factory(fixtures=E2E,
                             args=["--capture", str(server_cap)])
    dump = tmp_path / "tcpdump.pcap"
    td = subprocess.Popen(["tcpdump", "-i", "lo", "-U", "-n", "-w", str(dump),
                           "tcp port %d" % srv.address[1]],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    line = td.stderr.readline()
    if "listening on" not in line:
        td.kill()
        td.wait()
        pytest.skip("tcpdump cannot capture on lo here: %s" % line.strip())
    pool = Agents(tmp_path)
    try:
        agent = pool.start("loopa", srv, "LOOPA")
        agent.wait_line(r"running: EMS ready")
        assert Agents.stop(agent) == 0
        srv.journal.wait_for(event="disconnect")
    finally:
        pool.close()
        srv.stop()
        # -U writes each packet at once; the FINs may still be in
        # flight on lo for a moment, so wait for them in the file.
        deadline = time.monotonic() + WITHIN
        while time.monotonic() < deadline:
            try:
                if sum(1 for p in rdpcap(str(dump))
                       if TCP in p and p[TCP].flags.F) >= 2:
                    break
            except Exception:
                pass
            time.sleep(0.05)
        td.send_signal(signal.SIGINT)
        td.wait(timeout=WITHIN)
    rc, real, err = extract(dump)
    assert rc == 0, err
    rc, ours, err2 = extract(server_cap)
    assert rc == 0, err2

    def strip(lines):
        return [{k: v for k, v in x.items() if k != "time"} for x in lines]
    assert strip(real) == strip(ours)
    sent = payloads(server_cap)
    assert sorted([encode(side(real, "agent")), encode(side(real, "host"))]) \
        == sorted(sent.values())


# ---- large NACCBs and many connections: xdi-load against --capture ---------

def test_capture_large_tables_many_connections(tmp_path, xdi_server_factory):
    """Tables above one segment (400 EVBLOKs of 230 bytes: 92 KB) are
    split at 65495 bytes and still come back whole, on every one of
    several concurrent connections."""
    load = build() / "tools" / "xdi-load" / "xdi-load"
    fx = tmp_path / "fx"
    p = subprocess.run([str(load), "--make-fixtures", str(fx), "--hosts", "4",
                        "--events", "400", "--jobs", "2"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    cap = tmp_path / "load.pcap"
    srv = xdi_server_factory(fixtures=fx,
                             args=["--no-watch", "--capture", str(cap)])
    p = subprocess.run([str(load), "--connect", addr(srv.address),
                        "--fixtures", str(fx), "--agents", "4", "--infos", "3",
                        "--baseline-agents", "0", "--timeout", "60"],
                       capture_output=True, text=True, timeout=90)
    assert p.returncode == 0 and "result: ok" in p.stdout, p.stdout + p.stderr
    srv.stop()
    pkts = rdpcap(str(cap))
    assert max(len(bytes(x[TCP].payload)) for x in pkts) == 65495
    rc, lines, err = extract(cap)
    assert rc == 0, err
    sent = payloads(cap)
    convs = sorted({x["conversation"] for x in lines})
    assert convs == [1, 2, 3, 4]
    for conv in convs:
        for who in ("agent", "host"):
            mine = side(lines, who, conv)
            assert encode(mine) == sent[(mine[0]["src"], mine[0]["dst"])]
    ems = [x for x in lines if x["key_name"] == "receive EMS"]
    assert len(ems) == 4 and all(x["count"] == 400 for x in ems)
    if shutil.which("tshark"):
        bad = subprocess.run(
            tshark_or_skip() + ["-r", str(cap), "-Y",
                                "_ws.malformed || _ws.expert.severity >= "
                                "0x00600000 || tcp.checksum.status == 0"],
            capture_output=True, timeout=WITHIN, text=True)
        assert bad.returncode == 0 and bad.stdout.strip() == "", bad.stdout
