"""InjectingProxy: a TCP proxy between an agent and a real xdi-server that
can slip a NACCB of the caller's own in between two of the server's.

It forwards both directions untouched and reassembles the server-to-agent
stream with libnaccb's framer (xdi.codec.Framer), so that an injection
never lands inside a NACCB.  The pytest scenarios use it to put requests
on the wire that the server would only send on its own schedule (exec
job, exec command); xdi-conform uses it to start what only the agent's
host can start (a job end) when the agent has no --inject-job adapter.
One agent connection at a time.
"""

import socket
import threading

from . import codec
from .codec import Naccb

CONNECT_TIMEOUT = 10.0


class ProxyError(RuntimeError):
    """An injection without an agent connection."""


class InjectingProxy:
    """.address is where the agent connects; .agent_id and .system are
    those of the last accept the server sent (.accepted is set then).
    transcript: an xdi.conform Transcript that gets every injected NACCB,
    or None."""

    def __init__(self, server_address, transcript=None):
        self.server_address = server_address
        self.transcript = transcript
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.address = self.listener.getsockname()[:2]
        self.agent_id = 0
        self.system = None
        self.accepted = threading.Event()
        self._lock = threading.Lock()   # one writer to the agent at a time
        self._to_agent = None
        self._socks = []
        self._closed = False
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def _accept_loop(self):
        while not self._closed:
            try:
                agent, _ = self.listener.accept()
                server = socket.create_connection(self.server_address,
                                                  timeout=CONNECT_TIMEOUT)
            except OSError:
                return
            server.settimeout(None)
            self._socks += [agent, server]
            with self._lock:
                self._to_agent = agent
            # Agent to server byte for byte; server to agent whole NACCBs.
            for args in ((agent, server, False), (server, agent, True)):
                threading.Thread(target=self._pump, args=args,
                                 daemon=True).start()

    def _pump(self, src, dst, framed):
        framer = codec.Framer() if framed else None
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if framer is None:
                    dst.sendall(data)
                    continue
                for msg in framer.feed(data):
                    n = Naccb.decode(msg)
                    if n.key == codec.ACCEPT:
                        self.agent_id, self.system = n.agent_id, n.system
                        self.accepted.set()
                    with self._lock:
                        dst.sendall(msg)
        except (OSError, codec.FramingError, codec.CodecError):
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if framer is not None:
            framer.close()

    def inject(self, naccb):
        """Send a NACCB (Naccb or bytes) to the agent, between two of the
        server's.  ProxyError when no agent is connected."""
        data = naccb.encode() if isinstance(naccb, Naccb) else bytes(naccb)
        if self.transcript is not None:
            self.transcript.naccb("proxy host->agent", data,
                                  "injected by the check")
        with self._lock:
            if self._to_agent is None:
                raise ProxyError("proxy: no agent connection to inject "
                                   "into")
            self._to_agent.sendall(data)

    def exec_job(self, system, name_field):
        """exec job with an 8-byte job-name object (wire bytes)."""
        self.inject(Naccb(codec.EXEC_JOB, agent_id=self.agent_id,
                          system=system, objects=[name_field]))

    def exec_command(self, system, text):
        """exec command with the command text (Latin-1 str, sent as
        EBCDIC)."""
        self.inject(Naccb(codec.EXEC_CMD, agent_id=self.agent_id,
                          system=system, objects=[codec.encode_text(text)]))

    def close(self):
        self._closed = True
        for s in [self.listener] + self._socks:
            try:
                s.close()
            except OSError:
                pass
