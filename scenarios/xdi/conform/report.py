"""The reports of xdi-conform: the console report and JUnit XML.

Console: one line per check as it ends (PASS / FAIL / ERROR / SKIP, name,
seconds), the evidence under every failure and error, and a closing line
"N passed, N failed, N errors, N skipped".

JUnit XML (the schema Jenkins, GitLab and GitHub actions read): one
<testsuite name="xdi-conform">, one <testcase classname="xdi-conform.GROUP"
name="CHECK"> per check, in suite order.  A broken rule is a <failure>, a
check the harness could not run an <error>, a check not run <skipped> (a
skipped check never counts as passed).  Each testcase carries properties
(seed: the seed passage, protocol: the section of docs/protocol.md, title) and the
transcript of the NACCBs exchanged in <system-out>.
"""

import re
import sys
import time
import xml.etree.ElementTree as ET

from .engine import ERROR, FAIL, PASS, SKIP

LABEL = {PASS: "PASS", FAIL: "FAIL", ERROR: "ERROR", SKIP: "SKIP"}


def counts(results):
    c = {PASS: 0, FAIL: 0, ERROR: 0, SKIP: 0}
    for r in results:
        c[r.status] += 1
    return c


def summary_line(results):
    c = counts(results)
    return "%d passed, %d failed, %d errors, %d skipped" % (
        c[PASS], c[FAIL], c[ERROR], c[SKIP])


def _indent(text, pad="    "):
    return "\n".join(pad + line for line in text.splitlines())


class Console:
    """Prints each result as it comes (on_result) and the summary."""

    def __init__(self, out=sys.stdout, verbose=False):
        self.out = out
        self.verbose = verbose

    def header(self, config):
        self.out.write("xdi-conform: agent command: %s\n" % config.agent)
        self.out.flush()

    def __call__(self, r):
        line = "%-5s %-28s %6.2fs  %s" % (LABEL[r.status], r.check.name,
                                           r.seconds, r.check.title)
        if r.status == SKIP:
            line = "%-5s %-28s %7s  %s" % ("SKIP", r.check.name, "",
                                            r.message)
        self.out.write(line + "\n")
        if r.status in (FAIL, ERROR) or self.verbose and r.status == PASS:
            if r.message:
                self.out.write(_indent(r.message) + "\n")
            if r.status in (FAIL, ERROR):
                self.out.write("    seed: %s\n    protocol: %s\n"
                               % (r.check.seed, r.check.notes))
            if r.evidence:
                self.out.write("    evidence:\n%s\n" % _indent(r.evidence,
                                                               "      "))
            if r.transcript:
                self.out.write("    transcript:\n%s\n"
                               % _indent(r.transcript, "      "))
            if r.agent_output:
                self.out.write(_indent(r.agent_output) + "\n")
            if r.workdir is not None:
                self.out.write("    files of this check (kept): %s\n"
                               % r.workdir)
        self.out.flush()

    def footer(self, results, seconds):
        kept = [r.workdir for r in results if r.workdir is not None]
        if kept:
            self.out.write("xdi-conform: the files of the %d failed or "
                           "errored check(s) are kept under %s\n"
                           % (len(kept), kept[0].parent))
        self.out.write("xdi-conform: %s in %.1f s\n"
                       % (summary_line(results), seconds))
        self.out.flush()


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _x(text):
    """Text XML 1.0 can hold (control characters from an agent's output
    would make the document unreadable)."""
    return _NOT_XML.sub("\ufffd", text or "")


def junit(results, config, seconds):
    """The JUnit XML document (an ElementTree element)."""
    c = counts(results)
    suites = ET.Element("testsuites", name="xdi-conform",
                        tests=str(len(results)), failures=str(c[FAIL]),
                        errors=str(c[ERROR]), skipped=str(c[SKIP]),
                        time="%.3f" % seconds)
    suite = ET.SubElement(suites, "testsuite", name="xdi-conform",
                          tests=str(len(results)), failures=str(c[FAIL]),
                          errors=str(c[ERROR]), skipped=str(c[SKIP]),
                          time="%.3f" % seconds,
                          timestamp=time.strftime("%Y-%m-%dT%H:%M:%S"))
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="agent", value=_x(config.agent))
    ET.SubElement(props, "property", name="faketime",
                  value=str(bool(config.faketime)).lower())
    for r in results:
        tc = ET.SubElement(suite, "testcase",
                           classname="xdi-conform." + r.check.group,
                           name=r.check.name, time="%.3f" % r.seconds)
        p = ET.SubElement(tc, "properties")
        ET.SubElement(p, "property", name="title", value=r.check.title)
        ET.SubElement(p, "property", name="seed", value=r.check.seed)
        ET.SubElement(p, "property", name="protocol",
                      value=r.check.notes)
        ET.SubElement(p, "property", name="host", value=r.check.host)
        body = "\n".join(x for x in (
            r.evidence, r.agent_output, r.workdir and
            "files of this check (kept): %s" % r.workdir) if x)
        if r.status == FAIL:
            f = ET.SubElement(tc, "failure", message=_x(r.message),
                              type="ProtocolViolation")
            f.text = _x(body)
        elif r.status == ERROR:
            e = ET.SubElement(tc, "error", message=_x(r.message),
                              type="HarnessError")
            e.text = _x(body)
        elif r.status == SKIP:
            ET.SubElement(tc, "skipped", message=_x(r.message))
        if r.transcript:
            out = ET.SubElement(tc, "system-out")
            out.text = _x(r.transcript)
    return suites


def write_junit(path, results, config, seconds):
    tree = ET.ElementTree(junit(results, config, seconds))
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
