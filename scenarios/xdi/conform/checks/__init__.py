"""The checks of xdi-conform, in the order the suite runs them: one module
per theme, imported below in suite order (the order of registration is the
order of the console and JUnit reports).

Each check is documented in docs/conformance.md with the seed passage it
comes from (also in its `seed` and `notes` below, which the JUnit report
carries as properties).  Checks against the scripted host (host.py) use the
tables of conform/tables.py; checks against the real xdi-server use the fixture
sets of fixtures/conformance/ (see its README.md).

A check reads like the protocol step it tests: start the agent, play the
host's part, and raise Failure with the evidence at the first thing the
agent gets wrong.  Deadlines are short (the agent answers on loopback) and
scaled by --timeout-scale; "nothing may arrive" windows are bounded.

Modules, in suite order:
    common     helpers the checks share (no check)
    login      login.*
    texts      texts.code_page, texts.own_length: the form of event texts
    session    session.agent_id, tables.* against the scripted host
    events     events.*, eotinfo.*, and texts.eoj_job_name (registered
               to run before tables.without_scd, the first check that
               waits for a job's end)
    requests   exec.*
    robust     robust.*
    shutdown   shutdown.*, session.reconnect
    serverrun  ServerRun: the agent against xdi-server (no check)
    frames     frame.*
    server     tables.replace, server.*
"""

# Registration order is suite order: keep these imports in this order.
from . import login      # noqa: F401,E402
from . import texts      # noqa: F401,E402
from . import session    # noqa: F401,E402
from . import events     # noqa: F401,E402
from . import requests   # noqa: F401,E402
from . import robust     # noqa: F401,E402
from . import shutdown   # noqa: F401,E402
from . import frames     # noqa: F401,E402
from . import server     # noqa: F401,E402
