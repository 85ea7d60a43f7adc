"""The dashboard (server/www, docs/dashboard.md) in a real browser:
headless Chromium from Debian, driven by Selenium, against the real
xdi-server on the demo fixtures with its control plane on a kernel-chosen
port and the real xdi-agent.

The page logs on (a wrong password first: the form says so), shows SYSA
without an agent, then shows it connected once the agent logs in -- with
no reload: only the journal stream can tell the page.  An exec command
sent from the form comes back as the agent's command event in the feed,
and an exec job from the form shows up in the jobs list and reaches its
end there (one job, with the job-id of the agent's EOTINFO), as does the
job its end triggers.  The journal's record filter shows only what it
names.  Every wait is a WebDriverWait on the DOM, bounded, and the whole
test by DEADLINE; nothing sleeps.

XDI_SCREENSHOT=PATH saves a screenshot of the page at the end (the one in
docs/img/dashboard.png was made so).
"""

import json
import os
import pathlib
import queue
import shutil
import subprocess
import time

import pytest

from agent_proc import server_arg, xdi_agent
from xdi.server import fixture_dir, source_dir

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
MISSING = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]

needs_chromium = pytest.mark.skipif(
    bool(MISSING), reason="the dashboard test needs Debian's chromium and "
    "chromium-driver (ci/deps.sh); missing: " + ", ".join(MISSING))

TOKEN = "dashboard-test-token-0123456789abcdefXYZ"
DEADLINE = 55.0   # the whole test, browser start included
STEP = 15.0       # one wait at most

# PAYROLL1 on SYSA (fixtures/demo): ends at once with code 0.  Its end is
# an EOJ text and an EOTINFO (SYSA's SCD has PAYROLL1).
PAYROLL1 = "#!/bin/sh\nexit 0\n"


def control_address(server, within=10.0):
    """The `control on ADDR:PORT` line xdi-server prints after its
    `listening on` lines, as a URL."""
    if getattr(server, "control_url", None):      # the harness read it
        return server.control_url
    deadline = time.monotonic() + within
    lines = list(server.stdout_lines())
    while True:
        for line in lines:
            if line.startswith("control on "):
                return "http://" + line[len("control on "):].strip()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError("no 'control on' line within %.0f s\n%s"
                                 % (within, server.diagnostics()))
        try:
            line = server._lines.get(timeout=remaining)
        except queue.Empty:
            continue
        if line is None:
            raise AssertionError("xdi-server exited before 'control on'\n%s"
                                 % server.diagnostics())
        server._stdout_tail.append(line)
        lines = [line]


def Select(element):
    from selenium.webdriver.support.ui import Select as select
    return select(element)


def chrome(tmp_path):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("python3-selenium is not installed (ci/deps.sh)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1440,1150", "--no-first-run",
                "--user-data-dir=%s" % (tmp_path / "chrome-profile")):
        opts.add_argument(arg)
    if os.geteuid() == 0:
        opts.add_argument("--no-sandbox")   # Chromium refuses root otherwise
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(CHROMEDRIVER,
                      log_path=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=opts)
    driver.set_page_load_timeout(STEP)
    driver.set_script_timeout(STEP)
    return driver


# The page redraws its tables when records arrive, so an element found a
# moment ago may be gone: what a test reads of the live tables is read in
# one script call, as a snapshot (text and data-* attributes).
SNAPSHOT = """
return Array.from(document.querySelectorAll(arguments[0])).map(function (e) {
  var cells = {};
  e.querySelectorAll('[data-test]').forEach(function (c) {
    cells[c.dataset.test] = c.textContent;
  });
  return {text: e.textContent, data: Object.assign({}, e.dataset),
          cells: cells};
});
"""


class Page:
    """The browser on the dashboard, with bounded waits that say what did
    not happen and show the page's console."""

    def __init__(self, driver, deadline, server):
        self.d = driver
        self.deadline = deadline
        self.server = server

    def css(self, selector):
        from selenium.webdriver.common.by import By
        return self.d.find_elements(By.CSS_SELECTOR, selector)

    def one(self, selector):
        """A form element (the forms are never redrawn)."""
        found = self.css(selector)
        assert found, "nothing on the page matches %s" % selector
        return found[0]

    def snap(self, selector):
        """[{"text", "data" (data-* attributes), "cells" (text of the
        data-test elements inside)}] of every match, read at once."""
        return self.d.execute_script(SNAPSHOT, selector)

    def wait(self, what, cond):
        from selenium.common.exceptions import (StaleElementReferenceException,
                                                TimeoutException)
        from selenium.webdriver.support.ui import WebDriverWait
        within = max(0.5, min(STEP, self.deadline - time.monotonic()))
        try:
            return WebDriverWait(
                self.d, within, poll_frequency=0.05,
                ignored_exceptions=(StaleElementReferenceException,)).until(
                    lambda d: cond())
        except TimeoutException:
            raise AssertionError(
                "the dashboard did not show %s within %.1f s\n%s"
                % (what, within, self.diagnostics())) from None

    def diagnostics(self):
        try:
            console = "\n  ".join(str(e) for e in self.d.get_log("browser"))
        except Exception as e:  # the driver may be gone
            console = "(no console: %s)" % e
        tail = [json.dumps(r) for r in self.server.journal.records()[-15:]]
        return ("browser console:\n  %s\njournal tail:\n  %s"
                % (console or "(empty)", "\n  ".join(tail) or "(empty)"))

    def row(self, system):
        rows = self.snap('[data-test=system-row][data-system="%s"]' % system)
        return rows[0] if rows else None

    def agent(self, system):
        """SYSA's data-agent: "connected", "none", or None (no row)."""
        row = self.row(system)
        return row["data"].get("agent") if row else None

    def feed_texts(self, kind):
        return [e["text"] for e in
                self.snap('[data-test=feed-item][data-kind="%s"] '
                          '[data-test=feed-text]' % kind)]

    def job_state(self, name, by):
        """The state of the newest job of that name asked for by `by`, or
        None when the list has none."""
        rows = self.snap('[data-test=job-row][data-job="%s"][data-by="%s"]'
                         % (name, by))
        return rows[0]["data"].get("state") if rows else None

    def attr(self, selector, name):
        rows = self.snap(selector)
        return rows[0]["data"].get(name) if rows else None


@needs_chromium
def test_dashboard_live(tmp_path, xdi_server_factory):
    deadline = time.monotonic() + DEADLINE
    www = source_dir() / "server" / "www"
    server = xdi_server_factory(
        fixtures=fixture_dir("demo"),
        args=["--control", "127.0.0.1:0", "--control-token", TOKEN,
              "--control-www", www])
    url = control_address(server)
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    (jobs / "PAYROLL1").write_text(PAYROLL1)
    (jobs / "PAYROLL1").chmod(0o755)

    driver = chrome(tmp_path)
    agent = None
    try:
        page = Page(driver, deadline, server)
        driver.get(url + "/")

        # A wrong password: the form says so and the page stays at logon.
        page.wait("the logon form", lambda: page.css("#logon-password"))
        page.one("#logon-user").clear()
        page.one("#logon-user").send_keys("xdi")
        page.one("#logon-password").send_keys("not-the-token")
        page.one("#logon-submit").click()
        page.wait("the logon error",
                  lambda: page.one("#logon-error").text.strip())
        assert page.one("#app").get_attribute("hidden") is not None
        server.journal.wait_for(event="control_auth_failed")

        page.one("#logon-password").clear()
        page.one("#logon-password").send_keys(TOKEN)
        page.one("#logon-submit").click()

        # Every demo system; SYSA without an agent.
        page.wait("the systems SYSA, SYSB, SYSC",
                  lambda: page.row("SYSA") and page.row("SYSB")
                  and page.row("SYSC"))
        sysa = page.row("SYSA")
        assert sysa["data"]["agent"] == "none"
        assert sysa["cells"]["agent-state"] == "no agent"
        assert "ready" in sysa["text"]         # SYSA's EMS and SCD
        page.wait("the journal stream open",
                  lambda: page.attr("#stream-state", "state") == "open")
        # The window object survives until the end only if the page is
        # never reloaded: the proof that the update below came live.
        driver.execute_script("window.__noReload = 'still here';")

        # The reference agent logs in: the row turns connected by itself.
        agent = xdi_agent(["--server", server_arg(server.address),
                           "--system", "SYSA", "--password", "DEMO",
                           "--jobs", jobs, "--backoff", "20"],
                          tmp_path / "agent")
        page.wait("SYSA connected",
                  lambda: page.agent("SYSA") == "connected")
        accept = server.journal.wait_for(event="accept", system="SYSA")[0]
        page.wait("SYSA's agent-ID and peer",
                  lambda: page.row("SYSA")["cells"].get("agent-id") ==
                  str(accept["agent_id"]) and
                  page.row("SYSA")["cells"].get("agent-peer") ==
                  accept["peer"])
        assert page.agent("SYSB") == "none"

        # Exec command from the form: the agent's command event (the
        # demo's KILL key) appears in SYSA's feed.
        agent.wait_line(r"^xdi-agent: running:")
        Select(page.one("[data-test=action-system]")).select_by_value("SYSA")
        page.one("#command-text").send_keys("KILL JOKO")
        page.one("[data-test=command-send]").click()
        page.wait("the command event KILL JOKO in the feed",
                  lambda: "KILL JOKO" in page.feed_texts("CMD"))
        info = server.journal.wait_for(event="info", kind="CMD",
                                       text="KILL JOKO")[0]
        assert info["system"] == "SYSA"
        assert page.attr("#action-result", "ok") == "true"

        # Exec job from the form: PAYROLL1 in the jobs list (asked for by
        # the control plane), then its end, which the agent reports.
        page.one("#job-name").send_keys("PAYROLL1")
        page.one("[data-test=job-send]").click()
        page.wait("PAYROLL1 in the jobs list",
                  lambda: page.job_state("PAYROLL1", "control") is not None)
        page.wait("PAYROLL1 ended in the jobs list",
                  lambda: page.job_state("PAYROLL1", "control") == "ended")
        # One job, not two: its EOTINFO (SYSA's SCD gives PAYROLL1 the
        # job-id JOB00101) ended the job the form asked for.
        page.wait("PAYROLL1's job-id from its EOTINFO",
                  lambda: page.attr('[data-test=job-row][data-job=PAYROLL1]'
                                    '[data-by=control]', "jobid") ==
                  "JOB00101")
        rows = page.snap('[data-test=job-row][data-job=PAYROLL1]')
        assert [(r["data"]["system"], r["data"]["by"]) for r in rows] == \
            [("SYSA", "control")]
        # Its EOJ fires the demo's trigger: PAYROLL2, which the agent's
        # jobs directory lacks, so it ends not run.
        page.wait("PAYROLL2 not run in the jobs list",
                  lambda: page.job_state("PAYROLL2", "trigger") == "not_run")

        # The journal panel: every record, then only the control records
        # (the logon, the command, the job) once the filter says so.
        page.wait("the control records in the journal",
                  lambda: page.snap('[data-test=journal-item]'
                                    '[data-event=control]'))
        shot = os.environ.get("XDI_SCREENSHOT")
        if shot:                               # the page as docs show it
            path = pathlib.Path(shot)
            path.parent.mkdir(parents=True, exist_ok=True)
            assert driver.save_screenshot(str(path)), "screenshot failed"
        Select(page.one("#journal-kind")).select_by_value("control")

        def only_control():
            events = [r["data"]["event"]
                      for r in page.snap("[data-test=journal-item]")]
            return len(events) >= 3 and set(events) == {"control"}
        page.wait("only control records in the filtered journal",
                  only_control)
        assert driver.execute_script("return window.__noReload") == \
            "still here"
    finally:
        driver.quit()
        if agent is not None:
            agent.stop()
    assert time.monotonic() < deadline, "the dashboard test took too long"


def test_dashboard_files_installed(build_dir, tmp_path):
    """`cmake --install` puts the page's files, byte for byte, where an
    installed xdi-server looks for them (share/xdi-emu/www)."""
    cmake = os.environ.get("XDI_CMAKE") or shutil.which("cmake")
    if not cmake:
        pytest.fail("cmake not found (ctest sets XDI_CMAKE)")
    prefix = tmp_path / "prefix"
    p = subprocess.run([cmake, "--install", str(build_dir), "--prefix",
                        str(prefix)], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    src = source_dir() / "server" / "www"
    dst = prefix / "share" / "xdi-emu" / "www"
    names = sorted(f.name for f in src.iterdir() if f.is_file())
    assert {"index.html", "app.js", "style.css"} <= set(names)
    assert sorted(f.name for f in dst.iterdir()) == names
    for name in names:
        assert (dst / name).read_bytes() == (src / name).read_bytes(), name
