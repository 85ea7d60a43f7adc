"""xdi: the Python scenario harness of xdi-emu.

codec    ctypes binding of the shared libnaccb (the only codec: none in Python)
agent    ScriptedAgent, one scripted agent connection
server   XdiServer, xdi-server as a child process on kernel-chosen ports
journal  Journal, the server's JSON Lines journal
agentproc  AgentProcess, an agent under test as a child process
proxy    InjectingProxy, between an agent and xdi-server, injecting NACCBs
faketime faketime_env, libfaketime for a program under test
stream   send_in_pieces, one NACCB in writes of chosen sizes
control  ControlClient, xdi-server's control plane over HTTP (docs/control.md)
pytest_plugin  the fixtures xdi_server, xdi_server_factory, xdi_agent,
         xdi_host and xdi_control (one server per session, reset per test)
conform  the engine and checks of xdi-conform (docs/conformance.md)
"""

from . import codec
from .agent import AgentClosed, ScriptedAgent, parse_address
from .codec import Naccb
from .agentproc import AgentProcess
from .control import ControlClient, ControlError, WaitTimeout
from .faketime import faketime_env, faketime_library
from .journal import Journal
from .proxy import InjectingProxy
from .server import XdiServer, fixture_dir, run_to_exit

__all__ = ["codec", "Naccb", "ScriptedAgent", "AgentClosed", "Journal",
           "XdiServer", "fixture_dir", "run_to_exit", "parse_address",
           "AgentProcess", "InjectingProxy", "faketime_env",
           "faketime_library", "ControlClient", "ControlError",
           "WaitTimeout"]
