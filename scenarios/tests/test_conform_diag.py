"""xdi-conform's failure reports (docs/conformance.md, "Reading a failure"):
an agent with a text bug fails first a check named for its bug, with the
unexpected NACCB's objects in hex beside the expected bytes, the first
differing offset and a plain diagnosis, within seconds (no chain of
deadlines); an agent that never connects is told so in seconds; the
files of a failed check survive the run; the agent's output is reported
once.

The mutants are builds of xdi-agent (tools/xdi-agent/mutants/mutants.tsv):
ascii-text (texts matched in EBCDIC but sent in ASCII), padded-text (every
text blank-padded to 128 bytes), trimmed-eoj (the EOJ job name sent at its
own length, CJOB1 as 5 bytes).
"""

import pathlib
import re
import shutil
import time

import pytest

from conform_run import (build_dir, junit_cases, run_against, run_conform,
                         sanitized)

from xdi import codec
from xdi.conform import diagnose

# A failure found at once takes well under the shortest deadline of the
# suite (5 s for the acquires, 6 s for a marker): a check that took longer
# waited one out.
QUICK = 4.5 * (3 if sanitized() else 1)


def mutant(name):
    return build_dir() / "tools" / "xdi-agent" / "mutants" / (
        "xdi-agent-mutant-" + name)


def kept_dirs(out):
    return [pathlib.Path(p) for p in
            re.findall(r"files of this check \(kept\): (\S+)", out)]


def run_mutant(tmp_path, name, extra=("--fail-fast",)):
    junit = tmp_path / ("%s.xml" % name)
    t0 = time.monotonic()
    rc, out = run_against(mutant(name), junit, list(extra))
    seconds = time.monotonic() - t0
    cases = junit_cases(junit)
    for d in kept_dirs(out):
        # Kept under a temporary directory of xdi-conform's own: the test
        # removes it once read.
        assert d.is_dir(), (d, out)
    return rc, out, cases, seconds


def first_failed(cases):
    return next(n for n, (st, _) in cases.items() if st == "fail")


def cleanup(out):
    for d in kept_dirs(out):
        shutil.rmtree(d.parent, ignore_errors=True)


def test_ascii_text_fails_texts_code_page_with_hex_and_diagnosis(tmp_path):
    rc, out, cases, seconds = run_mutant(tmp_path, "ascii-text")
    try:
        assert rc == 1, out
        assert first_failed(cases) == "texts.code_page", out
        _, tc = cases["texts.code_page"]
        assert float(tc.get("time")) < QUICK, out
        body = tc.find("failure").text
        msg = tc.find("failure").get("message")
        # The rule, in the check's words, and the diagnosis.
        assert "in the session's code page" in msg, msg
        assert "text in ASCII instead of EBCDIC" in msg, msg
        # 'XMSG1 CODE PAGE 1' expected in EBCDIC, got in ASCII, in hex.
        assert "expected E7D4E2C7 F140C3D6 C4C540D7 C1C7C540 F1 (17 bytes" \
            in body, body
        assert "got      584D5347 3120434F 44452050 41474520 31 (17 bytes)" \
            in body, body
        assert "first difference at object offset 0" in body, body
    finally:
        cleanup(out)


def test_ascii_text_whole_suite_fails_fast_everywhere(tmp_path):
    """Without --fail-fast every check that sees the ASCII texts fails at
    once with the diagnosis: none waits out a deadline."""
    rc, out, cases, seconds = run_mutant(tmp_path, "ascii-text", extra=())
    try:
        assert rc == 1, out
        failed = {n: tc for n, (st, tc) in cases.items() if st == "fail"}
        assert len(failed) >= 10, out
        slow = {n: tc.get("time") for n, tc in failed.items()
                if float(tc.get("time")) >= QUICK}
        assert not slow, (slow, out)
        diagnosed = [n for n, tc in failed.items()
                     if "text in ASCII instead of EBCDIC" in
                     tc.find("failure").text + tc.find("failure").get(
                         "message")]
        assert "session.agent_id" in diagnosed and "frame.time" in \
            diagnosed, out
        # Every failed check's files are kept, one directory each.
        assert sorted(d.name for d in kept_dirs(out)) == sorted(failed), out
        for d in kept_dirs(out):
            assert (d / "agent1.log").is_file(), d
        assert "are kept under" in out, out
    finally:
        cleanup(out)


def test_padded_text_fails_texts_own_length(tmp_path):
    rc, out, cases, seconds = run_mutant(tmp_path, "padded-text")
    try:
        assert rc == 1, out
        assert first_failed(cases) == "texts.own_length", out
        _, tc = cases["texts.own_length"]
        assert float(tc.get("time")) < QUICK, out
        msg = tc.find("failure").get("message")
        body = tc.find("failure").text
        assert "sent at its own length" in msg, msg
        assert "text blank-padded to 128" in msg, msg
        # 'XMSG1 S': 7 bytes expected, 128 got, the same up to offset 7.
        assert "expected E7D4E2C7 F140E2 (7 bytes" in body, body
        assert "got      E7D4E2C7 F140E240 40404040" in body, body
        assert "(128 bytes)" in body, body
        assert "first difference at object offset 7" in body, body
        assert seconds < 30, out
    finally:
        cleanup(out)


def test_trimmed_eoj_fails_texts_eoj_job_name(tmp_path):
    rc, out, cases, seconds = run_mutant(tmp_path, "trimmed-eoj")
    try:
        assert rc == 1, out
        assert first_failed(cases) == "texts.eoj_job_name", out
        _, tc = cases["texts.eoj_job_name"]
        assert float(tc.get("time")) < QUICK, out
        msg = tc.find("failure").get("message")
        body = tc.find("failure").text
        assert "the 8-byte job name" in msg and "text trimmed" in msg, msg
        assert "expected C3D1D6C2 F1404040 (8 bytes, 'CJOB1   ')" in body
        assert "got      C3D1D6C2 F1 (5 bytes)" in body, body
        assert "first difference at object offset 5" in body, body
    finally:
        cleanup(out)


def test_trimmed_eoj_events_job_texts_fails_at_once(tmp_path):
    """events.job_texts waits for the 8-byte name: a 5-byte one ends the
    wait at once, with the diagnosis."""
    rc, out, cases, seconds = run_mutant(
        tmp_path, "trimmed-eoj", extra=["--check", "events.job_texts"])
    try:
        assert rc == 1, out
        st, tc = cases["events.job_texts"]
        assert st == "fail" and float(tc.get("time")) < QUICK, out
        assert "text trimmed" in tc.find("failure").get("message"), out
    finally:
        cleanup(out)


def test_agent_that_never_connects_fails_in_seconds(tmp_path):
    """Each check fails at its connection deadline, saying so; after two
    in a row the rest of the suite is not run (no chain of deadlines)."""
    t0 = time.monotonic()
    rc, out = run_conform(["--agent", "sleep 120", "--workdir",
                           tmp_path / "w", "--junit", tmp_path / "j.xml"],
                          within=300)
    seconds = time.monotonic() - t0
    assert rc == 1, out
    assert out.count("the agent did not connect within 10.0 s") == 2 or \
        sanitized(), out
    cases = junit_cases(tmp_path / "j.xml")
    failed = [n for n, (st, _) in cases.items() if st == "fail"]
    assert failed == ["login.format", "login.wait_for_accept"], out
    skipped = [tc.find("skipped").get("message")
               for n, (st, tc) in cases.items() if st == "skip"]
    assert len(skipped) == len(cases) - 2 and all(
        m == "not run: the agent did not connect in 2 checks in a row"
        for m in skipped), out
    assert seconds < 30 * (3 if sanitized() else 1), out
    # With --workdir the check's files stay where asked.
    assert (tmp_path / "w" / "login.format" / "agent1.log").is_file()
    assert "files of this check (kept): %s" % (
        tmp_path / "w" / "login.format") in out, out


def test_missing_agent_binary_output_reported_once(tmp_path):
    rc, out = run_conform(["--agent", str(tmp_path / "no-such-agent"),
                           "--check", "login.format"], within=60)
    try:
        assert rc == 3, out
        assert "could not be run (exit 127)" in out, out
        assert out.count("lines of the agent's output") == 1, out
    finally:
        cleanup(out)


def test_passing_run_leaves_no_files(tmp_path):
    """Without --workdir a passing check's directory goes with it."""
    rc, out = run_against(build_dir() / "tools" / "xdi-agent" / "xdi-agent",
                          tmp_path / "j.xml", ["--check", "texts.*"])
    assert rc == 0, out
    assert "3 passed, 0 failed" in out, out
    assert "kept" not in out, out


# ---- the diagnoses, on bytes written by hand ------------------------------


def test_diagnose_texts():
    xmsg = bytes.fromhex("E7D4E2C7F1")            # 'XMSG1' in IBM-037
    assert codec.encode_text("XMSG1") == xmsg
    d = diagnose.text(xmsg, b"XMSG1")
    assert len(d) == 1 and d[0].startswith("text in ASCII instead of EBCDIC")
    d = diagnose.text(xmsg, xmsg + b"\x40" * 123)
    assert d[0].startswith("text blank-padded to 128: the 5-byte text is "
                           "followed by 123 EBCDIC blanks"), d
    d = diagnose.text(xmsg, xmsg + b"\x40" * 3)
    assert d[0].startswith("text blank-padded: the 5-byte text"), d
    d = diagnose.text(xmsg, xmsg + b"\x00" * 3)
    assert d[0].startswith("NUL padding"), d
    d = diagnose.text(xmsg, xmsg[:3])
    assert d[0].startswith("text trimmed: 3 bytes instead of 5"), d
    job = bytes.fromhex("C3D1D6C2F1404040")        # 'CJOB1   '
    d = diagnose.text(job, job[:5], fixed=True)
    assert d[0].startswith("text trimmed: the 8-byte field lost its 3 "
                           "trailing blanks"), d
    d = diagnose.text(job, job[:5] + b"\x00" * 3, fixed=True)
    assert d[0].startswith("NUL padding"), d
    d = diagnose.text(xmsg, bytes.fromhex("E7D4E2C7F2F3"))
    assert d == ["wrong length: 6 bytes instead of 5"], d
    assert diagnose.text(xmsg, xmsg) == []
    assert diagnose.first_difference(xmsg, xmsg + b"\x40") == 5
    assert diagnose.first_difference(b"\x01\x02", b"\x01\x03") == 1


def test_diagnose_header_little_endian_length():
    # A 36-byte login whose total length is written little-endian.
    raw = bytes.fromhex("24000000") + bytes(32)
    exp = bytes.fromhex("00000024") + bytes(32)
    d = diagnose.header(exp, raw)
    assert len(d) == 1 and d[0].startswith("little-endian length: the "
                                           "total length 24000000 reads 36")
    assert diagnose.header(exp, exp) == []


@pytest.mark.parametrize("name", ["ascii-text", "padded-text",
                                  "trimmed-eoj"])
def test_new_mutants_listed_for_named_checks(name):
    tsv = pathlib.Path(__file__).resolve().parents[2] / "tools" / \
        "xdi-agent" / "mutants" / "mutants.tsv"
    rows = [line.split("\t") for line in tsv.read_text().splitlines()
            if line and not line.startswith("#")]
    row = next(r for r in rows if r[0] == name)
    assert row[2].startswith("texts."), row


def test_diagnose_header_system_name_and_stream():
    login = bytes.fromhex("00000024 00000000 C3D6D5C6 C1404040 02010500"
                          + "00" * 16)
    nul = login[:13] + b"\x00" * 3 + login[16:]
    d = diagnose.header(login, nul)
    assert d == ["system name (header bytes 8-15): NUL padding: the field "
                 "is padded with NULs (0x00), not EBCDIC blanks (0x40)"], d
    asc = login[:8] + b"CONFA   " + login[16:]
    d = diagnose.header(login, asc)
    assert len(d) == 1 and "text in ASCII instead of EBCDIC" in d[0], d
    # The framer gives up on 0x24000000: the first four bytes say why.
    d = diagnose.stream_length(bytes.fromhex("24000000") + login[4:])
    assert d.startswith("little-endian length: the total length 24000000 "
                        "reads 36"), d
    assert diagnose.stream_length(login) is None


def test_le_length_mutant_lost_framing_diagnosed(tmp_path):
    rc, out, cases, seconds = run_mutant(tmp_path, "le-length")
    try:
        assert first_failed(cases) == "login.format", out
        msg = cases["login.format"][1].find("failure").get("message")
        assert "lost the NACCB framing" in msg and \
            "little-endian length" in msg, msg
    finally:
        cleanup(out)
