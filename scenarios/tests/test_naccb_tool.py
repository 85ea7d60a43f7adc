"""Scenarios of the `naccb` command-line tool (docs/naccb-tool.md).

The golden streams in fixtures/streams/ are written by hand from the
protocol notes as annotated hex; this file turns them into bytes itself
(strip '#' comments, bytes.fromhex), so neither the bytes nor the expected
values below come from the tool under test.  Every golden stream must
decode cleanly, decode to the values written here, and come back byte for
byte through `naccb decode | naccb encode`.  The invalid streams check the
documented exit codes and that each error names its offset (decode) or its
line (encode), its field and its rule.
"""

import json
import os
import pty
import subprocess

import pytest

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_IO = 0, 1, 2, 3

# Golden stream -> the code page its character fields are in.
GOLDEN = {
    "session.hex": "037",
    "reject.hex": "037",
    "error.hex": "037",
    "no-ems.hex": "037",
    "agent-error.hex": "037",
    "raw-fallbacks.hex": "037",
    "ascii.hex": "ascii",
    "cp1047.hex": "1047",
}


def hex_to_bytes(text):
    """The annotated hex format: '#' starts a comment, blanks separate."""
    digits = "".join(line.split("#", 1)[0] for line in text.splitlines())
    return bytes.fromhex("".join(digits.split()))


@pytest.fixture(scope="module")
def naccb(find_tool):
    return find_tool("naccb")


@pytest.fixture(scope="module")
def streams(source_dir):
    return source_dir / "fixtures" / "streams"


def run(tool, *args, data=b""):
    return subprocess.run([str(tool), *args], input=data,
                          capture_output=True, timeout=60)


def lines(proc):
    return [json.loads(line) for line in proc.stdout.decode().splitlines()]


def stream(streams, name):
    return hex_to_bytes((streams / name).read_text(encoding="utf-8"))


def decode(naccb, streams, name, *extra):
    proc = run(naccb, "decode", "--codepage", GOLDEN.get(name, "037"),
               *extra, data=stream(streams, name))
    return proc, lines(proc)


# ---- every golden stream -------------------------------------------------

def test_naccb_tool_every_golden_stream_is_listed(streams):
    # A new golden file must get a code page (and so these tests) here.
    assert sorted(p.name for p in streams.glob("*.hex")) == sorted(GOLDEN)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_naccb_tool_golden_decodes_cleanly(naccb, streams, name):
    data = stream(streams, name)
    proc, out = decode(naccb, streams, name)
    assert proc.returncode == EXIT_OK, proc.stderr.decode()
    assert proc.stderr == b""
    # The NACCBs tile the stream: each starts where the one before ended.
    offset = 0
    for line in out:
        assert line["offset"] == offset
        assert "errors" not in line
        offset += line["total_length"]
    assert offset == len(data)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_naccb_tool_golden_round_trips(naccb, streams, name):
    cp = GOLDEN[name]
    data = stream(streams, name)
    dec = run(naccb, "decode", "--codepage", cp, data=data)
    assert dec.returncode == EXIT_OK, dec.stderr.decode()
    enc = run(naccb, "encode", "--codepage", cp, data=dec.stdout)
    assert enc.returncode == EXIT_OK, enc.stderr.decode()
    assert enc.stdout == data


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_naccb_tool_golden_same_json_from_hex_chunks_and_bytes(
        naccb, streams, name):
    # --hex feeds the framer one text line at a time, --chunk 1 one byte at
    # a time: reassembly must not change a single decoded field.
    cp = GOLDEN[name]
    whole = run(naccb, "decode", "--codepage", cp, data=stream(streams, name))
    hexed = run(naccb, "decode", "--hex", "--codepage", cp,
                str(streams / name))
    bytewise = run(naccb, "decode", "--chunk", "1", "--codepage", cp,
                   data=stream(streams, name))
    assert whole.returncode == hexed.returncode == bytewise.returncode == 0
    assert hexed.stdout == whole.stdout
    assert bytewise.stdout == whole.stdout


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_naccb_tool_golden_hex_output_reads_back(naccb, streams, name):
    cp = GOLDEN[name]
    data = stream(streams, name)
    dec = run(naccb, "decode", "--codepage", cp, data=data)
    hex_text = run(naccb, "encode", "--hex", "--codepage", cp,
                   data=dec.stdout)
    assert hex_text.returncode == EXIT_OK
    assert hex_to_bytes(hex_text.stdout.decode()) == data


# ---- session.hex, field by field -----------------------------------------

SESSION_KEYS = [
    (0, "02010500", "login"),
    (44, "01020700", "accept"),
    (80, "02010901", "acquire EMS"),
    (116, "01020201", "receive EMS"),
    (612, "02010902", "acquire SCD"),
    (648, "01020B02", "no SCD"),
    (684, "02010A03", "info MSG"),
    (758, "02010A07", "info EOT"),
    (956, "01020104", "exec command"),
    (1005, "01020108", "exec job"),
    (1049, "01020400", "shutdown"),
    (1085, "02010600", "logout"),
]

EVBLOK_KILL = {
    "kind": "evblok", "offset": 152,
    "system_name": "LNXA01", "event_key": "KILL",
    "additional_text": "Cancels a TSO user, e.g. KILL JOKO",
    "il": 12, "kl": 4, "vl": 4,
    "sdate": "2026-11-21", "edate": "2027-03-01",
    "stime": "08:30:00", "stsec": 30600,
    "etime": "17:45:30", "etsec": 63930,
    "day_list": [0, 1, 1, 1, 1, 1, 0, 1],
    "event_type": 2, "event_type_name": "command",
    "reserved_hex": "00" * 15,
    "ssdt": "2026-11-21", "esdt": "2027-03-01",
    "user_area_hex": "".join("%02X" % b for b in range(1, 33)),
}

EVBLOK_ORA = {
    "kind": "evblok", "offset": 382,
    "system_name": "LNXA01", "event_key": "ORA-00600",
    "additional_text": "Oracle internal error (see alert.log)",
    "il": 17, "kl": 9, "vl": 3,
    "sdate": "2028-02-29", "edate": "2028-12-31",
    "stime": "00:00:01", "stsec": 1,
    "etime": "23:59:59", "etsec": 86399,
    "day_list": [1, 0, 0, 0, 0, 0, 1, 0],
    "event_type": 1, "event_type_name": "message",
    "reserved_hex": "00" * 15,
    "ssdt": "2028-02-29", "esdt": "2028-12-31",
    "user_area_hex": "DEADBEEF" + "00" * 24 + "CAFEF00D",
}

EOTINFO_PAYROLL = {
    "kind": "eotinfo", "offset": 794,
    "work_area1_hex": "00007F3A12345678" + "00" * 32,
    "work_area2_hex": "00" * 40,
    "flag1": 1, "flag2": 0xA0, "flag2_captured": ["job_name", "step_name"],
    "reserved1_hex": "00" * 24,
    "job_id": "JOB01234", "system_name": "LNXA01", "job_name": "PAYROLL",
    "step_name": "STEP02", "proc_step_name": "",
    "step_number": 2, "scc": 0, "ucc": 4, "max_cc": 4,
    "notes": "SINR", "reserved2_hex": "00000000",
}


@pytest.fixture(scope="module")
def session(naccb, streams):
    proc, out = decode(naccb, streams, "session.hex")
    assert proc.returncode == EXIT_OK, proc.stderr.decode()
    return out


def test_naccb_tool_session_keys_and_names(session):
    assert [(n["offset"], n["key"], n["key_name"]) for n in session] == \
        SESSION_KEYS


def test_naccb_tool_session_login_header_every_field(session):
    assert {k: v for k, v in session[0].items() if k != "objects"} == {
        "offset": 0, "total_length": 44, "agent_id": 0,
        "system_name": "LNXA01", "direction": 0x0201, "request": 5,
        "object": 0, "error_code": 0, "os_code": 0, "coding": 0,
        "unused": 0, "forward": 0, "count": 1, "size": 8,
        "key": "02010500", "key_name": "login",
        "direction_name": "to server", "request_name": "login",
        "object_name": "none", "error_name": "no error",
    }
    assert session[0]["objects"] == [
        {"kind": "password", "offset": 36, "password": "SECRET1"}]


def test_naccb_tool_session_accept_carries_agent_id(session):
    accept = session[1]
    assert accept["agent_id"] == 42
    assert accept["direction"] == 0x0102
    assert accept["direction_name"] == "to agent"
    assert accept["count"] == accept["size"] == 0
    assert accept["objects"] == []


def test_naccb_tool_session_receive_ems_evbloks(session):
    ems = session[3]
    assert (ems["count"], ems["size"], ems["total_length"]) == (2, 230, 496)
    assert ems["request_name"] == "save"
    assert ems["object_name"] == "EMS parameter table"
    assert ems["objects"] == [EVBLOK_KILL, EVBLOK_ORA]


def test_naccb_tool_session_no_scd_error_08(session):
    no_scd = session[5]
    assert no_scd["error_code"] == 8
    assert no_scd["error_name"] == "parameters/table not available"
    assert no_scd["key_name"] == "no SCD"


def test_naccb_tool_session_info_msg_two_texts(session):
    msg = session[6]
    assert msg["forward"] == 0x00012340
    assert (msg["count"], msg["size"]) == (2, 19)
    assert msg["objects"] == [
        {"kind": "text", "offset": 720, "text": "ORA-00600: DB1 DOWN"},
        {"kind": "text", "offset": 739, "text": "ORA-00600: db2 gone"},
    ]


def test_naccb_tool_session_info_eot(session):
    eot = session[7]
    assert eot["os_code"] == 2
    assert eot["objects"] == [EOTINFO_PAYROLL]


def test_naccb_tool_session_exec_command_and_job(session):
    assert session[8]["objects"] == [
        {"kind": "text", "offset": 992, "text": "CANCEL U=JOKO"}]
    assert session[9]["objects"] == [
        {"kind": "job_name", "offset": 1041, "job_name": "PAYROLL"}]


def test_naccb_tool_session_shutdown_and_logout(session):
    assert session[10]["request_name"] == "shutdown"
    assert session[11]["request_name"] == "logout"
    assert session[11]["agent_id"] == 42


# ---- the error NACCBs ----------------------------------------------------

def test_naccb_tool_reject_error_codes(naccb, streams):
    _, out = decode(naccb, streams, "reject.hex")
    assert [n["key_name"] for n in out] == ["login", "reject"] * 2
    assert out[0]["system_name"] == "NOSUCH"
    assert (out[1]["error_code"], out[1]["error_name"]) == \
        (9, "unknown system name")
    assert out[2]["agent_id"] == 5
    assert (out[3]["error_code"], out[3]["error_name"]) == \
        (1, "invalid agent ID")


def test_naccb_tool_server_errors_need_the_error_byte(naccb, streams):
    _, out = decode(naccb, streams, "error.hex")
    assert [(n["key"], n["error_code"], n["key_name"]) for n in out] == [
        ("01020B03", 3, "error"),
        ("02010A03", 0, "info MSG"),
        ("01020B03", 5, "error"),
        ("01020B00", 5, "error"),
        # The no-EMS key, but error 05: an error, not "no EMS".
        ("01020B01", 5, "error"),
    ]
    assert out[1]["objects"][0]["text"] == "HELLO"


def test_naccb_tool_no_ems_is_error_08(naccb, streams):
    _, out = decode(naccb, streams, "no-ems.hex")
    assert [(n["key"], n["error_code"], n["key_name"]) for n in out] == [
        ("02010901", 0, "acquire EMS"), ("01020B01", 8, "no EMS")]


def test_naccb_tool_agent_errors(naccb, streams):
    _, out = decode(naccb, streams, "agent-error.hex")
    assert [(n["key"], n["key_name"]) for n in out] == [
        ("01020104", "exec command"), ("02010B04", "agent error"),
        ("01020108", "exec job"), ("02010B08", "agent error")]
    assert out[0]["objects"][0]["text"] == "SHUTDOWN -h NOW"
    assert out[1]["error_name"] == "invalid request"
    assert out[1]["objects"] == [
        {"kind": "text", "offset": 87, "text": "COMMAND NOT ALLOWED"}]
    assert out[3]["error_name"] == "invalid information"
    assert out[3]["objects"] == []


# ---- code pages ----------------------------------------------------------

def test_naccb_tool_ascii_codepage_but_notes_stay_ebcdic(naccb, streams):
    _, out = decode(naccb, streams, "ascii.hex")
    eot = out[2]["objects"][0]
    assert out[0]["system_name"] == "LNXA01"
    assert eot["job_name"] == "backup"
    assert eot["job_id"] == ""
    # Notes letters are EBCDIC in every mode; the blank is kept.
    assert eot["notes"] == "J NR"
    assert eot["max_cc"] == 1


def test_naccb_tool_codepage_option_is_used(naccb, streams):
    data = stream(streams, "ascii.hex")
    as037 = lines(run(naccb, "decode", data=data))
    # ASCII bytes read as IBM-037 are not "LNXA01" (0x20 is not a blank).
    assert "system_name" not in as037[0] or \
        as037[0]["system_name"] != "LNXA01"


def test_naccb_tool_cp1047_brackets(naccb, streams):
    _, out = decode(naccb, streams, "cp1047.hex")
    assert out[0]["objects"][0]["text"] == "ls [a-z]*"
    # The same bytes in IBM-037: 0xAD is Y-acute, 0xBD a diaeresis.
    as037 = lines(run(naccb, "decode", data=stream(streams, "cp1047.hex")))
    assert as037[0]["objects"][0]["text"] == "ls \u00dda-z\u00a8*"


def test_naccb_tool_encode_codepage_1047(naccb, streams):
    line = {"agent_id": 42, "system_name": "LNXA01", "direction": 0x0102,
            "request": 1, "object": 4, "error_code": 0,
            "objects": [{"kind": "text", "text": "ls [a-z]*"}]}
    enc = run(naccb, "encode", "--codepage", "1047",
              data=json.dumps(line).encode())
    assert enc.returncode == EXIT_OK, enc.stderr.decode()
    assert enc.stdout == stream(streams, "cp1047.hex")


# ---- raw hex fallbacks ---------------------------------------------------

def test_naccb_tool_raw_fallbacks(naccb, streams):
    _, out = decode(naccb, streams, "raw-fallbacks.hex")
    login, msg, scd, cmd = out
    # 0x00 padding has no readable form that gives the bytes back.
    assert "system_name" not in login
    assert login["system_name_hex"] == "D3D5E7C1F0F10000"
    assert msg["objects"][0] == {"kind": "text", "offset": 72,
                                 "text_hex": "C1C2C315C4C5C6"}
    entry = scd["objects"][0]
    assert entry["job_id_hex"] == "00" * 8 and "job_id" not in entry
    assert entry["notes_hex"] == "00000000" and "notes" not in entry
    assert entry["job_name"] == "PAYROLL"
    # A text object is not a fixed field: its trailing blanks are text.
    assert cmd["objects"][0]["text"] == "ECHO HI  "


def test_naccb_tool_encode_computes_lengths(naccb, streams):
    # Hand-written JSON without total_length/count/size: the exec command
    # of session.hex at offsets 956..1004.
    line = {"agent_id": 42, "system_name": "LNXA01", "direction": 258,
            "request": 1, "object": 4, "error_code": 0,
            "objects": [{"kind": "text", "text": "CANCEL U=JOKO"}]}
    enc = run(naccb, "encode", data=json.dumps(line).encode() + b"\n")
    assert enc.returncode == EXIT_OK, enc.stderr.decode()
    assert enc.stdout == stream(streams, "session.hex")[956:1005]


# ---- invalid streams: decode ---------------------------------------------

def invalid(naccb, streams, name, *extra):
    proc = run(naccb, "decode", *extra,
               data=stream(streams, "invalid/" + name))
    return proc, lines(proc), proc.stderr.decode()


# The framer sees the stream whole, a byte at a time, in odd pieces, or a
# hex line at a time: the error must name the same offset and numbers.
CHUNKINGS = [(), ("--chunk", "1"), ("--chunk", "7"), ("--hex",)]


def invalid_chunked(naccb, streams, name, chunking):
    if chunking == ("--hex",):
        proc = run(naccb, "decode", "--hex",
                   str(streams / "invalid" / name))
        return proc, lines(proc), proc.stderr.decode()
    return invalid(naccb, streams, name, *chunking)


@pytest.mark.parametrize("chunking", CHUNKINGS)
def test_naccb_tool_truncated_names_offset_and_missing(
        naccb, streams, chunking):
    proc, out, err = invalid_chunked(naccb, streams, "truncated.hex",
                                     chunking)
    assert proc.returncode == EXIT_INVALID
    assert [n["key_name"] for n in out] == ["login"]
    assert "offset 44" in err
    assert "total length 36, got 20 bytes, 16 bytes missing" in err


@pytest.mark.parametrize("chunking", CHUNKINGS[:3])
def test_naccb_tool_truncated_inside_total_length(naccb, chunking):
    proc = run(naccb, "decode", *chunking,
               data=bytes.fromhex("00000024" * 9 + "0000"))
    err = proc.stderr.decode()
    assert proc.returncode == EXIT_INVALID
    assert len(lines(proc)) == 1
    assert "offset 36" in err
    assert "got 2 bytes" in err and "at least 34 bytes missing" in err


@pytest.mark.parametrize("chunking", CHUNKINGS)
def test_naccb_tool_total_length_35_loses_framing(naccb, streams, chunking):
    proc, out, err = invalid_chunked(naccb, streams, "length-35.hex",
                                     chunking)
    assert proc.returncode == EXIT_INVALID
    assert [n["key_name"] for n in out] == ["logout"]
    assert "offset 36" in err
    assert "total_length = 35" in err and "NACCB_ELENGTH_SHORT" in err


def test_naccb_tool_max_size_loses_framing(naccb, streams):
    proc = run(naccb, "decode", "--max-size", "200",
               data=stream(streams, "session.hex"))
    err = proc.stderr.decode()
    assert proc.returncode == EXIT_INVALID
    assert len(lines(proc)) == 3  # login, accept, acquire EMS
    assert "offset 116" in err and "NACCB_ELENGTH_MAX" in err


def test_naccb_tool_invalid_evblok_date_still_printed(naccb, streams):
    proc, out, err = invalid(naccb, streams, "evblok-bad-date.hex")
    assert proc.returncode == EXIT_INVALID
    evblok = out[0]["objects"][0]
    assert evblok["sdate_hex"] == "02025366" and "sdate" not in evblok
    assert evblok["edate"] == "2027-03-01"
    assert out[0]["errors"] == [{
        "offset": 178, "object": 0, "field": "sdate",
        "rule": "NACCB_EDAY_OF_YEAR",
        "message": "Julian day outside 001..365 (366 in leap years)"}]
    assert "offset 178" in err and "sdate" in err
    assert "NACCB_EDAY_OF_YEAR" in err


def test_naccb_tool_invalid_eotinfo_notes_in_report(naccb, streams):
    proc, out, err = invalid(naccb, streams, "eotinfo-bad-notes.hex")
    assert proc.returncode == EXIT_INVALID
    assert out[0]["objects"][0]["notes"] == "SINL"
    [e] = out[0]["errors"]
    # The codec points at notes[3]: 36 + 154 + 3.
    assert (e["offset"], e["field"], e["rule"]) == \
        (193, "notes", "NACCB_ENOT_REMOTE")
    assert "offset 193" in err


def test_naccb_tool_invalid_object_code_for_request(naccb, streams):
    proc, out, err = invalid(naccb, streams, "acquire-object.hex")
    assert proc.returncode == EXIT_INVALID
    assert out[0]["errors"] == [{
        "offset": 19, "field": "object", "rule": "NACCB_EOBJECT",
        "message": "object code not valid for this request"}]
    assert "offset 19" in err and "NACCB_EOBJECT" in err


def test_naccb_tool_length_mismatch_keeps_framing(naccb, streams):
    proc, out, err = invalid(naccb, streams, "length-mismatch.hex")
    assert proc.returncode == EXIT_INVALID
    assert [n["offset"] for n in out] == [0, 40]
    assert out[0]["body_hex"] == "DEADBEEF" and "objects" not in out[0]
    assert out[0]["errors"][0]["rule"] == "NACCB_ELENGTH_MISMATCH"
    assert out[0]["errors"][0]["offset"] == 0
    assert "errors" not in out[1]
    assert "offset 0" in err


@pytest.mark.parametrize("name", ["evblok-bad-date.hex",
                                  "eotinfo-bad-notes.hex",
                                  "acquire-object.hex",
                                  "length-mismatch.hex"])
def test_naccb_tool_invalid_but_framed_streams_round_trip(
        naccb, streams, name):
    data = stream(streams, "invalid/" + name)
    dec = run(naccb, "decode", data=data)
    assert dec.returncode == EXIT_INVALID
    enc = run(naccb, "encode", data=dec.stdout)
    assert enc.returncode == EXIT_OK, enc.stderr.decode()
    assert enc.stdout == data


def test_naccb_tool_bad_hex_names_line_and_column(naccb, streams):
    proc = run(naccb, "decode", "--hex", str(streams / "invalid/bad-hex.hex"))
    err = proc.stderr.decode()
    assert proc.returncode == EXIT_INVALID
    assert "line 5, column 17" in err and "'G'" in err


# ---- decode as a debugger: lost framing, resync, wrong count, hex ---------
#
# session.hex's NACCBs start at 0 (login), 44 (accept), 80 (acquire EMS),
# 116 (receive EMS, 2 EVBLOKs of 230 bytes), 612, ...: the bad streams are
# made from it by hand, one field changed.

SESSION_OFFSETS = [0, 44, 80, 116, 612]


def session_with(streams, at, value):
    """session.hex with the fullword at byte `at` replaced."""
    data = bytearray(stream(streams, "session.hex"))
    data[at:at + 4] = value.to_bytes(4, "big")
    return bytes(data)


@pytest.mark.parametrize("chunking", CHUNKINGS[:3])
def test_naccb_tool_lost_framing_shows_header_and_next_offset(
        naccb, streams, chunking):
    # The acquire EMS at 80 claims 2 GiB: its header is still shown, and
    # the next plausible header (the receive EMS at 116) is named.
    proc = run(naccb, "decode", *chunking,
               data=session_with(streams, 80, 0x7FFFFFFF))
    err = proc.stderr.decode()
    assert proc.returncode == EXIT_INVALID
    assert [n["offset"] for n in lines(proc)] == [0, 44]
    assert "offset 80: header field total_length = 2147483647" in err
    assert "NACCB_ELENGTH_MAX" in err
    header = json.loads(err.split("offset 80: its header: ", 1)[1]
                        .splitlines()[0])
    assert header["key_name"] == "acquire EMS" and header["agent_id"] == 42
    assert "offset 116: the next plausible NACCB header starts here" in err
    assert "--resync" in err


@pytest.mark.parametrize("chunking", CHUNKINGS[:3])
def test_naccb_tool_resync_decodes_on_after_lost_framing(
        naccb, streams, chunking):
    whole = lines(run(naccb, "decode", data=stream(streams, "session.hex")))
    proc = run(naccb, "decode", "--resync", *chunking,
               data=session_with(streams, 80, 0x7FFFFFFF))
    err = proc.stderr.decode()
    # Still invalid input, but every NACCB but the bad one is decoded,
    # exactly as in the good stream.
    assert proc.returncode == EXIT_INVALID
    assert lines(proc) == whole[:2] + whole[3:]
    assert "offset 116: resynchronised" in err and "36 bytes skipped" in err


def test_naccb_tool_wrong_length_cascade_resyncs(naccb, streams):
    # The receive EMS at 116 says 10 bytes too many: it swallows the start
    # of the next NACCB, whose "total length" is then junk.  --resync finds
    # the real NACCB after it and decodes the rest of the session.
    whole = lines(run(naccb, "decode", data=stream(streams, "session.hex")))
    proc = run(naccb, "decode", "--resync",
               data=session_with(streams, 116, 496 + 10))
    out = lines(proc)
    err = proc.stderr.decode()
    assert proc.returncode == EXIT_INVALID
    assert out[3]["offset"] == 116
    assert out[3]["errors"][0]["rule"] == "NACCB_ELENGTH_MISMATCH"
    assert "framing is lost" in err and "resynchronised" in err
    assert out[-len(whole) + 5:] == whole[5:]


def test_naccb_tool_lost_framing_without_plausible_header(naccb):
    proc = run(naccb, "decode", "--resync",
               data=bytes.fromhex("00000024" * 9 + "FFFFFFFF" + "00" * 40))
    err = proc.stderr.decode()
    assert proc.returncode == EXIT_INVALID
    assert len(lines(proc)) == 1
    assert "offset 36: no plausible NACCB header in the 44 bytes" in err


def test_naccb_tool_wrong_count_decodes_objects_present(naccb, streams):
    data = session_with(streams, 116 + 28, 3)  # count 3, two EVBLOKs there
    proc = run(naccb, "decode", data=data)
    out = lines(proc)
    assert proc.returncode == EXIT_INVALID
    bad = out[3]
    assert bad["count"] == 3 and "objects" not in bad
    good = lines(run(naccb, "decode",
                     data=stream(streams, "session.hex")))[3]
    assert bad["objects_present"] == good["objects"]
    assert bad["errors"][0]["rule"] == "NACCB_ELENGTH_MISMATCH"
    assert "2 whole object(s) of 230 bytes" in proc.stderr.decode()
    # objects_present is derived: the line still encodes to the same bytes.
    enc = run(naccb, "encode", data=proc.stdout)
    assert enc.returncode == EXIT_OK, enc.stderr.decode()
    assert enc.stdout == data


def test_naccb_tool_hex_text_read_as_binary_says_use_hex(naccb, streams):
    proc = run(naccb, "decode", str(streams / "session.hex"))
    err = proc.stderr.decode()
    assert proc.returncode == EXIT_INVALID
    assert "total_length = 589329253" in err
    assert "looks like hex text" in err and "--hex" in err
    plain = run(naccb, "decode", data=b"00000024 0000002A\n")
    assert plain.returncode == EXIT_INVALID
    assert "looks like hex text" in plain.stderr.decode()
    # A binary stream is never taken for hex text.
    binary = run(naccb, "decode", data=session_with(streams, 80, 0x7FFFFFFF))
    assert "looks like hex text" not in binary.stderr.decode()


# ---- invalid input: encode -----------------------------------------------

def session_json(naccb, streams):
    return run(naccb, "decode", data=stream(streams, "session.hex")).stdout


def test_naccb_tool_encode_bad_json_line(naccb, streams):
    good = session_json(naccb, streams).splitlines(keepends=True)
    data = good[0] + b'{"agent_id": 42,\n' + good[1]
    proc = run(naccb, "encode", data=data)
    assert proc.returncode == EXIT_INVALID
    assert "line 2" in proc.stderr.decode()
    assert "invalid JSON" in proc.stderr.decode()
    # Lines before the bad one were written, nothing after it.
    assert proc.stdout == stream(streams, "session.hex")[:44]


def test_naccb_tool_encode_invalid_date_names_line_and_field(naccb, streams):
    good = session_json(naccb, streams).splitlines()
    bad = good[3].replace(b'"sdate": "2026-11-21"', b'"sdate": "2026-02-30"')
    assert bad != good[3]
    proc = run(naccb, "encode", data=b"\n".join(good[:3] + [bad]) + b"\n")
    err = proc.stderr.decode()
    assert proc.returncode == EXIT_INVALID
    assert "line 4" in err and "objects[0].sdate" in err
    assert "NACCB_EDAY_OF_MONTH" in err


def test_naccb_tool_encode_rejects_disagreeing_count(naccb, streams):
    good = session_json(naccb, streams).splitlines()
    bad = good[3].replace(b'"count": 2', b'"count": 3')
    proc = run(naccb, "encode", data=bad + b"\n")
    assert proc.returncode == EXIT_INVALID
    assert "line 1: field count" in proc.stderr.decode()


def test_naccb_tool_encode_rejects_unknown_member(naccb, streams):
    good = session_json(naccb, streams).splitlines()
    bad = good[3].replace(b'"stsec"', b'"stsecs"', 1)
    proc = run(naccb, "encode", data=bad + b"\n")
    assert proc.returncode == EXIT_INVALID
    assert "objects[0].stsecs: unknown member" in proc.stderr.decode()


def test_naccb_tool_encode_refuses_terminal(naccb):
    main, sub = pty.openpty()
    try:
        proc = subprocess.run([str(naccb), "encode"], input=b"",
                              stdout=sub, stderr=subprocess.PIPE, timeout=60)
    finally:
        os.close(sub)
        os.close(main)
    assert proc.returncode == EXIT_USAGE
    assert "terminal" in proc.stderr.decode()


# ---- command line --------------------------------------------------------

def test_naccb_tool_unknown_codepage(naccb):
    proc = run(naccb, "decode", "--codepage", "875")
    assert proc.returncode == EXIT_USAGE
    assert "unknown code page '875'" in proc.stderr.decode()


def test_naccb_tool_usage_errors(naccb):
    assert run(naccb).returncode == EXIT_USAGE
    assert run(naccb, "frobnicate").returncode == EXIT_USAGE
    assert run(naccb, "decode", "--max-size", "35").returncode == EXIT_USAGE
    assert run(naccb, "decode", "--max-size", "2G").returncode == EXIT_USAGE
    assert run(naccb, "decode", "--chunk", "-1").returncode == EXIT_USAGE
    assert run(naccb, "decode", "a", "b").returncode == EXIT_USAGE


def test_naccb_tool_sizes_take_suffixes(naccb, streams):
    """--max-size and --chunk are sizes as every tool reads them (K, M, G):
    1K lets the 76-byte login of the golden session through."""
    golden = str(streams / "session.hex")
    proc = run(naccb, "decode", "--hex", "--max-size", "1K", "--chunk", "1K",
               golden)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.count(b"\n") > 3


def test_naccb_tool_help_and_version(naccb):
    helped = run(naccb, "--help")
    assert helped.returncode == EXIT_OK
    assert b"naccb decode" in helped.stdout and b"--codepage" in helped.stdout
    version = run(naccb, "--version")
    assert version.returncode == EXIT_OK
    assert b"libnaccb 0.1.0" in version.stdout


def test_naccb_tool_missing_file_is_io_error(naccb, tmp_path):
    proc = run(naccb, "decode", str(tmp_path / "nope.bin"))
    assert proc.returncode == EXIT_IO
    assert "nope.bin" in proc.stderr.decode()


def test_naccb_tool_file_and_dash_read_the_same(naccb, streams, tmp_path):
    path = tmp_path / "session.bin"
    path.write_bytes(stream(streams, "session.hex"))
    from_file = run(naccb, "decode", str(path))
    from_dash = run(naccb, "decode", "-", data=path.read_bytes())
    assert from_file.returncode == from_dash.returncode == EXIT_OK
    assert from_file.stdout == from_dash.stdout
    assert len(from_file.stdout.splitlines()) == len(SESSION_KEYS)
