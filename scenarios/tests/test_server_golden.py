"""Golden bytes from an independent client.

A plain socket, no ScriptedAgent and no libnaccb: every byte sent and
every byte expected below is written by hand from docs/protocol.md
§7 to §11 (and docs/protocol.md's worked examples) and the fixture files
fixtures/test/hosts.yaml, so a server and a codec that agreed on a wrong
layout would still fail here.  The only parsing is the stream rule of
§3: read 4 bytes of total length, then the rest.

EBCDIC 037 used below: A-I C1-C9, J-R D1-D9, S-Z E2-E9, a-i 81-89,
j-r 91-99, s-z A2-A9, 0-9 F0-F9, blank 40.
"""

import socket
import time

import pytest

from xdi.testset import WIRE

A = WIRE["TESTA"].replace(" ", "")
P = WIRE["TESTP"].replace(" ", "")

# The "always" frame of §8: SDATE EDATE STIME STSEC ETIME ETSEC,
# day-list (every byte 01, holiday included).
ALWAYS = "01900001 09999365 00000000 00000000 23595900 0001517F"
ALWAYS_SSDT_ESDT = "19000101 99991231"
EVERY_DAY = "01010101 01010101"


def h(text):
    return bytes.fromhex("".join(text.split()))


def evblok(system, key, key_pad, addtext, il, kl, vl, frame, days, et,
           std_dates):
    """One EVBLOK from hand-written hex fields, in the order of §8.
    Only concatenation: every value is written by the caller."""
    hexes = [system, key + "40" * key_pad, addtext, il + kl + vl, frame, days,
             et, "00" * 15, std_dates, "00" * 32]
    b = h(" ".join(hexes))
    assert len(b) == 230, len(b)
    return b


def eotinfo(system, flag2, job_id, job):
    """One SCD table entry (§9): work areas zero, flag1 0, status
    and notes zero, step and proc-step names blank."""
    b = h("00" * 80 + "00" + flag2 + "00" * 24 + job_id + system + job
          + "40" * 16 + "0000 0000 0000 0000" + "00000000" + "00000000")
    assert len(b) == 162, len(b)
    return b


# TESTA's EMS table, fixtures/test/hosts.yaml in order.
TESTA_EMS = [
    # KILL, vl 4, command, text "cancel a TSO user" (17 bytes)
    evblok(A, "D2C9D3D3", 16,
           "83819583 85934081 40E3E2D6 40A4A285 99" + "40" * 91,
           "000C", "0004", "0004", ALWAYS, EVERY_DAY, "02", ALWAYS_SSDT_ESDT),
    # IEF450I, message
    evblok(A, "C9C5C6F4 F5F0C9", 13, "40" * 108,
           "000F", "0007", "0000", ALWAYS, EVERY_DAY, "01", ALWAYS_SSDT_ESDT),
    # BUSY: 2026-11-02 (day 306) .. 2026-11-30 (day 334), 08:30:00 (30600 s)
    # .. 17:00:00 (61200 s), weekdays, not on holidays
    evblok(A, "C2E4E2E8", 16, "40" * 108, "000C", "0004", "0000",
           "02026306 02026334 08300000 00007788 17000000 0000EF10",
           "00010101 01010000", "01", "20261102 20261130"),
    # HOLI: no weekday, holidays only
    evblok(A, "C8D6D3C9", 16, "40" * 108, "000C", "0004", "0000",
           ALWAYS, "00000000 00000001", "01", ALWAYS_SSDT_ESDT),
    # PAYROLL1, end of job (ET 06)
    evblok(A, "D7C1E8D9 D6D3D3F1", 12, "40" * 108, "0010", "0008", "0000",
           ALWAYS, EVERY_DAY, "06", ALWAYS_SSDT_ESDT),
    # PAYROLL1STEP2, end of step (ET 05), KL 13, IL 21
    evblok(A, "D7C1E8D9 D6D3D3F1 E2E3C5D7 F2", 7, "40" * 108,
           "0015", "000D", "0000", ALWAYS, EVERY_DAY, "05", ALWAYS_SSDT_ESDT),
    # LONGKEY1234 with kl 4: the whole key in the field, only 4 significant
    evblok(A, "D3D6D5C7 D2C5E8F1 F2F3F4", 9, "40" * 108,
           "000C", "0004", "0000", ALWAYS, EVERY_DAY, "01", ALWAYS_SSDT_ESDT),
]

TESTA_SCD = [
    eotinfo(A, "80", "40404040 40404040", "D7C1E8D9 D6D3D3F1"),   # PAYROLL1
    eotinfo(A, "C0", "D1D6C2F0 F0F0F0F2", "D7C1E8D9 D6D3D3F2"),   # PAYROLL2,
]                                                                 # JOB00002

TESTP_EMS = [evblok(P, "C8C5D3D3 D6", 15, "40" * 108, "000D", "0005", "0000",
                    ALWAYS, EVERY_DAY, "01", ALWAYS_SSDT_ESDT)]   # HELLO
TESTP_SCD = [eotinfo(P, "80", "40404040 40404040", "D7D1D6C2 40404040")]  # PJOB


class RawClient:
    """A socket and the section 3 stream rule, nothing else."""

    def __init__(self, address, timeout=5.0):
        self.sock = socket.create_connection(address, timeout=timeout)
        self.timeout = timeout

    def send(self, data):
        self.sock.sendall(data)

    def _exact(self, n, deadline):
        out = b""
        while len(out) < n:
            self.sock.settimeout(max(deadline - time.monotonic(), 0.001))
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise AssertionError("closed after %d of %d bytes" %
                                     (len(out), n))
            out += chunk
        return out

    def recv_naccb(self):
        deadline = time.monotonic() + self.timeout
        head = self._exact(4, deadline)
        total = int.from_bytes(head, "big")
        assert 36 <= total <= 1 << 20, total
        return head + self._exact(total - 4, deadline)

    def silent(self, within=0.2):
        self.sock.settimeout(within)
        try:
            data = self.sock.recv(1)
        except socket.timeout:
            return True
        return data == b""  # closed counts as "nothing", checked elsewhere

    def close(self):
        self.sock.close()


@pytest.fixture
def raw(xdi_server):
    clients = []

    def make():
        c = RawClient(xdi_server.address)
        clients.append(c)
        return c
    yield make
    for c in clients:
        c.close()


def header(total, agent_id, system, key, ext="00000000", count=0, size=0):
    return h(f"{total:08X} {agent_id:08X} {system} {key} {ext} 00000000"
             f" {count:08X} {size:08X}")


def assert_bytes(got, want, what):
    if got != want:
        first = next((i for i in range(min(len(got), len(want)))
                      if got[i] != want[i]), min(len(got), len(want)))
        raise AssertionError(
            "%s: first difference at byte %d (got %d bytes, want %d)\n"
            "want %s\ngot  %s" % (what, first, len(got), len(want),
                                  want[max(first - 8, 0):first + 24].hex(),
                                  got[max(first - 8, 0):first + 24].hex()))


def test_server_golden_testa_login_and_both_tables(raw):
    c = raw()
    c.send(h(f"00000024 00000000 {A} 02010500 00000000 00000000 00000000 00000000"))
    assert_bytes(c.recv_naccb(),
                 h(f"00000024 00000001 {A} 01020700 00000000 00000000 00000000 00000000"),
                 "accept")
    c.send(h(f"00000024 00000001 {A} 02010901 00000000 00000000 00000000 00000000"))
    assert_bytes(c.recv_naccb(),
                 header(0x66E, 1, A, "01020201", count=7, size=0xE6)
                 + b"".join(TESTA_EMS), "receive EMS")
    c.send(h(f"00000024 00000001 {A} 02010902 00000000 00000000 00000000 00000000"))
    assert_bytes(c.recv_naccb(),
                 header(0x168, 1, A, "01020202", count=2, size=0xA2)
                 + b"".join(TESTA_SCD), "receive SCD")


def test_server_golden_testp_password_tables_and_info(raw):
    c = raw()
    c.send(h(f"0000002C 00000000 {P} 02010500 00000000 00000000 00000001"
             " 00000008 E2C5C3D9 C5E34040"))                  # SECRET
    assert_bytes(c.recv_naccb(),
                 h(f"00000024 00000001 {P} 01020700 00000000 00000000 00000000 00000000"),
                 "accept")
    # Both acquires in one write: SCD first.
    c.send(h(f"00000024 00000001 {P} 02010902 00000000 00000000 00000000 00000000"
             f"00000024 00000001 {P} 02010901 00000000 00000000 00000000 00000000"))
    assert_bytes(c.recv_naccb(),
                 header(0xC6, 1, P, "01020202", count=1, size=0xA2)
                 + TESTP_SCD[0], "receive SCD")
    assert_bytes(c.recv_naccb(),
                 header(0x10A, 1, P, "01020201", count=1, size=0xE6)
                 + TESTP_EMS[0], "receive EMS")
    # "HELLO WORLD" matches HELLO: the server never acknowledges an info.
    c.send(h(f"0000002F 00000001 {P} 02010A03 00000000 00000000 00000001"
             " 0000000B C8C5D3D3 D640E6D6 D9D3C4"))
    assert c.silent(within=0.2)
    # "GOODBYE" matches nothing: one error 05 naming object 03.
    c.send(h(f"0000002B 00000001 {P} 02010A03 00000000 00000000 00000001"
             " 00000007 C7D6D6C4 C2E8C5"))
    assert_bytes(c.recv_naccb(),
                 h(f"00000024 00000001 {P} 01020B03 05000000 00000000 00000000 00000000"),
                 "error 05")
    # An EOT report for PJOB: J I N R, max CC 0.
    eot = h("00" * 80 + "0080" + "00" * 24 + "40" * 8 + P + "D7D1D6C2 40404040"
            + "40" * 16 + "0000 0000 0000 0000" + "D1C9D5D9" + "00000000")
    c.send(h(f"000000C6 00000001 {P} 02010A07 00000000 00000000 00000001"
             " 000000A2") + eot)
    assert c.silent(within=0.2)
    # Logout: the server closes.
    c.send(h(f"00000024 00000001 {P} 02010600 00000000 00000000 00000000 00000000"))
    c.sock.settimeout(5)
    assert c.sock.recv(1) == b""


def test_server_golden_no_ems_and_error_reply(raw):
    """docs/protocol.md A10's two NACCBs, on TESTS (no EMS): no-EMS with
    08, and the error 05 about an acquire EMS that carries an object."""
    s = WIRE["TESTS"].replace(" ", "")
    c = raw()
    c.send(h(f"00000024 00000000 {s} 02010500 00000000 00000000 00000000 00000000"))
    c.recv_naccb()
    c.send(h(f"00000024 00000001 {s} 02010901 00000000 00000000 00000000 00000000"))
    assert_bytes(c.recv_naccb(),
                 h(f"00000024 00000001 {s} 01020B01 08000000 00000000 00000000 00000000"),
                 "no EMS")
    c.send(h(f"00000028 00000001 {s} 02010901 00000000 00000000 00000001 00000004"
             " 00000000"))
    assert_bytes(c.recv_naccb(),
                 h(f"00000024 00000001 {s} 01020B01 05000000 00000000 00000000 00000000"),
                 "error 05 about an acquire EMS")
