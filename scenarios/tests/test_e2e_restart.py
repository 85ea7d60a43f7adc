"""End to end: the agent keeps working when the server is restarted, the
real xdi-agent against the real xdi-server, no proxy (issue 4, part C,
scenario 5).

The first server is killed with SIGKILL: a graceful stop would send the
agent shutdown (01020400), on which it logs out and exits 10
(docs/agent.md); a killed host is a lost connection, which it retries.
A second server is started on the same port (xdi_server_factory's
listen=); the agent connects again, logs in, acquires both tables again,
reports the line written while it had no session (followed files are not
read while it is not running, and read once it runs again), and a new
line.
"""


from e2e import E2E, append_line, ebcdic

# LOOPA's login (agent-ID 0, no objects), the accept and the logout
# (agent-ID 1: each server's first session gets agent-ID 1).
LOGIN = ("00000024" "00000000" "D3D6D6D7C1404040" "02010500"
         "00000000" "00000000" "00000000" "00000000")
ACCEPT = ("00000024" "00000001" "D3D6D6D7C1404040" "01020700"
          "00000000" "00000000" "00000000" "00000000")
LOGOUT = ("00000024" "00000001" "D3D6D6D7C1404040" "02010600"
          "00000000" "00000000" "00000000" "00000000")
# Receive EMS (3 EVBLOKs: 36 + 690 = 0x2D6) and receive SCD (1 EOTINFO:
# 36 + 162 = 0xC6) to agent-ID 1.
RECEIVE_EMS = ("000002D6" "00000001" "D3D6D6D7C1404040" "01020201"
               "00000000" "00000000" "00000003" "000000E6")
RECEIVE_SCD = ("000000C6" "00000001" "D3D6D6D7C1404040" "01020202"
               "00000000" "00000000" "00000001" "000000A2")


def session_records(journal):
    """(event, table or key) of the session's set-up, in journal order."""
    out = []
    for r in journal.records():
        if r["event"] in ("login", "accept"):
            out.append((r["event"], r["naccb"]))
        elif r["event"] == "acquire":
            out.append(("acquire", r["table"], r["available"]))
        elif r["event"] == "send" and r["key"] in ("01020201", "01020202"):
            out.append(("send", r["naccb"]))
    return out


def messages(journal):
    return [(r["text"], r["verdict"], r["object"])
            for r in journal.find(event="info", kind="MSG")]


def test_e2e_agent_survives_server_restart(tmp_path, xdi_server_factory,
                                           agents):
    first = xdi_server_factory(fixtures=E2E)
    port = first.address[1]
    log = tmp_path / "console.log"
    log.write_text("")
    agent = agents.start("loopa", first, "LOOPA",
                         ["--follow", log, "--retries", "50"])
    agent.wait_line(r"running: EMS ready \(3 entries\), SCD ready "
                    r"\(1 entries\)")
    append_line(log, "IEF450I BEFORE")
    j1 = first.journal
    j1.wait_for(event="info", kind="MSG", text="IEF450I BEFORE")

    first.kill()  # SIGKILL: no shutdown NACCB, the connection is lost
    agent.wait_line(r"connection lost")
    agent.wait_line(r"retry 1 of 50 in 20 ms")
    append_line(log, "IEF450I WHILE DOWN")

    second = xdi_server_factory(fixtures=E2E,
                                listen=("127.0.0.1:%d" % port,))
    assert second.address == ("127.0.0.1", port)
    agent.wait_line(r"connected: logging in as LOOPA")
    agent.wait_line(r"accepted: agent-ID 1$")
    agent.wait_line(r"running: EMS ready \(3 entries\), SCD ready "
                    r"\(1 entries\)")
    j2 = second.journal
    j2.wait_for(event="info", kind="MSG", text="IEF450I WHILE DOWN")
    append_line(log, "IEF450I AFTER")
    j2.wait_for(event="info", kind="MSG", text="IEF450I AFTER")

    assert agents.stop(agent) == 0
    j2.wait_for(event="logout")

    # The second server saw a whole new session: login, accept, both
    # tables acquired again and sent again (EMS and SCD in either order).
    setup = session_records(j2)
    assert setup[:2] == [("login", LOGIN), ("accept", ACCEPT)]
    assert sorted(setup[2:]) == sorted([
        ("acquire", "EMS", True), ("send", RECEIVE_EMS),
        ("acquire", "SCD", True), ("send", RECEIVE_SCD)])
    assert len(setup) == 6
    # Each line went to the server the agent was running with, once,
    # in frame, byte for byte.
    assert messages(j1) == [("IEF450I BEFORE", "in_frame",
                             ebcdic("IEF450I BEFORE"))]
    assert messages(j2) == [
        ("IEF450I WHILE DOWN", "in_frame", ebcdic("IEF450I WHILE DOWN")),
        ("IEF450I AFTER", "in_frame", ebcdic("IEF450I AFTER"))]
    assert ebcdic("IEF450I AFTER") == "C9C5C6F4F5F0C940C1C6E3C5D9"
    assert j2.find(event="logout")[0]["naccb"] == LOGOUT
    assert j2.find(event="violation") == []
    # The first server's session never ended in a logout: it was killed.
    assert j1.find(event="logout") == []
