"""Hot reload of the fixture set, against the real xdi-server
(docs/fixtures.md "Reload"; docs/protocol.md §7, replace EMS / SCD).

Each test copies fixtures/test into its tmp_path and serves the copy, so it
can edit the files while agents are logged in: the server watches the
directory (uv_fs_event, changes debounced) and reloads on SIGHUP too.  A
reload is all or nothing: an agent whose table changed gets the whole new
table (replace EMS, checked byte for byte), the others get nothing; a
broken edit changes nothing, and stderr and the journal name FILE:LINE.
"""

import re
import shutil
import signal

import pytest

from edits import edit, line_of
from xdi import codec
from xdi.codec import unhex
from xdi.server import fixture_dir
from xdi.testset import WIRE

E = WIRE["TESTE"]

# TESTE's only event in fixtures/test/hosts.yaml, and the same event with
# an additional text: what the tests write over it.
TESTE_EVENT = '        - key: "IEA995I"\n          type: message\n'
TESTE_EVENT_NEW = ('        - key: "IEA995I"\n          type: message\n'
                   '          text: "NEW"\n')
# KL 7 < VL 9: the loader refuses it ("vl: VL greater than KL").
TESTE_EVENT_BROKEN = ('        - key: "IEA995I"\n          type: message\n'
                      '          vl: 9\n')

# Replace EMS (01020301) to TESTE (agent-ID 1) with one EVBLOK (total
# length 36 + 230 = 0x10A), and that EVBLOK written out from
# docs/protocol.md §8: system TESTE, key IEA995I, text NEW, IL 15,
# KL 7, VL 0, the "always" frame, ET 01, reserved and user area zero.
REPLACE_EMS_TESTE = (
    f"0000010A 00000001 {E} 01020301 00000000 00000000 00000001 000000E6"
    f" {E}"
    " C9C5C1F9F9F5C9" + "40" * 13 +              # event key IEA995I
    " D5C5E6" + "40" * 105 +                      # additional text NEW
    " 000F 0007 0000"                             # IL, KL, VL
    " 01900001 09999365 00000000 00000000 23595900 0001517F"
    " 0101010101010101"                           # every day, holidays
    " 01" + "00" * 15 +                           # ET message, reserved
    " 19000101 99991231" + "00" * 32)             # SSDT, ESDT, user area

SHUTDOWN_TESTZ = (f"00000024 00000001 {WIRE['TESTZ']} 01020400 00000000"
                  " 00000000 00000000 00000000")

# A burst of fs events is one reload once quiet this long (the default);
# a test waits well beyond it before it says "nothing came".
SETTLE = 1.0


@pytest.fixture
def fixtures_copy(tmp_path):
    """A private copy of fixtures/test the test may edit."""
    dst = tmp_path / "fixtures"
    shutil.copytree(fixture_dir("test"), dst)
    return dst


def acquired(agent, system, count):
    agent.login(system)
    agent.acquire(codec.ACQ_EMS)
    agent.expect(codec.RCV_EMS, count=count)


def test_server_reload_edit_sends_replace(xdi_server_factory, xdi_agent,
                                          fixtures_copy):
    """TESTE's event gets a text: TESTE's agent receives replace EMS with
    the whole new table, byte for byte; TESTA's agent (table unchanged)
    receives nothing."""
    srv = xdi_server_factory(fixtures=fixtures_copy)
    e = xdi_agent(name="TESTE")
    acquired(e, "TESTE", 1)
    a = xdi_agent(name="TESTA")
    acquired(a, "TESTA", 7)
    edit(fixtures_copy / "hosts.yaml", TESTE_EVENT, TESTE_EVENT_NEW)
    e.expect_bytes(REPLACE_EMS_TESTE)
    e.expect_nothing(within=SETTLE)
    a.expect_nothing(within=0.1)
    rec = srv.journal.wait_for(event="reload", outcome="applied")[-1]
    assert rec["cause"] == "watch"
    assert rec["ems_changed"] == ["TESTE"] and rec["scd_changed"] == []
    assert rec["hosts_added"] == [] and rec["hosts_removed"] == []
    srv.journal.wait_for(event="send", name="replace EMS", system="TESTE")
    # A new acquire gets the same table as the replacement.
    e.acquire(codec.ACQ_EMS)
    got = e.expect(codec.RCV_EMS, count=1)
    assert got.objects[0] == unhex(REPLACE_EMS_TESTE)[36:]


def test_server_reload_broken_edit_changes_nothing(xdi_server_factory,
                                                   xdi_agent, fixtures_copy):
    """A broken edit is refused: nothing is sent, stderr and the journal
    name FILE:LINE, and the old table stays in force."""
    srv = xdi_server_factory(fixtures=fixtures_copy)
    e = xdi_agent(name="TESTE")
    acquired(e, "TESTE", 1)
    path = fixtures_copy / "hosts.yaml"
    text = edit(path, TESTE_EVENT, TESTE_EVENT_BROKEN)
    where = "%s:%d:" % (path, line_of(text, "vl: 9"))
    rec = srv.journal.wait_for(event="reload", outcome="refused")[-1]
    assert rec["cause"] == "watch" and rec["errors"] == 1
    assert rec["messages"][0].startswith(where), rec
    assert re.search(re.escape(where) + r" vl: ", srv.stderr()), srv.stderr()
    assert "reload refused" in srv.stderr()
    e.expect_nothing(within=SETTLE)
    assert not srv.journal.find(event="reload", outcome="applied")
    # The old table: an acquire gets it, and its event still matches.
    e.acquire(codec.ACQ_EMS)
    got = e.expect(codec.RCV_EMS, count=1)
    assert got.objects[0][28:31] == unhex("404040")  # no text
    e.send(e.naccb(codec.INFO_MSG, objects=[codec.encode_text("IEA995I")]))
    assert srv.journal.wait_for(event="info")[-1]["verdict"] == "in_frame"
    # Mending the file is picked up.
    edit(path, TESTE_EVENT_BROKEN, TESTE_EVENT_NEW)
    e.expect_bytes(REPLACE_EMS_TESTE)


def test_server_reload_on_sighup(xdi_server_factory, xdi_agent,
                                 fixtures_copy):
    """With --no-watch an edit alone does nothing; SIGHUP reloads."""
    srv = xdi_server_factory(fixtures=fixtures_copy, args=["--no-watch"])
    e = xdi_agent(name="TESTE")
    acquired(e, "TESTE", 1)
    edit(fixtures_copy / "hosts.yaml", TESTE_EVENT, TESTE_EVENT_NEW)
    e.expect_nothing(within=SETTLE)
    assert not srv.journal.find(event="reload")
    srv.send_signal(signal.SIGHUP)
    e.expect_bytes(REPLACE_EMS_TESTE)
    rec = srv.journal.wait_for(event="reload")[-1]
    assert rec["cause"] == "sighup" and rec["outcome"] == "applied"
    # SIGHUP with nothing changed: applied, nothing sent.
    srv.send_signal(signal.SIGHUP)
    srv.journal.wait_for(event="reload", count=2)
    e.expect_nothing(within=0.3)


def test_server_reload_sighup_broken_is_refused(xdi_server_factory,
                                                xdi_agent, fixtures_copy):
    srv = xdi_server_factory(fixtures=fixtures_copy, args=["--no-watch"])
    e = xdi_agent(name="TESTE")
    acquired(e, "TESTE", 1)
    path = fixtures_copy / "hosts.yaml"
    text = edit(path, TESTE_EVENT, TESTE_EVENT_BROKEN)
    srv.send_signal(signal.SIGHUP)
    rec = srv.journal.wait_for(event="reload")[-1]
    assert rec["cause"] == "sighup" and rec["outcome"] == "refused"
    where = "%s:%d:" % (path, line_of(text, "vl: 9"))
    assert where in srv.stderr()
    e.expect_nothing(within=0.3)
    assert srv.running()


def test_server_reload_removed_host_is_shut_down(xdi_server_factory,
                                                 xdi_agent, fixtures_copy):
    """TESTZ disappears from the set: its agent gets shutdown and the
    connection is closed; the host is unknown from then on."""
    srv = xdi_server_factory(fixtures=fixtures_copy)
    z = xdi_agent(name="TESTZ")
    z.login("TESTZ")
    edit(fixtures_copy / "hosts.yaml",
         "  # TESTZ: EMS ready but empty (acquire EMS gets no-EMS).\n"
         "  - system: TESTZ\n"
         "    ems:\n"
         "      events: []\n", "")
    z.expect_bytes(SHUTDOWN_TESTZ)
    z.expect_closed()
    rec = srv.journal.wait_for(event="reload", outcome="applied")[-1]
    assert rec["hosts_removed"] == ["TESTZ"]
    srv.journal.wait_for(event="host_removed", system="TESTZ")
    again = xdi_agent(name="TESTZ again")
    again.send(codec.Naccb(codec.LOGIN, system="TESTZ"))
    again.expect(codec.REJECT, error=codec.E_SYSTEM_NAME)


def test_server_reload_ignores_other_files(xdi_server_factory, xdi_agent,
                                           fixtures_copy):
    """A file the set does not read (here: a note, and an editor's swap
    file) changing in the fixture directory is no reason to reload."""
    srv = xdi_server_factory(fixtures=fixtures_copy)
    e = xdi_agent(name="TESTE")
    acquired(e, "TESTE", 1)
    (fixtures_copy / "notes.txt").write_text("not a fixture\n")
    (fixtures_copy / ".hosts.yaml.swp").write_text("swap\n")
    e.expect_nothing(within=SETTLE)
    assert not srv.journal.find(event="reload")
