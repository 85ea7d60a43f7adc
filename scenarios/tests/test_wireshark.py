"""The Wireshark dissector tools/wireshark/naccb.lua (docs/wireshark.md),
run by Debian's tshark on captures this file builds with scapy from the
hand-written golden streams fixtures/streams/*.hex: both directions of a
session in TCP over IPv4 with a real handshake, a NACCB split over several
segments, several NACCBs in one segment, a session on another port (found
through the dissector's port preference) and one found by the heuristic.
The expected outputs below are written by hand from the streams' comments,
not from the dissector.
"""

import os
import re
import shutil
import subprocess

import pytest

TSHARK = shutil.which("tshark")
pytestmark = pytest.mark.skipif(
    TSHARK is None, reason="tshark is not installed (Debian package tshark, "
    "ci/deps.sh installs it)")

scapy_all = pytest.importorskip(
    "scapy.all", reason="python3-scapy is not installed (ci/deps.sh)")
IP, TCP, Raw, wrpcap = (scapy_all.IP, scapy_all.TCP, scapy_all.Raw,
                        scapy_all.wrpcap)

AGENT = ("10.0.0.2", 40001)
HOST_PORT = 7012  # xdi-server's default port (server/uv/main.c)


def hex_to_bytes(text):
    """The annotated hex format: '#' starts a comment, blanks separate."""
    digits = "".join(line.split("#", 1)[0] for line in text.splitlines())
    return bytes.fromhex("".join(digits.split()))


def naccbs(data):
    """The stream cut at its total lengths; a length below 36 (lost
    framing) or beyond the end takes the rest of the stream."""
    out, off = [], 0
    while off < len(data):
        total = int.from_bytes(data[off:off + 4], "big")
        if total < 36 or off + total > len(data):
            total = len(data) - off
        out.append(data[off:off + total])
        off += total
    return out


def to_agent(naccb):
    return naccb[16:18] == b"\x01\x02"


class Session:
    """One TCP connection, agent (client) to host (server), as packets with
    a handshake, consistent sequence and acknowledgement numbers, and FIN."""

    def __init__(self, port=HOST_PORT, agent=AGENT, host="10.0.0.1"):
        self.a = (agent[0], agent[1])
        self.h = (host, port)
        self.seq = {self.a: 1000, self.h: 5000}
        self.pkts = []
        self.t = 1700000000.0
        self._send(self.a, "S", b"")
        self._send(self.h, "SA", b"")
        self._send(self.a, "A", b"")

    def _peer(self, side):
        return self.h if side == self.a else self.a

    def _send(self, side, flags, data):
        peer = self._peer(side)
        ack = self.seq[peer] if "A" in flags else 0
        p = IP(src=side[0], dst=peer[0]) / TCP(
            sport=side[1], dport=peer[1], flags=flags, seq=self.seq[side],
            ack=ack, window=65535)
        if data:
            p = p / Raw(data)
        p.time = self.t
        self.t += 0.001
        self.pkts.append(p)
        self.seq[side] += len(data) + (1 if ("S" in flags or "F" in flags)
                                       else 0)

    def send(self, from_agent, data):
        self._send(self.a if from_agent else self.h, "PA", data)

    def close(self):
        self._send(self.a, "FA", b"")
        self._send(self.h, "FA", b"")
        self._send(self.a, "A", b"")
        return self.pkts


def one_per_segment(data, **kw):
    s = Session(**kw)
    for n in naccbs(data):
        s.send(not to_agent(n), n)
    return s.close()


def coalesced_and_split(data, **kw):
    """Consecutive NACCBs of one side in one segment; a NACCB of 100
    bytes or more split over three segments (its 4-byte length too)."""
    s = Session(**kw)
    run, side = b"", None
    for n in naccbs(data) + [None]:
        n_side = None if n is None else not to_agent(n)
        if run and (n is None or n_side != side or len(n) >= 100):
            s.send(side, run)
            run = b""
        if n is None:
            break
        if len(n) >= 100:
            s.send(n_side, n[:2])
            s.send(n_side, n[2:50])
            s.send(n_side, n[50:])
        else:
            run, side = run + n, n_side
    return s.close()


@pytest.fixture(scope="module")
def dissector(build_dir):
    path = build_dir / "tools" / "wireshark" / "naccb.lua"
    if not path.is_file():
        pytest.fail(f"the dissector is not built: {path} does not exist")
    return path


@pytest.fixture(scope="module")
def streams(source_dir):
    return source_dir / "fixtures" / "streams"


@pytest.fixture
def tshark(dissector, tmp_path):
    """tshark with the dissector and nothing of the user's: HOME points at
    an empty directory, so no personal preferences or plugins (a copy of
    naccb.lua there would register the protocol twice) take part.  As
    root, Debian's tshark only warns ("Running as user root"); its
    init.lua sets run_user_scripts_when_superuser, so -X lua_script works
    and the warning is the one line of stderr allowed."""
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "LC_ALL": "C.UTF-8", "XDG_CONFIG_HOME": str(home / ".config")}

    def run(pkts, *args):
        pcap = tmp_path / "x.pcap"
        wrpcap(str(pcap), pkts)
        p = subprocess.run([TSHARK, "-n", "-X", f"lua_script:{dissector}",
                            "-r", str(pcap), *args], env=env,
                           capture_output=True, text=True, timeout=120)
        stderr = [line for line in p.stderr.splitlines()
                  if "This could be dangerous" not in line]
        assert p.returncode == 0, p.stderr
        assert stderr == [], p.stderr
        assert "Lua Error" not in p.stdout, p.stdout
        assert "Malformed Packet" not in p.stdout, p.stdout
        return p.stdout
    return run


def fields(out):
    return [tuple(line.split("\t")) for line in out.splitlines()]


def stream(streams, name):
    return hex_to_bytes((streams / name).read_text(encoding="utf-8"))


INFO = ["-Y", "naccb", "-T", "fields", "-e", "naccb.key", "-e",
        "_ws.col.Info"]

# session.hex as a person reads it, one line per NACCB (the stream's own
# comments list them: login, accept, acquire EMS, receive EMS, ...).
SESSION = [
    ("0x02010500", "login LNXA01 with password"),
    ("0x01020700", "accept id=42"),
    ("0x02010901", "acquire EMS"),
    ("0x01020201", "receive EMS 2 EVBLOKs"),
    ("0x02010902", "acquire SCD"),
    ("0x01020b02", "no SCD"),
    ("0x02010a03",
     'info MSG "ORA-00600: DB1 DOWN", "ORA-00600: db2 gone"'),
    ("0x02010a07", "info EOT PAYROLL STEP02 SINR"),
    ("0x01020104", 'exec command "CANCEL U=JOKO"'),
    ("0x01020108", "exec job PAYROLL"),
    ("0x01020400", "shutdown"),
    ("0x02010600", "logout id=42"),
]


def test_wireshark_session_one_naccb_per_segment(tshark, streams):
    out = tshark(one_per_segment(stream(streams, "session.hex")), *INFO)
    assert fields(out) == SESSION


def test_wireshark_session_coalesced_and_split(tshark, streams):
    # The same NACCBs, reassembled: several in one segment (one Info line
    # per segment, joined by "; "), the long ones over three segments.
    out = tshark(coalesced_and_split(stream(streams, "session.hex")),
                 "-Y", "naccb", "-T", "fields", "-e", "_ws.col.Info")
    info = [line for line in out.splitlines()]
    assert "; ".join(info) == "; ".join(i for _, i in SESSION)
    # receive EMS (496 bytes) and info EOT (198) arrived in three pieces;
    # the header fields of every NACCB are still there.
    out = tshark(coalesced_and_split(stream(streams, "session.hex")),
                 "-Y", "naccb", "-T", "fields", "-e", "naccb.length")
    assert re.findall(r"\d+", out) == \
        "44 36 36 496 36 36 74 198 49 44 36 36".split()


def test_wireshark_session_header_fields(tshark, streams):
    out = tshark(one_per_segment(stream(streams, "session.hex")),
                 "-Y", "naccb", "-T", "fields", "-e", "naccb.length",
                 "-e", "naccb.agent_id", "-e", "naccb.system",
                 "-e", "naccb.direction", "-e", "naccb.request",
                 "-e", "naccb.object", "-e", "naccb.error",
                 "-e", "naccb.count", "-e", "naccb.size", "-e", "naccb.name")
    rows = fields(out)
    assert rows[0] == ("44", "0", "LNXA01", "0x0201", "0x05", "0x00",
                       "0x00", "1", "8", "login")
    assert rows[3] == ("496", "42", "LNXA01", "0x0102", "0x02", "0x01",
                       "0x00", "2", "230", "receive EMS")
    assert rows[5] == ("36", "42", "LNXA01", "0x0102", "0x0b", "0x02",
                       "0x08", "0", "0", "no SCD")
    assert rows[6] == ("74", "42", "LNXA01", "0x0201", "0x0a", "0x03",
                       "0x00", "2", "19", "info MSG")


def test_wireshark_evblok_fields(tshark, streams):
    out = tshark(one_per_segment(stream(streams, "session.hex")),
                 "-Y", "naccb.key == 0x01020201", "-T", "fields",
                 "-E", "occurrence=a", "-E", "aggregator=|",
                 *[a for f in ("key", "addtext", "il", "kl", "vl", "sdate",
                               "edate", "stime", "stsec", "etime", "etsec",
                               "days", "et", "ssdt", "esdt")
                   for a in ("-e", f"naccb.evblok.{f}")])
    assert fields(out) == [(
        "KILL|ORA-00600",
        "Cancels a TSO user, e.g. KILL JOKO|"
        "Oracle internal error (see alert.log)",
        "12|17", "4|9", "4|3", "2026-11-21|2028-02-29",
        "2027-03-01|2028-12-31", "08:30:00|00:00:01", "30600|1",
        "17:45:30|23:59:59", "63930|86399",
        "Mon Tue Wed Thu Fri holiday|Sun Sat", "0x02|0x01",
        "2026-11-21|2028-02-29", "2027-03-01|2028-12-31")]


def test_wireshark_eotinfo_fields_and_tree(tshark, streams):
    pkts = one_per_segment(stream(streams, "session.hex"))
    out = tshark(pkts, "-Y", "naccb.key == 0x02010a07", "-T", "fields",
                 *[a for f in ("flag1", "flag2", "flag2.job_name",
                               "flag2.job_id", "flag2.step_name", "job_id",
                               "system", "job_name", "step_name",
                               "proc_step_name", "step_number", "scc", "ucc",
                               "max_cc", "notes")
                   for a in ("-e", f"naccb.eotinfo.{f}")])
    assert fields(out) == [("0x01", "0xa0", "1", "0", "1", "JOB01234",
                            "LNXA01", "PAYROLL", "STEP02", "", "2",
                            "0x0000", "4", "4", "SINR")]
    tree = tshark(pkts, "-Y", "naccb.key == 0x02010a07", "-O", "naccb")
    for line in ("EOTINFO 0: PAYROLL STEP02 SINR",
                 "Notes: SINR (end of step, initiated job, normal end, "
                 "ran remotely)",
                 "1... .... = Job name captured: True",
                 "Key: 0x02010a07 (info EOT)",
                 "Request: information (0x0a)",
                 "Object: EOTINFO (0x07)"):
        assert line in tree, tree


def test_wireshark_tree_names_every_header_field(tshark, streams):
    tree = tshark(one_per_segment(stream(streams, "session.hex")),
                  "-Y", "naccb.key == 0x01020201", "-O", "naccb")
    body = tree[tree.index("zJOS-XDI NACCB"):]
    lines = [line.strip() for line in body.splitlines()]
    assert lines[:16] == [
        "zJOS-XDI NACCB, receive EMS, to agent",
        "Total length: 496",
        "Agent-ID: 42",
        "System name: LNXA01",
        "Key: 0x01020201 (receive EMS)",
        "[Key name: receive EMS]",
        "Direction: to agent (0x0102)",
        "Request: save (0x02)",
        "Object: EMS parameter table (0x01)",
        "Error code: no error (0x00)",
        "OS code: 0x00",
        "Coding convention: 0x00",
        "Unused: 0x00",
        "Forward pointer: 0x00000000",
        "Object count: 2",
        "Object size: 230",
    ]
    assert 'EVBLOK 0: command "KILL"' in lines
    assert "Valid days: Sun Sat" in lines
    assert "SDATE (start date): 2028-02-29" in lines
    assert "STSEC (start, seconds): 30600 (08:30:00)" in lines


# Every other golden stream: key, Info and expert items of each NACCB, by
# hand from the stream's comments.  The host's error answers are notes
# ("the host answers ..."); a rule the agent broke is named as libnaccb
# names it, or by the server's rule (docs/wireshark.md).
HOST_ANSWERS = "the host answers "
GOLDEN = {
    "reject.hex": ("037", [
        ("0x02010500", "login NOSUCH", ""),
        ("0x01020800", "reject NOSUCH: unknown system name (09)",
         HOST_ANSWERS + "reject 09: unknown system name"),
        ("0x02010500", "login LNXA01", "login with an agent-ID other than 0"),
        ("0x01020800", "reject LNXA01: invalid agent ID (01)",
         HOST_ANSWERS + "reject 01: invalid agent ID")]),
    "error.hex": ("037", [
        ("0x01020b03", "error 03 invalid acquired object, object 03 MSG",
         HOST_ANSWERS + "error 03: invalid acquired object"),
        ("0x02010a03", 'info MSG "HELLO"', ""),
        ("0x01020b03", "error 05 invalid information, object 03 MSG",
         HOST_ANSWERS + "error 05: invalid information"),
        ("0x01020b00", "error 05 invalid information, object 00 NONE",
         HOST_ANSWERS + "error 05: invalid information"),
        ("0x01020b01", "error 05 invalid information, object 01 EMS",
         HOST_ANSWERS + "error 05: invalid information")]),
    "no-ems.hex": ("037", [("0x02010901", "acquire EMS", ""),
                           ("0x01020b01", "no EMS", "")]),
    "agent-error.hex": ("037", [
        ("0x01020104", 'exec command "SHUTDOWN -h NOW"', ""),
        ("0x02010b04", 'agent error 04 invalid request, object 04 CMD '
         '"COMMAND NOT ALLOWED"', ""),
        ("0x01020108", "exec job NOJOB", ""),
        ("0x02010b08", "agent error 05 invalid information, object 08 "
         "JOBNAME", "")]),
    # 0x00 padding and a control character are shown by their codes, the
    # Info column drops a text's trailing blanks.
    "raw-fallbacks.hex": ("037", [
        ("0x02010500", r"login LNXA01\x00\x00", ""),
        ("0x02010a03", r'info MSG "ABC\x85DEF"', ""),
        ("0x01020202", "receive SCD 1 EOTINFO", ""),
        ("0x01020104", 'exec command "ECHO HI"', "")]),
    "ascii.hex": ("ascii", [("0x02010500", "login LNXA01", ""),
                            ("0x01020700", "accept id=7", ""),
                            ("0x02010a07", "info EOT backup J NR", "")]),
    "cp1047.hex": ("1047", [("0x01020104", 'exec command "ls [a-z]*"', "")]),
}

FIELDS_WITH_EXPERT = INFO + ["-e", "_ws.expert.message"]


def test_wireshark_every_golden_stream_is_listed(streams):
    assert sorted(p.name for p in streams.glob("*.hex")) == \
        sorted(GOLDEN) + ["session.hex"]


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_wireshark_golden_stream(tshark, streams, name):
    cp, expected = GOLDEN[name]
    out = tshark(one_per_segment(stream(streams, name)),
                 "-o", f"naccb.codepage:{cp}", *FIELDS_WITH_EXPERT)
    assert fields(out) == expected


def test_wireshark_codepage_preference_changes_the_text(tshark, streams):
    # "[" is 0xAD in IBM-1047 but "Ý" in IBM-037.
    pkts = one_per_segment(stream(streams, "cp1047.hex"))
    out = tshark(pkts, "-Y", "naccb", "-T", "fields", "-e", "naccb.text")
    assert out.splitlines() == ["ls Ýa-z¨*"]
    out = tshark(pkts, "-o", "naccb.codepage:1047", "-Y", "naccb", "-T",
                 "fields", "-e", "naccb.text")
    assert out.splitlines() == ["ls [a-z]*"]


def test_wireshark_session_raises_no_expert_item(tshark, streams):
    # No NACCB of the golden session raises an expert item.
    out = tshark(one_per_segment(stream(streams, "session.hex")),
                 *FIELDS_WITH_EXPERT)
    assert [e for _, _, e in fields(out)] == [""] * len(SESSION)


# ---- other ports: the preference, Decode As and the heuristic ------------

def test_wireshark_other_port_needs_the_preference(tshark, streams):
    pkts = one_per_segment(stream(streams, "session.hex"), port=9000)
    # (--disable-heuristic runs before Lua scripts are loaded, so the
    # dissector has a preference of its own.)
    off = ["-o", "naccb.heuristic:FALSE"]
    assert tshark(pkts, *off, *INFO) == ""
    out = tshark(pkts, *off, "-o", "naccb.tcp_ports:9000", *INFO)
    assert fields(out) == SESSION
    # Setting the preference replaces the default port.
    pkts7012 = one_per_segment(stream(streams, "session.hex"))
    assert tshark(pkts7012, *off, "-o", "naccb.tcp_ports:9000", *INFO) == ""


def test_wireshark_heuristic_finds_a_session_on_any_port(tshark, streams):
    pkts = coalesced_and_split(stream(streams, "session.hex"), port=9123)
    out = tshark(pkts, "-Y", "naccb", "-T", "fields", "-e", "_ws.col.Info")
    assert "; ".join(out.splitlines()) == "; ".join(i for _, i in SESSION)


def test_wireshark_heuristic_leaves_other_traffic_alone(tshark):
    s = Session(port=8080)
    s.send(True, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    s.send(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    # 36 bytes that look like a header but whose direction is 0x0303.
    s.send(True, bytes.fromhex("00000024" "00000000" "4040404040404040"
                               "03030500" "00000000" "00000000" "00000000"
                               "00000000"))
    assert tshark(s.close(), "-Y", "naccb") == ""


# ---- broken NACCBs: expert items, never a dissector error ----------------

INVALID = {
    "acquire-object.hex": [
        ("0x02010903", "acquire object 03",
         "NACCB_EOBJECT: object code not valid for this request")],
    "eotinfo-bad-notes.hex": [
        ("0x02010a07", "info EOT PAYROLL STEP02 SINL",
         "NACCB_ENOT_REMOTE: notes[3] is not R (an agent always sends R)")],
    "evblok-bad-date.hex": [
        ("0x01020201", "receive EMS 1 EVBLOK",
         "NACCB_EDAY_OF_YEAR: Julian day outside 001..365 (366 in leap "
         "years)")],
    "length-35.hex": [
        ("0x02010600", "logout id=42", ""),
        ("", "lost framing: total length 35",
         "NACCB_ELENGTH_SHORT: total length is below the 36-byte header "
         "(total length 35),framing is lost: nothing after this NACCB can "
         "be trusted")],
    "length-mismatch.hex": [
        ("0x02010600", "logout id=42",
         "NACCB_ELENGTH_MISMATCH: total length is not 36 + count * size "
         "(36 + 0 * 0 = 36)"),
        ("0x02010600", "logout id=42", "")],
    # The accept cut off by the end of the capture is never complete, so
    # TCP hands it to no dissector (docs/wireshark.md, limits).
    "truncated.hex": [
        ("0x02010500", "login LNXA01 with password", "")],
}


def test_wireshark_every_invalid_stream_is_listed(streams):
    names = sorted(p.name for p in (streams / "invalid").glob("*.hex"))
    assert names == sorted(list(INVALID) + ["bad-hex.hex"])


@pytest.mark.parametrize("name", sorted(INVALID))
def test_wireshark_invalid_stream_gives_expert_items(tshark, streams, name):
    data = stream(streams, "invalid/" + name)
    out = tshark(one_per_segment(data), *FIELDS_WITH_EXPERT)
    assert fields(out) == INVALID[name]


def test_wireshark_invalid_expert_items_name_libnaccb_rules(tshark, streams,
                                                            find_tool):
    # The rule of every broken object or header is the one `naccb decode`
    # (libnaccb itself) reports for the same bytes.
    import json
    naccb = find_tool("naccb")
    for name in ("acquire-object.hex", "eotinfo-bad-notes.hex",
                 "evblok-bad-date.hex", "length-mismatch.hex"):
        data = stream(streams, "invalid/" + name)
        dec = subprocess.run([str(naccb), "decode"], input=data,
                             capture_output=True, timeout=60)
        rules = [e["rule"] for line in dec.stdout.decode().splitlines()
                 for e in json.loads(line).get("errors", [])]
        out = tshark(one_per_segment(data), "-Y", "naccb", "-T", "fields",
                     "-e", "_ws.expert.message")
        seen = [m.split(":")[0] for line in out.splitlines()
                for m in line.split(",") if m.startswith("NACCB_")]
        assert seen == rules, name


def test_wireshark_lost_framing_is_sticky(tshark, streams):
    # After a total length below 36 every later byte of that direction is
    # untrusted, even in a later segment; the other direction goes on.
    data = stream(streams, "invalid/length-35.hex")
    logout, bad = naccbs(data)
    s = Session()
    s.send(True, logout)
    s.send(True, bad)
    s.send(True, logout)
    s.send(False, naccbs(stream(streams, "no-ems.hex"))[1])
    out = tshark(s.close(), "-Y", "naccb", "-T", "fields", "-e",
                 "_ws.col.Info")
    assert out.splitlines() == ["logout id=42",
                                "lost framing: total length 35",
                                "bytes after lost framing", "no EMS"]


def test_wireshark_full_tree_of_every_stream_has_no_lua_error(tshark,
                                                              streams):
    # -V dissects every field of every NACCB; the fixture fails on any
    # "Lua Error" or "Malformed Packet" line and on anything tshark writes to
    # stderr besides the root warning.
    names = sorted(p.name for p in streams.glob("*.hex")) + \
        ["invalid/" + n for n in sorted(INVALID)]
    for name in names:
        data = stream(streams, name)
        for pkts in (one_per_segment(data), coalesced_and_split(data)):
            out = tshark(pkts, "-V")
            assert "zJOS-XDI NACCB" in out, name
            assert "Dissector bug" not in out, name


def test_wireshark_installed_dissector_loads_alone(build_dir, tmp_path,
                                                   streams):
    # `cmake --install` puts one self-contained naccb.lua (the generated
    # tables inside) under share/xdi-emu/wireshark; copied anywhere, it
    # needs nothing from the build or source tree.
    cmake = os.environ.get("XDI_CMAKE") or shutil.which("cmake")
    prefix = tmp_path / "prefix"
    p = subprocess.run([cmake, "--install", str(build_dir), "--prefix",
                        str(prefix), "--component", "Unspecified"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    lua = tmp_path / "elsewhere" / "naccb.lua"
    lua.parent.mkdir()
    shutil.copy(prefix / "share" / "xdi-emu" / "wireshark" / "naccb.lua", lua)
    pcap = tmp_path / "s.pcap"
    wrpcap(str(pcap), one_per_segment(stream(streams, "no-ems.hex")))
    home = tmp_path / "home"
    home.mkdir()
    p = subprocess.run([TSHARK, "-n", "-X", f"lua_script:{lua}", "-r",
                        str(pcap), "-Y", "naccb", "-T", "fields", "-e",
                        "_ws.col.Info"], env={"HOME": str(home),
                                              "PATH": "/usr/bin:/bin"},
                       capture_output=True, text=True, timeout=120,
                       cwd=str(tmp_path))
    assert p.stdout.splitlines() == ["acquire EMS", "no EMS"], p.stderr


# One byte changed in a golden stream -> the rule libnaccb names for it.
# (stream, stream offset, new byte, rule); offsets from the streams'
# comments: session.hex has EVBLOK 0 at 152 and its EOTINFO report at 794,
# raw-fallbacks.hex its SCD table entry at 115.
MUTATIONS = [
    ("session.hex", 152 + 139, 0x15, "NACCB_EKEY_LENGTH"),
    ("session.hex", 152 + 137, 0x0D, "NACCB_EID_LENGTH"),
    ("session.hex", 152 + 141, 0x05, "NACCB_EVERB_LENGTH"),
    ("session.hex", 152 + 143, 0x1A, "NACCB_EBCD_DIGIT"),
    ("session.hex", 152 + 142, 0x12, "NACCB_EBCD_ZONE"),
    ("session.hex", 152 + 148, 0x50, "NACCB_EDATE_ORDER"),
    ("session.hex", 152 + 150, 0x24, "NACCB_EHOUR"),
    ("session.hex", 152 + 153, 0x01, "NACCB_ETIME_FILLER"),
    ("session.hex", 152 + 157, 0x89, "NACCB_ESECONDS_MISMATCH"),
    ("session.hex", 152 + 158, 0x07, "NACCB_ETIME_ORDER"),
    ("session.hex", 152 + 166, 0x02, "NACCB_EDAY_LIST"),
    ("session.hex", 152 + 174, 0x07, "NACCB_EEVENT_TYPE"),
    ("session.hex", 152 + 180, 0x01, "NACCB_ERESERVED"),
    ("session.hex", 152 + 193, 0x22, "NACCB_ESTDDATE_MISMATCH"),
    ("session.hex", 794 + 154, 0xC1, "NACCB_ENOTES"),
    ("session.hex", 794 + 147, 0x00, "NACCB_ESTEP_NUMBER"),
    ("session.hex", 794 + 160, 0x01, "NACCB_ERESERVED"),
    ("raw-fallbacks.hex", 115 + 81, 0x00, "NACCB_EFLAG2"),
    ("raw-fallbacks.hex", 115 + 153, 0x04, "NACCB_ESTATUS_IN_TABLE"),
    ("session.hex", 80 + 19, 0x03, "NACCB_EOBJECT"),
    ("session.hex", 80 + 18, 0x01, "NACCB_EREQUEST"),
    ("session.hex", 956 + 35, 0x00, "NACCB_ELENGTH_MISMATCH"),
]


@pytest.mark.parametrize("name,offset,byte,rule", MUTATIONS)
def test_wireshark_rule_of_a_changed_byte(tshark, streams, find_tool, name,
                                          offset, byte, rule):
    import json
    data = bytearray(stream(streams, name))
    assert data[offset] != byte
    data[offset] = byte
    data = bytes(data)
    dec = subprocess.run([str(find_tool("naccb")), "decode"], input=data,
                         capture_output=True, timeout=60)
    rules = [e["rule"] for line in dec.stdout.decode().splitlines()
             for e in json.loads(line).get("errors", [])]
    assert rules == [rule]  # the mutation itself is right
    out = tshark(one_per_segment(data), "-Y", "naccb", "-T", "fields",
                 "-e", "_ws.expert.message")
    seen = [m.split(":")[0] for line in out.splitlines()
            for m in line.split(",") if m.startswith("NACCB_")]
    # The codec stops at an object's first broken rule, the dissector
    # shows every one, in offset order (a later EDATE also breaks ESDT).
    assert seen[:1] == [rule], seen
    # and the item is a filter of its own
    abbrev = "naccb.rule." + rule[len("NACCB_"):].lower()
    assert tshark(one_per_segment(data), "-Y", abbrev, "-T", "fields",
                  "-e", "frame.number") != ""


def test_wireshark_decode_as(tshark, streams):
    pkts = one_per_segment(stream(streams, "no-ems.hex"), port=9000)
    out = tshark(pkts, "-o", "naccb.heuristic:FALSE", "-d",
                 "tcp.port==9000,naccb", "-Y", "naccb", "-T", "fields",
                 "-e", "_ws.col.Info")
    assert out.splitlines() == ["acquire EMS", "no EMS"]


# ---- a real session: xdi-agent and xdi-server --capture -------------------

# The session of test_replay_play.capture_session, NACCB by NACCB, as a
# person reads it (written from the session's script: LOOPA logs in, gets
# agent-ID 1 from a fresh server, acquires both tables - fixtures/e2e
# gives LOOPA 3 EVBLOKs and 1 SCD entry -, reports KILL JOKO, gets the
# exec command of the KILL action, reports it, logs out).
REAL_SESSION = [
    ("0x02010500", "login LOOPA"),
    ("0x01020700", "accept id=1"),
    ("0x02010901", "acquire EMS"),
    ("0x02010902", "acquire SCD"),
    ("0x01020201", "receive EMS 3 EVBLOKs"),
    ("0x01020202", "receive SCD 1 EOTINFO"),
    ("0x02010a03", 'info MSG "KILL JOKO"'),
    ("0x01020104", 'exec command "CANCEL U=JOKO"'),
    ("0x02010a04", 'info CMD "CANCEL U=JOKO"'),
    ("0x02010600", "logout id=1"),
]


def test_wireshark_real_server_capture(tshark, tmp_path, xdi_server_factory):
    """xdi-server's own capture of a real session, on a port the kernel
    chose (so the heuristic finds it): every NACCB shown by name.  A
    segment may carry several NACCBs (the agent's two acquires often leave
    in one write): the info column joins them with "; "."""
    from test_replay_play import capture_session
    cap = capture_session(tmp_path, xdi_server_factory)
    pkts = scapy_all.rdpcap(str(cap))
    out = tshark(pkts, "-Y", "naccb", "-T", "fields", "-e", "naccb.key",
                 "-e", "_ws.col.Info")
    got = []
    for keys, info in fields(out):
        ks, infos = keys.split(","), info.split("; ")
        assert len(ks) == len(infos), (keys, info)
        got += list(zip(ks, infos))
    # The two acquires and the two tables may interleave (the server
    # answers the first acquire before it reads the second, or not);
    # everything else is in this order.
    assert sorted(got) == sorted(REAL_SESSION), got
    assert got[:2] == REAL_SESSION[:2] and got[-4:] == REAL_SESSION[-4:]
    assert got.index(REAL_SESSION[2]) < got.index(REAL_SESSION[4])
    assert got.index(REAL_SESSION[3]) < got.index(REAL_SESSION[5])


def real_session_names(tshark, pkts):
    out = tshark(pkts, "-Y", "naccb", "-T", "fields", "-e", "naccb.key",
                 "-e", "_ws.col.Info")
    got = []
    for keys, info in fields(out):
        ks, infos = keys.split(","), info.split("; ")
        assert len(ks) == len(infos), (keys, info)
        got += list(zip(ks, infos))
    return got


def test_wireshark_tcpdump_capture(tshark, tmp_path, xdi_server_factory):
    """The same session captured by tcpdump on lo (Ethernet frames, the
    kernel's segmentation): every NACCB by name."""
    from test_replay_play import tcpdump_session
    dump = tcpdump_session(tmp_path, xdi_server_factory)
    got = real_session_names(tshark, scapy_all.rdpcap(str(dump)))
    assert sorted(got) == sorted(REAL_SESSION), got
    assert got[:2] == REAL_SESSION[:2] and got[-4:] == REAL_SESSION[-4:]
