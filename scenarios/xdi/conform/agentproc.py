"""The agent under test, and the command templates.

The user gives the agent's command as a template, e.g.

    my-agent --host {host} --port {port} --name {system}

Placeholders: {host} {port} {system} (where and as whom it logs in),
{workdir} (a private directory of the check), {jobs} (a directory the
suite fills with job scripts, for agents that run jobs by name),
{holidays} (a file with the suite's holiday calendar, one YYYY-MM-DD per
line).  Adapter templates (--inject-message, --inject-job, --job-step) take
{text}, {job}, {script}, {step}, {rc} as well.  Every value substituted is
quoted with shlex.quote, so text from the wire is one shell word and never
shell syntax; the result runs under /bin/sh -c.

The agent runs in the directory xdi-conform was started in (relative
paths in the template work), as an xdi.agentproc.AgentProcess: in its own
process group, with its output in a log file of the check's directory;
stop() ends the group, bounded.
"""

import os
import pathlib
import re
import shlex
import shutil

from ..agentproc import AgentProcess
from .errors import Failure, HarnessError

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def render(template, values):
    """The template with every {name} replaced by shlex.quote(value).
    HarnessError for a placeholder without a value."""
    def sub(m):
        name = m.group(1)
        if name not in values:
            raise HarnessError("template %r: unknown placeholder {%s} "
                               "(known here: %s)" % (
                                   template, name,
                                   ", ".join("{%s}" % k for k in values)))
        return shlex.quote(str(values[name]))
    return PLACEHOLDER.sub(sub, template)


def placeholders(template):
    return set(PLACEHOLDER.findall(template))


def program_of(command):
    """The executable a rendered command line starts (its first word
    found in PATH), or None."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    # Skip leading VAR=value assignments and common wrappers.
    while words and ("=" in words[0] and not words[0].startswith("/")
                     or words[0] in ("exec", "env", "nice")):
        words = words[1:]
    if not words:
        return None
    found = shutil.which(words[0])
    return pathlib.Path(found) if found else None


def statically_linked(path):
    """True for an ELF executable without an interpreter (PT_INTERP), which
    LD_PRELOAD (libfaketime) cannot reach.  False for a dynamic ELF and for
    anything else (a script: the interpreter is dynamic)."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if head[:4] != b"\x7fELF":
                return False
            is64 = head[4] == 2
            little = head[5] == 1
            order = "little" if little else "big"
            if is64:
                phoff = int.from_bytes(head[32:40], order)
                phentsize = int.from_bytes(head[54:56], order)
                phnum = int.from_bytes(head[56:58], order)
            else:
                phoff = int.from_bytes(head[28:32], order)
                phentsize = int.from_bytes(head[42:44], order)
                phnum = int.from_bytes(head[44:46], order)
            for i in range(phnum):
                f.seek(phoff + i * phentsize)
                if int.from_bytes(f.read(4), order) == 3:  # PT_INTERP
                    return False
            return True
    except OSError:
        return False


class AgentUnderTest(AgentProcess):
    """One run of the agent's command (a shell command line), whose exit
    is a Failure of the check."""

    def __init__(self, command, workdir, env=None, transcript=None,
                 label="agent"):
        try:
            super().__init__(command, workdir, env=env, cwd=os.getcwd(),
                             stdout="log", label=label,
                             transcript=transcript)
        except OSError as e:
            raise HarnessError("cannot run the agent command: %s" % e)

    def check_alive(self, when):
        """Failure (or HarnessError when the command could not be run:
        exit 126/127) when the agent has exited."""
        rc = self.poll()
        if rc is None:
            return
        # The agent's output is not repeated here: every report of a
        # failed or errored check carries it once (engine.run_check).
        if rc in (126, 127):
            raise HarnessError("the agent command could not be run (exit "
                               "%d) %s" % (rc, when))
        raise Failure("the agent exited with code %s %s" % (rc, when))
