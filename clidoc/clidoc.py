#!/usr/bin/python3
"""clidoc.py - a tool's man page include and its bash completion, both made
from what the tool itself prints for --help (clidoc/CMakeLists.txt).

  clidoc.py include    TOOL PROGRAM OUT [SUB...]   help2man --include file:
      a COMMANDS section with each SUB's --help, and SEE ALSO
  clidoc.py completion TOOL PROGRAM OUT [SUB...]   bash completion script:
      TOOL's options (and, after a SUB, that SUB's), the subcommands, and
      for an option's argument what its metavar says (DIR: directories,
      FILE: files, a|b or {a,b}: those words, CP: the code pages)

PROGRAM may be a command line ("python3 x.py"); SUB may be "auto": the
subcommands are then read from an argparse --help ("{a,b}" or a COMMAND
list).  Standard library only.
"""

import re
import shlex
import subprocess
import sys

LONG = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
# An option line of a --help: "  -l, --listen ADDR:PORT   text",
# "      --journal-errors fatal|warn", "  --from {agent,host,both}".
OPTION_LINE = re.compile(
    r"^\s+(?:(-[A-Za-z0-9])(?:[ =]\S+)?,\s+)?(--[a-z][a-z0-9-]*)"
    r"(?:[ =]((?:\{[^}\s]*\})|(?:[A-Z]\S*)|(?:\S*\|\S*)))?(?:\s|$)")
SHORT_LINE = re.compile(r"^\s+(-[A-Za-z0-9])(?:[ =]([A-Z]\S*))?"
                        r"(?:,|\s{2,}|$)")
CODEPAGES = "037 1047 500 ascii"
FILE_WORDS = ("FILE", "CAPTURE", "INPUT", "SCRIPT", "PATH", "JOURNAL", "OUT")


def help_text(program, args, fallback=None):
    """program's --help (after args); fallback when a subcommand has no
    --help of its own (it fails, or prints the tool's)."""
    p = subprocess.run(shlex.split(program) + args + ["--help"],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=60)
    if fallback is not None and (p.returncode != 0 or
                                 p.stdout.decode() == fallback):
        return fallback
    if p.returncode != 0:
        sys.exit("clidoc: %s %s --help: exit %d: %s" % (
            program, " ".join(args), p.returncode, p.stderr.decode()))
    return p.stdout.decode()


def subcommands(text, subs):
    if subs != ["auto"]:
        return subs
    m = re.search(r"^\s+\{([a-z0-9,-]+)\}", text, re.M)
    if m:
        return m.group(1).split(",")
    found, inside = [], False
    for line in text.splitlines():
        if re.match(r"^\s+COMMAND$", line):
            inside = True
            continue
        if inside:
            m = re.match(r"^    ([a-z][a-z0-9-]*)(\s|$)", line)
            if m:
                found.append(m.group(1))
            elif line.strip() and not line.startswith("      "):
                break
    return found


def options(text):
    """(every long option named, {option: metavar}) of one --help."""
    named = sorted(set(LONG.findall(text)))
    takes = {}
    for line in text.splitlines():
        m = OPTION_LINE.match(line)
        if m:
            short, long_, meta = m.groups()
            if meta:
                takes[long_] = meta
                if short:
                    takes[short] = meta
            continue
        m = SHORT_LINE.match(line)
        if m and m.group(2):
            takes[m.group(1)] = m.group(2)
    shorts = sorted(set(re.findall(r"^\s+(-[A-Za-z0-9])[ ,=]", text, re.M)))
    return named, shorts, takes


def roff(text):
    out = []
    for line in text.rstrip("\n").splitlines():
        line = line.replace("\\", "\\e")
        if line.startswith((".", "'")):
            line = "\\&" + line
        out.append(line)
    return "\n".join(out)


def write_include(tool, program, out, subs):
    text = help_text(program, [])
    subs = subcommands(text, subs)
    parts = []
    if subs:
        parts.append("[COMMANDS]")
        for sub in subs:
            sub_text = help_text(program, [sub], text)
            if sub_text != text:
                parts.append('.SS "%s %s"\n.nf\n%s\n.fi' % (
                    tool, sub, roff(sub_text)))
        if not any(p.startswith(".SS") for p in parts):
            parts.pop()
    parts.append("[SEE ALSO]\n"
                 ".BR xdi-server (1),\n.BR xdi-agent (1),\n"
                 ".BR xdi-conform (1),\n.BR naccb (1).\n"
                 ".PP\nThe full documentation of xdi-emu is in the docs/ "
                 "folder of its source tree (README.md first); docs/c-api.md "
                 "is installed in share/doc/xdi-emu.")
    with open(out, "w") as f:
        f.write("\n".join(parts) + "\n")


def argument_action(meta):
    """The bash that completes an argument of metavar meta."""
    words = None
    if meta.startswith("{"):
        words = meta.strip("{}").split(",")
    elif "|" in meta and meta == meta.lower():
        words = meta.split("|")
    elif meta == "CP":
        words = CODEPAGES.split()
    if words:
        return 'COMPREPLY=($(compgen -W "%s" -- "$cur"))' % " ".join(words)
    if meta.endswith("DIR"):
        return 'COMPREPLY=($(compgen -d -- "$cur"))'
    if any(w in meta for w in FILE_WORDS):
        return 'COMPREPLY=($(compgen -f -- "$cur"))'
    return "COMPREPLY=()"


def case_arms(takes, prefix):
    by_action = {}
    for opt, meta in sorted(takes.items()):
        by_action.setdefault(argument_action(meta), []).append(prefix + opt)
    return "".join("        %s) %s; return 0 ;;\n" % ("|".join(opts), action)
                   for action, opts in sorted(by_action.items()))


def write_completion(tool, program, out, subs):
    text = help_text(program, [])
    subs = subcommands(text, subs)
    named, shorts, takes = options(text)
    func = "_xdi_emu_" + re.sub(r"\W", "_", tool)
    sub_opts, sub_arms = [], []
    for sub in subs:
        stext = help_text(program, [sub], text)
        snamed, sshorts, stakes = options(stext)
        sub_opts.append("        %s) opts=\"%s\" ;;\n" % (
            sub, " ".join(sorted(set(snamed + sshorts)))))
        sub_arms.append(case_arms(stakes, sub + ":"))
    script = """# bash completion for %(tool)s, generated from its --help by
# xdi-emu's clidoc/clidoc.py at build time: do not edit.
%(func)s()
{
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="" sub="" opts i
    ((COMP_CWORD > 0)) && prev="${COMP_WORDS[COMP_CWORD-1]}"
    local subs="%(subs)s"
    for ((i = 1; i < COMP_CWORD; i++)); do
        case " $subs " in
        *" ${COMP_WORDS[i]} "*) sub="${COMP_WORDS[i]}"; break ;;
        esac
    done
    COMPREPLY=()
    case "$sub:$prev" in
%(sub_arms)s%(arms)s    esac
    opts="%(opts)s"
    case "$sub" in
%(sub_opts)s    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    elif [[ -z $sub && -n $subs ]]; then
        COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
    return 0
}
complete -F %(func)s %(tool)s
""" % {"tool": tool, "func": func, "subs": " ".join(subs),
       "sub_arms": "".join(sub_arms),
       "arms": case_arms(takes, "*:"),
       "opts": " ".join(sorted(set(named + shorts))),
       "sub_opts": "".join(sub_opts)}
    with open(out, "w") as f:
        f.write(script)


def main(argv):
    if len(argv) < 5 or argv[1] not in ("include", "completion"):
        sys.exit(__doc__)
    mode, tool, program, out, subs = argv[1], argv[2], argv[3], argv[4], \
        argv[5:]
    (write_include if mode == "include" else write_completion)(
        tool, program, out, subs)


if __name__ == "__main__":
    main(sys.argv)
