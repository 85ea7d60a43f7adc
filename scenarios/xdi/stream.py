"""send_in_pieces: one NACCB (or any bytes) onto a socket in writes of
chosen sizes, so that the peer's framer sees it in pieces.  The one helper
behind ScriptedAgent.send (an agent's side, against xdi-server) and
HostConn.send (the host's side, against an agent under test).
"""

import time


def piece_sizes(length, pieces):
    """The sizes of the writes: None for one write; an int n for writes of
    n bytes; a list of sizes for writes of those sizes, the rest (if any)
    as a last write.  Never an empty write."""
    if pieces is None:
        return [length]
    if isinstance(pieces, int):
        if pieces <= 0:
            raise ValueError("pieces must be positive, not %d" % pieces)
        sizes = [pieces] * ((length + pieces - 1) // pieces)
    else:
        sizes = list(pieces)
    out, pos = [], 0
    for n in sizes:
        if pos >= length:
            break
        n = min(n, length - pos)
        out.append(n)
        pos += n
    if pos < length:
        out.append(length - pos)
    return out


def send_in_pieces(sock, data, pieces=None, pause=0.0):
    """Write data to sock in the writes of piece_sizes(), `pause` seconds
    apart (so that the pieces reach the peer as separate reads)."""
    pos = 0
    for i, n in enumerate(piece_sizes(len(data), pieces)):
        if i and pause:
            time.sleep(pause)
        sock.sendall(data[pos:pos + n])
        pos += n
    return data
