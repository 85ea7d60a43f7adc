"""End to end: a fixture edit while the agent is connected changes what it
reports, the real xdi-agent against the real xdi-server, no proxy (issue
4, part C, scenario 3; docs/fixtures.md section 13).

The server serves a private copy of fixtures/e2e with a short
--reload-delay; RELOAD's agent follows a log file.  A NEWKEY line is not
sent (no such event); an edit of reload.yaml adds the event, the server
sends replace EMS (the whole new table), and the same kind of line is now
reported in frame.  A broken edit (an invalid value, and NEWKEY removed in
the same save) changes nothing: the server names FILE:LINE on stderr and
in the journal, sends nothing, and the agent keeps its table: a NEWKEY
line is still reported and still in frame.
"""

import shutil


from e2e import E2E, append_line, ebcdic, wait_until
from edits import edit, line_of

OLD_EVENT = ('        - key: "OLDKEY"\n'
             '          type: message\n'
             '          text: "there from the start"\n')
NEW_EVENT = ('        - key: "NEWKEY"\n'
             '          type: message\n')
# The broken save: OLDKEY's KL is not a number, and NEWKEY is gone.
BROKEN_EVENT = ('        - key: "OLDKEY"\n'
                '          kl: six\n'
                '          type: message\n'
                '          text: "there from the start"\n')

# Replace EMS (01020301) to RELOAD (agent-ID 1): two EVBLOKs, total
# length 36 + 2 * 230 = 0x1F0 (docs/protocol.md §4 and §7).
REPLACE_HEADER = ("000001F0" "00000001" "D9C5D3D6C1C44040" "01020301"
                  "00000000" "00000000" "00000002" "000000E6")
# An info message of 12 bytes ("NEWKEY LINE2"), total 0x30.
INFO_HEADER = ("00000030" "00000001" "D9C5D3D6C1C44040" "02010A03"
               "00000000" "00000000" "00000001" "0000000C")


def msg_infos(journal, text):
    return [r for r in journal.find(event="info", kind="MSG")
            if r["text"] == text]


def test_e2e_reload_changes_what_the_agent_reports(tmp_path,
                                                   xdi_server_factory,
                                                   agents):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(E2E, fixtures)
    srv = xdi_server_factory(fixtures=fixtures,
                             args=["--reload-delay", "0.05"])
    j = srv.journal
    log = tmp_path / "console.log"
    log.write_text("")
    agent = agents.start("reload", srv, "RELOAD", ["--follow", log])
    agent.wait_line(r"running: EMS ready \(1 entries\), SCD not available")

    # Before the edit: no NEWKEY event, so the line is not sent.  The
    # OLDKEY line after it is the barrier: once the server has it, it
    # would have had the NEWKEY line too.
    append_line(log, "NEWKEY LINE1")
    append_line(log, "OLDKEY LINE1")
    agent.wait_line(r"'NEWKEY LINE1': unmatched: not sent$")
    j.wait_for(event="info", kind="MSG", text="OLDKEY LINE1",
               verdict="in_frame", evblok=0, event_key="OLDKEY")
    assert msg_infos(j, "NEWKEY LINE1") == []

    # The edit: NEWKEY joins RELOAD's table.
    edit(fixtures / "reload.yaml", OLD_EVENT, OLD_EVENT + NEW_EVENT,
         atomic=True)
    rec = j.wait_for(event="reload", outcome="applied")
    assert len(rec) == 1
    want = {"cause": "watch", "hosts": 5, "hosts_added": [],
            "hosts_removed": [], "ems_changed": ["RELOAD"],
            "scd_changed": []}
    assert {k: rec[0].get(k) for k in want} == want
    rep = j.wait_for(event="send", name="replace EMS")
    assert len(rep) == 1
    assert (rep[0]["conn"], rep[0]["system"], rep[0]["key"]) == \
        (1, "RELOAD", "01020301")
    assert rep[0]["naccb"] == REPLACE_HEADER
    assert (rep[0]["count"], rep[0]["size"], rep[0]["body_len"]) == \
        (2, 230, 460)
    agent.wait_line(r"recv replace EMS \(01020301, error 00, 2 object")
    agent.wait_line(r"EMS table: 2 entries received, 2 kept$")

    # After it: the same kind of line is reported, in frame, as EVBLOK 1.
    append_line(log, "NEWKEY LINE2")
    agent.wait_line(r"'NEWKEY LINE2': queued$")
    new = j.wait_for(event="info", kind="MSG", text="NEWKEY LINE2")[0]
    assert (new["verdict"], new["evblok"], new["event_key"]) == \
        ("in_frame", 1, "NEWKEY")
    assert new["naccb"] == INFO_HEADER
    assert new["object"] == ebcdic("NEWKEY LINE2")
    assert new["object"] == "D5C5E6D2C5E840D3C9D5C5F2"

    # The broken edit: refused whole, nothing sent.
    text = edit(fixtures / "reload.yaml", OLD_EVENT + NEW_EVENT,
                BROKEN_EVENT, atomic=True)
    where = "%s:%d" % (fixtures / "reload.yaml", line_of(text, "kl: six"))
    message = "%s: kl: expected a whole number, got 'six'" % where
    refused = j.wait_for(event="reload", outcome="refused")
    assert len(refused) == 1
    assert (refused[0]["cause"], refused[0]["errors"],
            refused[0]["messages"]) == ("watch", 1, [message])
    wait_until(lambda: "reload refused (1 error)" in srv.stderr(),
               "the refusal on the server's stderr")
    err = srv.stderr()
    assert message + "\n" in err
    assert "%s: reload refused (1 error); the fixtures in force stay" % (
        fixtures) in err

    # The agent keeps its table (and the server its set): NEWKEY is still
    # reported and still in frame.
    append_line(log, "NEWKEY LINE3")
    agent.wait_line(r"'NEWKEY LINE3': queued$")
    kept = j.wait_for(event="info", kind="MSG", text="NEWKEY LINE3")[0]
    assert (kept["verdict"], kept["evblok"]) == ("in_frame", 1)

    assert agents.stop(agent) == 0
    j.wait_for(event="logout")
    recs = j.records()
    # One replace EMS in all, sent after the applied reload; nothing after
    # the refused one but the agent's reports and its logout.
    sends = [r for r in recs if r["event"] == "send"]
    assert sorted(r["name"] for r in sends[:2]) == ["no SCD", "receive EMS"]
    assert [r["name"] for r in sends[2:]] == ["replace EMS"]
    assert recs.index(rec[0]) < recs.index(sends[2])
    after = recs[recs.index(refused[0]) + 1:]
    assert [r["event"] for r in after] == ["info", "logout", "disconnect"]
    assert agent.has_line(r"recv replace EMS") and \
        len([ln for ln in agent.lines if "recv replace" in ln]) == 1
    assert [r for r in recs if r["event"] == "violation"] == []
