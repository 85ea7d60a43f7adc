"""End to end: the seed's KILL loop, the real xdi-agent against the real
xdi-server, no proxy (issue 4, part C, scenario 1).

`KILL JOKO` is appended to the log file the agent follows (a message
event).  Host LOOPA (fixtures/e2e) takes it in frame and fires its EMS
action: exec command `CANCEL U=JOKO` back to LOOPA (VL 4, verb
substitution, docs/protocol.md §8).  The agent has no --allow, so it
runs nothing and reports the command as a command event, which LOOPA's
CANCEL event (ET 02) takes in frame.  Every step is read from the server's
journal, in order, with the bytes written out by hand.
"""


from e2e import E2E, append_line, ebcdic, header


# The exec command to LOOPA (agent-ID 1, the server's first session):
# total length 36 + 13 = 0x31, key 01020104, one object of 13 bytes,
# "CANCEL U=JOKO" in code page 037.
CANCEL_OBJECT = "C3C1D5C3C5D340E47ED1D6D2D6"
CANCEL_HEADER = ("00000031" "00000001" "D3D6D6D7C1404040" "01020104"
                 "00000000" "00000000" "00000001" "0000000D")
# The agent's info NACCBs: message KILL JOKO (9 bytes, total 0x2D) and
# command CANCEL U=JOKO (13 bytes, total 0x31).
KILL_OBJECT = "D2C9D3D340D1D6D2D6"
KILL_INFO_HEADER = ("0000002D" "00000001" "D3D6D6D7C1404040" "02010A03"
                    "00000000" "00000000" "00000001" "00000009")
CANCEL_INFO_HEADER = ("00000031" "00000001" "D3D6D6D7C1404040" "02010A04"
                      "00000000" "00000000" "00000001" "0000000D")


def test_e2e_kill_joko_loop(tmp_path, xdi_server_factory, agents):
    # The hand-written constants agree with e2e's helpers (both by hand).
    assert ebcdic("CANCEL U=JOKO") == CANCEL_OBJECT
    assert ebcdic("KILL JOKO") == KILL_OBJECT
    assert header(0x31, 1, "LOOPA", "01020104", 1, 13) == CANCEL_HEADER

    srv = xdi_server_factory(fixtures=E2E)
    log = tmp_path / "console.log"
    log.write_text("KILL OLDUSER: already there, never an event\n")
    agent = agents.start("loopa", srv, "LOOPA", ["--follow", log])
    agent.wait_line(r"running: EMS ready \(3 entries\), SCD ready "
                    r"\(1 entries\)")
    j = srv.journal

    append_line(log, "KILL JOKO")
    agent.wait_line(r"event message event text 'KILL JOKO': queued$")
    agent.wait_line(r"recv exec command \(01020104, error 00, 1 object")
    agent.wait_line(r"recv exec command 'CANCEL U=JOKO'$")
    agent.wait_line(r"no allow-list: command not run, reported as a "
                    r"command event")
    agent.wait_line(r"event command event text 'CANCEL U=JOKO': queued$")
    cmd = j.wait_for(event="info", kind="CMD")[0]

    recs = j.records()
    kill = [r for r in recs if r["event"] == "info" and r["kind"] == "MSG"]
    assert len(kill) == 1, j.tail()
    kill = kill[0]
    assert (kill["conn"], kill["agent_id"], kill["system"]) == \
        (1, 1, "LOOPA")
    assert kill["naccb"] == KILL_INFO_HEADER
    assert kill["object"] == KILL_OBJECT
    assert (kill["index"], kill["count"]) == (0, 1)
    assert kill["text"] == "KILL JOKO"
    assert kill["verdict"] == "in_frame"
    assert (kill["evblok"], kill["event_key"]) == (0, "KILL")

    actions = [r for r in recs if r["event"] == "action"]
    assert len(actions) == 1, j.tail()
    action = actions[0]
    want = {"conn": 1, "agent_id": 1, "system": "LOOPA", "evblok": 0,
            "event_key": "KILL", "text": "KILL JOKO",
            "action": "CANCEL U=&arg", "vl": 4, "target": "LOOPA",
            "command": "CANCEL U=JOKO", "length": 13, "outcome": "sent",
            "target_conn": 1}
    assert {k: action.get(k) for k in want} == want

    sends = [r for r in recs if r["event"] == "send" and
             r["key"] == "01020104"]
    assert len(sends) == 1, j.tail()
    send = sends[0]
    assert (send["conn"], send["name"], send["error"]) == \
        (1, "exec command", 0)
    assert send["naccb"] == CANCEL_HEADER
    assert send["object"] == CANCEL_OBJECT
    assert (send["count"], send["size"], send["body_len"]) == (1, 13, 13)

    assert cmd["naccb"] == CANCEL_INFO_HEADER
    assert cmd["object"] == CANCEL_OBJECT
    assert cmd["text"] == "CANCEL U=JOKO"
    assert cmd["verdict"] == "in_frame"
    assert (cmd["evblok"], cmd["event_key"]) == (1, "CANCEL")

    # In this order: the report, the action it fired, the exec command
    # sent, the agent's report of that command.
    order = [recs.index(r) for r in (kill, action, send, cmd)]
    assert order == sorted(order), j.tail()
    # CANCEL has no action: the loop ends there.  Nothing else was sent
    # but the session's tables, and nothing the agent sent failed.
    assert sorted(r["key"] for r in recs if r["event"] == "send") == \
        ["01020104", "01020201", "01020202"]
    assert [r for r in recs if r["event"] in ("violation", "agent_error")] \
        == []
    assert not agent.has_line(r"command '.*' started")
    assert not agent.has_line(r"'KILL OLDUSER")  # tail -F -n0

    assert agents.stop(agent) == 0
    j.wait_for(event="logout", conn=1)
    assert len(j.find(event="action")) == 1
