"""libfaketime for the programs under test: where the library is, and the
environment that preloads it with a given start instant and speed.
"""

import os
import pathlib


def faketime_library():
    """libfaketime's path (Debian package libfaketime), or None."""
    found = sorted(pathlib.Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))
    return found[0] if found else None


def faketime_env(when, speed="0.01", tz="UTC"):
    """The one libfaketime environment of the package (servers, agents,
    xdi-conform's agents under test): it starts the wall clock at `when`
    ("2026-11-23 08:30:00", in tz) running at `speed` (0.01: a real second
    is 10 ms, so the clock stays within the named second for a test).
    DONT_FAKE_MONOTONIC keeps clock_gettime(CLOCK_MONOTONIC) real, but
    libfaketime still scales the timeouts of poll/epoll_wait/nanosleep by
    1/speed: at 0.01 every timer of the process (--reload-delay, --grace,
    login and idle timeouts) waits 100 times longer.  Keep such timers out
    of a test under a slow clock, or use speed 1 (agents: their epoll_wait
    timeouts would stretch the same way).  libfaketime is preloaded
    directly: the faketime wrapper would stand between us and the server's
    pid, and it leaks a named semaphore in /dev/shm whenever it is killed,
    which a later run with a recycled pid collides with ("sem_open: File
    exists")."""
    lib = faketime_library()
    if lib is None:
        raise RuntimeError("libfaketime is not installed "
                           "(Debian package libfaketime)")
    return {"LD_PRELOAD": " ".join(filter(None, [
                str(lib), os.environ.get("LD_PRELOAD")])),
            "FAKETIME": "@%s x%s" % (when, speed),
            "DONT_FAKE_MONOTONIC": "1", "TZ": tz,
            # a sanitized program must accept a library ahead of its runtime
            "ASAN_OPTIONS": ":".join(filter(None, [
                os.environ.get("ASAN_OPTIONS"),
                "verify_asan_link_order=0"]))}
