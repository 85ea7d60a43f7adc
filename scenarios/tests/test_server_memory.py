"""Memory a peer cannot inflate: --max-memory.

Before logging in, every NACCB but a login is answered with error 01
(docs/protocol.md §11), so a peer that sends 36-byte NACCBs and never reads
makes the server queue one reply per NACCB.  Each queued reply used to cost
some 250 bytes of allocation while only its 36 payload bytes counted
against --max-output: three such peers took the server from 6 MB to 66 MB
of RSS with 480,000 NACCBs, and nothing bounded all connections together.
Now small replies are copied into one shared buffer per connection, what a
reply really holds is counted, and output plus partial input across all
connections is bounded by --max-memory: over it, the connection holding
most is cut off, journalled as a disconnect with cause memory_limit, while
a well-behaved agent is still served.
"""

import json
import re
import socket
import threading
import time

from xdi import codec
from xdi.codec import unhex
from xdi.server import fixture_dir, run_to_exit, server_binary
from xdi.testset import WIRE

A = WIRE["TESTA"]
MAX_MEMORY = 1 << 20
# The bound, plus what the kernel's socket buffers, the journal sink and
# allocator slack may add: far below what the same flood took before.
RSS_MARGIN = 16 << 20
N_HEAVY = 3


def server_sanitized():
    """True when xdi-server is built with ASan: its allocator keeps freed
    memory in quarantine (256 MB by default) and caches, so the process's
    RSS no longer says what the server holds; the cut-offs, which the
    server's own accounting decides, are still checked."""
    try:
        return b"libasan.so" in server_binary().read_bytes()
    except OSError:
        return False
# NACCBs each heavy peer sends at most: 10.8 MB of replies each, more
# than 5 times the bound.
PER_PEER = 300_000
BATCH = 5_000
# Acquire EMS before login: error 01, agent-ID 0 (protocol §11).
BAD = unhex(f"00000024 00000000 {A} 02010901 00000000 00000000 00000000 00000000")


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(field + r":\s+(\d+)", f.read()).group(1))


class Heavy:
    """A peer that sends BAD flat out and never reads (its receive window
    kept small, so the replies pile up in the server, not in the kernel)."""

    def __init__(self, address):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.settimeout(60)
        self.sock.connect(address)
        self.port = self.sock.getsockname()[1]
        self.sent = 0
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        batch = BAD * BATCH
        try:
            while self.sent < PER_PEER:
                self.sock.sendall(batch)
                self.sent += BATCH
        except OSError as e:  # cut off: what the test is waiting for
            self.error = e

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(30)
        self.sock.close()


def disconnects(path, offset, found):
    """Scans the journal from offset for disconnect records (the flood
    writes two records per NACCB, so the journal is not parsed whole);
    adds them to found (by peer) and returns the new offset."""
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read()
    end = data.rfind(b"\n") + 1
    for line in data[:end].split(b"\n"):
        if b'"event":"disconnect"' in line:
            rec = json.loads(line)
            found[rec["peer"]] = rec
    return offset + end


def served(agent):
    """Login, then the EMS table: the whole first step of a session."""
    agent.login("TESTA")
    agent.acquire(codec.ACQ_EMS)
    agent.expect(codec.RCV_EMS, error=0, agent_id=agent.agent_id)


def test_memory_non_reading_flood_is_cut_off_within_the_bound(
        xdi_server_factory, xdi_agent):
    # No login timeout: the peers are cut off by the bound, nothing else.
    srv = xdi_server_factory(args=["--max-memory", str(MAX_MEMORY),
                                   "--login-timeout", "0"])
    pid = srv.proc.pid
    base = status_kb(pid, "VmHWM") << 10
    heavy = [Heavy(srv.address) for _ in range(N_HEAVY)]
    for h in heavy:
        h.thread.start()
    # Waits on the journal, not on a clock: every heavy peer is cut off
    # (the first when all three together pass the bound, the last when it
    # alone does), or the deadline fails the test.
    peers = {f"127.0.0.1:{h.port}" for h in heavy}
    found, offset = {}, 0
    deadline = time.monotonic() + 120
    while not peers <= found.keys():
        assert time.monotonic() < deadline, (
            "heavy peers not all cut off: %s; sent %s; VmHWM %d kB" %
            (sorted(found), [h.sent for h in heavy], status_kb(pid, "VmHWM")))
        assert srv.proc.poll() is None, srv.diagnostics()
        offset = disconnects(srv.journal_path, offset, found)
        time.sleep(0.05)  # poll interval of the journal wait, as wait_for
    for peer in peers:
        rec = found[peer]
        assert rec["cause"] == "memory_limit", rec
        assert rec["agent_id"] == 0 and rec["received"] > 0, rec
    peak = status_kb(pid, "VmHWM") << 10
    assert server_sanitized() or peak - base <= MAX_MEMORY + RSS_MARGIN, (
        "RSS peak grew by %d bytes, bound %d + margin %d" %
        (peak - base, MAX_MEMORY, RSS_MARGIN))
    # The flood was real: far more replies than the bound could hold.
    assert sum(h.sent for h in heavy) * 36 > 2 * MAX_MEMORY
    for h in heavy:
        h.close()
    # A well-behaved agent is served after the flood, on the same server.
    good = xdi_agent(server=srv)
    served(good)
    assert srv.proc.poll() is None


def test_memory_option_is_checked(tmp_path):
    """--max-memory takes a size; a bad one is a usage error (exit 2)."""
    code, _, err = run_to_exit(fixture_dir("test"), tmp_path,
                               args=["--max-memory", "lots"])
    assert code == 2, err
    assert "--max-memory" in err, err
