#!/usr/bin/python3
"""sink.py - the Python asyncio baseline for xdi-server's ingest path
(docs/performance.md, section 3): the twin of xdi-bench-sink (sink.c).

An asyncio Protocol that frames NACCBs by their 4-byte big-endian total
length (the first field of the 36-byte header, docs/protocol.md sections 2
and 3), counts them and throws them away; it answers a login with an
accept, an acquire EMS or SCD with the host's raw table from the xdi-load
fixture set (DIR/raw/<host>.ems / .scd: the bytes xdi-server sends) and a
logout by closing, so that xdi-load runs against it unchanged.  Nothing is
decoded, checked or journalled.

Counts: --count-file FILE is rewritten in place every millisecond while
the count of info NACCBs moves (xdi-load --count-file); SIGTERM or SIGINT
print "naccbs=N infos=N bytes=N cpu_us=N" and exit 0.

Standard library only; run with /usr/bin/python3.
"""

import argparse
import asyncio
import os
import resource
import signal
import struct
import sys

TOOL = "sink.py"
VERSION = "1"
HEADER = 36
MAX_NACCB = 16 * 1024 * 1024
EVBLOK, EOTINFO = 230, 162
LOGIN, LOGOUT = 0x02010500, 0x02010600
ACQ_EMS, ACQ_SCD = 0x02010901, 0x02010902
ACCEPT, RCV_EMS, RCV_SCD = 0x01020700, 0x01020201, 0x01020202
NO_EMS, NO_SCD = 0x01020B01, 0x01020B02
COUNT_S = 0.001

_u32 = struct.Struct(">I")
_header = struct.Struct(">II8sI8xII")  # total, agent-ID, name, key, count, size


class Sink:
    """What the connections share: counts and the tables read so far."""

    def __init__(self, fixtures, count_path):
        self.fixtures = fixtures
        self.naccbs = self.infos = self.bytes = 0
        self.next_agent_id = 0
        self.tables = {}  # wire name -> (ems bytes or None, scd bytes or None)
        self.count_fd = None
        self.written = -1
        if count_path:
            self.count_fd = os.open(count_path,
                                    os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                                    0o666)
            self.write_count()

    def table(self, name, which):
        t = self.tables.get(name)
        if t is None:
            host = name.decode("cp037").rstrip()
            t = (self.read(host, "ems", EVBLOK), self.read(host, "scd", EOTINFO))
            self.tables[name] = t
        return t[which]

    def read(self, host, ext, size):
        path = os.path.join(self.fixtures, "raw", "%s.%s" % (host, ext))
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            return None
        if not data or len(data) % size or len(data) > MAX_NACCB - HEADER:
            print("%s: cannot use %s as a raw table" % (TOOL, path),
                  file=sys.stderr)
            return None
        return data

    def write_count(self):
        """Fixed width, in place: a reader never sees a torn number."""
        if self.count_fd is not None and self.infos != self.written:
            os.pwrite(self.count_fd, b"%20d\n" % self.infos, 0)
            self.written = self.infos


class Conn(asyncio.Protocol):
    """One agent connection: skip bodies, gather headers, dispatch."""

    def __init__(self, sink):
        self.sink = sink
        self.skip = 0
        self.pending = b""  # a header split across reads
        self.agent_id = 0
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        sink = self.sink
        sink.bytes += len(data)
        pos, end = 0, len(data)
        if self.pending:
            data = self.pending + data
            end = len(data)
            self.pending = b""
        while pos < end:
            if self.skip:
                take = min(self.skip, end - pos)
                self.skip -= take
                pos += take
                continue
            if end - pos < HEADER:
                self.pending = bytes(data[pos:end])
                return
            total = _u32.unpack_from(data, pos)[0]
            if total < HEADER or total > MAX_NACCB:
                self.transport.close()  # lost framing
                return
            key = _u32.unpack_from(data, pos + 16)[0]
            sink.naccbs += 1
            if key & 0xFFFFFF00 == 0x02010A00:
                sink.infos += 1
            else:
                self.dispatch(key, bytes(data[pos + 8:pos + 16]))
            pos += HEADER
            self.skip = total - HEADER

    def reply(self, key, name, objects=None, size=0):
        count = len(objects) // size if objects else 0
        head = _header.pack(HEADER + len(objects or b""), self.agent_id, name,
                            key, count, size if count else 0)
        self.transport.write(head + objects if objects else head)

    def dispatch(self, key, name):
        sink = self.sink
        if key == LOGIN:
            sink.next_agent_id = sink.next_agent_id % 0xFFFFFFFF + 1
            self.agent_id = sink.next_agent_id
            self.reply(ACCEPT, name)
        elif key in (ACQ_EMS, ACQ_SCD):
            which = 0 if key == ACQ_EMS else 1
            table = sink.table(name, which)
            if table is None:
                self.reply(NO_SCD if which else NO_EMS, name)
            else:
                self.reply(RCV_SCD if which else RCV_EMS, name, table,
                           EOTINFO if which else EVBLOK)
        elif key == LOGOUT:
            self.transport.close()  # after what is queued is written


def report(sink):
    sink.write_count()
    ru = resource.getrusage(resource.RUSAGE_SELF)
    cpu_us = int((ru.ru_utime + ru.ru_stime) * 1e6)
    print("naccbs=%d infos=%d bytes=%d cpu_us=%d" % (sink.naccbs, sink.infos,
                                                     sink.bytes, cpu_us),
          flush=True)
    os._exit(0)  # a benchmark sink: nothing is left to flush or to say


def usage_error(parser, message):
    print("%s: %s\nTry '%s --help'." % (TOOL, message, TOOL), file=sys.stderr)
    sys.exit(2)


class Parser(argparse.ArgumentParser):
    def error(self, message):
        usage_error(self, message)


def parse_listen(text):
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise ValueError(text)
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, int(port)


async def serve(args):
    sink = Sink(args.fixtures, args.count_file)
    loop = asyncio.get_running_loop()
    host, port = parse_listen(args.listen)
    server = await loop.create_server(lambda: Conn(sink), host, port,
                                      backlog=511)
    addr = server.sockets[0].getsockname()
    shown = "[%s]" % addr[0] if ":" in addr[0] else addr[0]
    print("listening on %s:%d" % (shown, addr[1]), flush=True)
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, report, sink)

    def tick():
        sink.write_count()
        loop.call_later(COUNT_S, tick)

    if sink.count_fd is not None:
        loop.call_later(COUNT_S, tick)
    await asyncio.Event().wait()  # until a signal


def main():
    parser = Parser(prog=TOOL, description=(
        "The Python asyncio (Protocol) baseline for xdi-server "
        "(docs/performance.md): frames NACCBs by their total length, counts "
        "and discards them; answers login, acquire EMS/SCD (the host's raw "
        "table from the xdi-load fixture set) and logout, so that xdi-load "
        "runs against it unchanged.  Prints 'listening on ADDR:PORT'; on "
        "SIGTERM or SIGINT 'naccbs=N infos=N bytes=N cpu_us=N', exit 0."))
    parser.add_argument("--fixtures", required=True, metavar="DIR",
                        help="the set made by xdi-load --make-fixtures")
    parser.add_argument("--listen", default="127.0.0.1:0",
                        metavar="ADDR:PORT",
                        help="where to listen (default 127.0.0.1:0)")
    parser.add_argument("--count-file", metavar="FILE",
                        help="keep the count of info NACCBs in FILE, "
                        "rewritten every millisecond while it moves")
    parser.add_argument("-V", "--version", action="version",
                        version="%s (xdi-emu) %s" % (TOOL, VERSION))
    args = parser.parse_args()
    try:
        parse_listen(args.listen)
    except ValueError:
        usage_error(parser, "bad --listen address: %s" % args.listen)
    try:
        asyncio.run(serve(args))
    except OSError as e:
        print("%s: cannot listen on %s: %s" % (TOOL, args.listen, e),
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
