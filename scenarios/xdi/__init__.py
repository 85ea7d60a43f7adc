"""xdi: the Python scenario harness of xdi-emu.

codec    ctypes binding of the shared libnaccb (the only codec: none in Python)
agent    ScriptedAgent, one scripted agent connection
server   XdiServer, xdi-server as a child process on kernel-chosen ports
journal  Journal, the server's JSON Lines journal
pytest_plugin  the fixtures xdi_server, xdi_server_factory, xdi_agent
"""

from . import codec
from .agent import AgentClosed, ScriptedAgent, parse_address
from .codec import Naccb
from .journal import Journal
from .server import XdiServer, fixture_dir, run_to_exit

__all__ = ["codec", "Naccb", "ScriptedAgent", "AgentClosed", "Journal",
           "XdiServer", "fixture_dir", "run_to_exit", "parse_address"]
