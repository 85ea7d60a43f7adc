"""A journal a peer cannot fill (issue 14, item 2, first part): one record
keeps at most --journal-max-raw bytes of a received NACCB (default 4 KiB),
the rest summarised by its length and FNV-1a hash (docs/journal.md).

Before the bound, a 16 MiB login for an unknown host wrote its whole NACCB
as hex: a 33 MB journal line, before any check.
"""

import json

import pytest

DEFAULT_MAX_RAW = 4096
UNKNOWN = "D5D6E2E4 C3C84040"  # "NOSUCH" in IBM-037: no such host
SIXTEEN_MIB = 16 << 20


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def big_login(total):
    """A login NACCB of total bytes (header, then one huge object)."""
    head = bytes.fromhex(f"{total:08X} 00000000 {UNKNOWN} 02010500 00000000"
                         f" 00000000 00000001 {total - 36:08X}")
    return head + bytes([0x40]) * (total - 36)


def journal_lines(srv):
    return srv.journal_path.read_bytes().split(b"\n")[:-1]


@pytest.mark.parametrize("max_raw", [None, 100])
def test_journal_keeps_a_bounded_part_of_a_big_naccb(xdi_server_factory,
                                                     xdi_agent, max_raw):
    args = [] if max_raw is None else ["--journal-max-raw", str(max_raw)]
    keep = DEFAULT_MAX_RAW if max_raw is None else max_raw
    srv = xdi_server_factory(args=args)
    request = big_login(200_000)
    a = xdi_agent(server=srv)
    a.send(request)
    # Whatever the server answers (a reject, an error), its records of the
    # NACCB keep `keep` bytes and summarise the rest.
    srv.journal.wait_for(lambda r: "naccb_len" in r)
    recs = [r for r in srv.journal.records() if "naccb_len" in r]
    for rec in recs:
        assert rec["naccb_len"] == len(request)
        assert rec["naccb"].lower() == request[:keep].hex()
        assert rec["naccb_fnv1a64"] == "%016X" % fnv1a64(request)
    for line in journal_lines(srv):
        assert len(line) < 2 * keep + 1024, line[:200]


def test_journal_line_of_a_16_mib_login_is_bounded(xdi_server_factory,
                                                   xdi_agent):
    """The issue's reproducer: a 16 MiB login for an unknown host."""
    srv = xdi_server_factory(args=["--max-naccb-size", str(SIXTEEN_MIB)])
    request = big_login(SIXTEEN_MIB)
    a = xdi_agent(server=srv)
    a.send(request)
    rec = srv.journal.wait_for(lambda r: "naccb_len" in r, within=30)[-1]
    assert rec["naccb_len"] == SIXTEEN_MIB
    assert rec["naccb"].lower() == request[:DEFAULT_MAX_RAW].hex()
    assert len(rec["naccb_fnv1a64"]) == 16
    assert srv.stop() == 0
    lines = journal_lines(srv)
    for line in lines:
        json.loads(line)
    assert max(len(line) for line in lines) < 2 * DEFAULT_MAX_RAW + 1024
