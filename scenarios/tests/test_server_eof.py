"""A peer's end of stream frees its host at once.

When an agent closes its side, the network layer tells the core at once
(xdi_conn_eof), even while the socket still has output to drain: the
session ends there, so a new login for the same host is a plain login,
not a takeover of a connection whose agent is already gone
(docs/journal.md, "disconnect").  Bytes are written by hand from
docs/protocol.md §3, §6 and §7.
"""

import socket

from xdi.codec import unhex
from xdi.testset import WIRE

A = WIRE["TESTA"]
LOGIN = f"00000024 00000000 {A} 02010500 00000000 00000000 00000000 00000000"
ACCEPT_1 = f"00000024 00000001 {A} 01020700 00000000 00000000 00000000 00000000"
ACCEPT_2 = f"00000024 00000002 {A} 01020700 00000000 00000000 00000000 00000000"
ACQ_EMS = f"00000024 00000001 {A} 02010901 00000000 00000000 00000000 00000000"
# TESTA's receive EMS is 1646 bytes: this many replies are far more than
# the kernel buffers hold (tcp_wmem's maximum is 4 MiB), so while the agent
# does not read, the server's output for it stays queued and its socket
# cannot finish closing.
ACQUIRES = 4000


def test_server_eof_frees_the_host_at_once(xdi_server, xdi_agent):
    j = xdi_server.journal
    old = xdi_agent(name="gone", rcvbuf=4096)
    old.send(unhex(LOGIN))
    old.expect_bytes(ACCEPT_1)
    old.sock.settimeout(30)
    old.sock.sendall(unhex(ACQ_EMS) * ACQUIRES)
    # Every acquire handled (so nothing of it is left in flight), then the
    # agent ends its stream without reading: the replies stay queued.
    j.wait_for(event="acquire", conn=1, count=ACQUIRES, within=60)
    old.sock.shutdown(socket.SHUT_WR)

    new = xdi_agent(name="next")
    new.send(unhex(LOGIN))
    new.expect_bytes(ACCEPT_2)
    acc = j.wait_for(event="accept", conn=2)[-1]
    assert "takeover_of" not in acc, j.tail()
    assert not j.find(event="takeover"), j.tail()
    # The old connection was not sent a shutdown: its session was over.
    assert not j.find(event="send", conn=1, key="01020400"), j.tail()
    # Its disconnect comes when the socket is really gone, with the cause
    # the peer gave.
    old.close()
    d = j.wait_for(event="disconnect", conn=1, within=10)[-1]
    assert d["cause"] == "peer", d
    assert d["agent_id"] == 1
    # The new session works.
    new.send(unhex(f"00000024 00000002 {A} 02010600 00000000 00000000 00000000 00000000"))
    j.wait_for(event="logout", conn=2)
