"""Many agents at once, and an agent that never reads.

200 agents need 200 hosts (one host has one session: a second login for a
host takes it over), so that test writes its own fixture set into
tmp_path.  Everything runs in one thread over selectors, with one overall
deadline; no sleeps.
"""

import selectors
import socket
import time

from xdi import codec
from xdi.codec import unhex
from xdi.testset import WIRE

N_AGENTS = 200
DEADLINE = 30.0


def host_name(i):
    return "L%04d" % i


def write_many_hosts(directory, n):
    """n hosts L0001..: one EMS event, one SCD job each (docs/fixtures.md
    format, as fixtures/test uses it)."""
    lines = ["hosts:"]
    for i in range(1, n + 1):
        lines += [
            "  - system: %s" % host_name(i),
            "    ems:",
            "      events:",
            '        - key: "EV%04d"' % i,
            "          type: message",
            "    scd:",
            "      jobs:",
            "        - job: J%04d" % i,
        ]
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "hosts.yaml").write_text("\n".join(lines) + "\n")
    return directory


class Conn:
    """One non-blocking agent connection in the load test."""

    def __init__(self, i, address):
        self.i = i
        self.name = host_name(i)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.connect_ex(address)
        self.framer = codec.Framer()
        self.out = b""
        self.got = []          # decoded NACCBs, in order
        self.agent_id = None

    def queue(self, data):
        self.out += data

    def close(self):
        self.sock.close()
        self.framer.close()


def test_server_load_200_agents_login_and_acquire_at_once(xdi_server_factory,
                                                         tmp_path):
    srv = xdi_server_factory(fixtures=write_many_hosts(tmp_path / "many",
                                                       N_AGENTS))
    sel = selectors.DefaultSelector()
    conns = [Conn(i, srv.address) for i in range(1, N_AGENTS + 1)]
    try:
        for c in conns:
            # Every login at once, and each agent's two acquires as soon as
            # its accept is in (so logins and acquires overlap).
            c.queue(codec.Naccb(codec.LOGIN, system=c.name).encode())
            sel.register(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE,
                         c)
        done = set()
        deadline = time.monotonic() + DEADLINE
        while len(done) < N_AGENTS:
            remaining = deadline - time.monotonic()
            assert remaining > 0, (
                "%d of %d agents done within %.0f s" % (len(done), N_AGENTS,
                                                         DEADLINE))
            for key, mask in sel.select(timeout=min(remaining, 1.0)):
                c = key.data
                if mask & selectors.EVENT_WRITE and c.out:
                    try:
                        sent = c.sock.send(c.out)
                    except BlockingIOError:
                        sent = 0
                    c.out = c.out[sent:]
                if mask & selectors.EVENT_READ:
                    try:
                        data = c.sock.recv(65536)
                    except BlockingIOError:
                        continue
                    assert data, "%s: closed by the server" % c.name
                    for raw in c.framer.feed(data):
                        n = codec.Naccb.decode(raw)
                        c.got.append(n)
                        if n.key == codec.ACCEPT:
                            c.agent_id = n.agent_id
                            for k in (codec.ACQ_EMS, codec.ACQ_SCD):
                                c.queue(codec.Naccb(k, agent_id=n.agent_id,
                                                    system=c.name).encode())
                if len(c.got) == 3 and c.i not in done:
                    done.add(c.i)
                events = selectors.EVENT_READ
                if c.out:
                    events |= selectors.EVENT_WRITE
                sel.modify(c.sock, events, c)
        ids = set()
        for c in conns:
            keys = [n.key for n in c.got]
            assert keys == [codec.ACCEPT, codec.RCV_EMS, codec.RCV_SCD], (
                c.name, [n.describe() for n in c.got])
            for n in c.got:
                assert n.system_text() == c.name and n.error == 0
                assert n.agent_id == c.agent_id
            ems = codec.evblok_decode(c.got[1].objects[0])
            assert ems.key_text() == "EV%04d" % c.i and ems.system() == c.name
            scd = codec.eotinfo_decode(c.got[2].objects[0])
            assert scd.job() == "J%04d" % c.i and scd.system() == c.name
            ids.add(c.agent_id)
        assert ids == set(range(1, N_AGENTS + 1))
    finally:
        sel.close()
        for c in conns:
            c.close()
    j = srv.journal
    assert len(j.wait_for(event="accept", count=N_AGENTS)) == N_AGENTS
    assert len(j.wait_for(event="acquire", count=2 * N_AGENTS)) == \
        2 * N_AGENTS
    assert not j.find(event="violation")
    assert srv.running()


def test_server_load_agent_that_never_reads(xdi_server_factory, xdi_agent):
    """An agent asks for its EMS table over and over and never reads: once
    its output queue passes --max-output the server journals output_limit
    and cuts it off, while another agent is served normally throughout."""
    srv = xdi_server_factory(args=["--max-output", "64K"])
    a = WIRE["TESTA"]
    e = WIRE["TESTE"]
    greedy = xdi_agent(server=srv, name="never reads", rcvbuf=4096)
    greedy.send(unhex(f"00000024 00000000 {a} 02010500 00000000 00000000 00000000 00000000"))
    greedy.expect(codec.ACCEPT)
    acquire = unhex(f"00000024 00000001 {a} 02010901 00000000 00000000 00000000 00000000")
    other = xdi_agent(server=srv, name="reads")
    other.send(unhex(f"00000024 00000000 {e} 02010500 00000000 00000000 00000000 00000000"))
    other.expect_bytes(f"00000024 00000002 {e} 01020700 00000000 00000000 00000000 00000000")
    other_acquire = unhex(f"00000024 00000002 {e} 02010901 00000000 00000000 00000000 00000000")

    j = srv.journal
    deadline = time.monotonic() + 20
    sent = 0
    while not j.find(event="output_limit"):
        assert time.monotonic() < deadline, (
            "no output_limit after %d acquires (%d bytes of replies)"
            % (sent, sent * 1646))
        try:
            greedy.sock.settimeout(2)
            greedy.sock.sendall(acquire * 50)
        except OSError:
            break  # the server has already cut it off
        sent += 50
        # The other agent is served between the greedy one's bursts.
        other.send(other_acquire)
        other.expect(codec.RCV_EMS, agent_id=2, count=1)
    rec = j.wait_for(event="output_limit")[-1]
    assert rec["peer"] == greedy.peer and rec["max_output_queue"] == 65536
    assert rec["key"] == "01020201"
    disc = j.wait_for(event="disconnect", peer=greedy.peer)[-1]
    assert disc["cause"] == "output_limit", disc
    other.send(other_acquire)
    other.expect(codec.RCV_EMS, agent_id=2, count=1)
    assert srv.running()
