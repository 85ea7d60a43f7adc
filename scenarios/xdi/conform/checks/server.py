"""Against xdi-server: a replacement table, the automation's actions
(exec command, exec job trigger), a clean session.
"""

from ... import codec
from ...codec import Naccb
from ..engine import check
from ..errors import Failure
from ..tables import JOB
from .serverrun import server_check, text_reject


@check("tables.replace",
       "a replacement EMS table (the host's fixtures changed) takes effect",
       seed="Nac_rep_emsparm equ x'01020301' * agent recv EMS parms "
            "replacement",
       notes="section 7 (replace 01020301 / 01020302), section 11.1 step 5",
       needs=("messages",), host="xdi-server")
def tables_replace(ctx):
    def body(run, fx):
        run.start()
        run.mark()
        hosts = fx / "hosts.yaml"
        hosts.write_text(hosts.read_text().replace('"OLDKEY"', '"NEWKEY"'))
        ctx.transcript.note("fixture changed: event key OLDKEY -> NEWKEY")
        run.wait(lambda r: r.get("conn") == run.conn and
                 r.get("event") == "send" and r.get("key") == "01020301",
                 what="xdi-server to send the replacement EMS table")
        n = [0]

        def tick():
            n[0] += 1
            ctx.inject_message("NEWKEY %d" % n[0])
        run.wait(lambda r: r.get("conn") == run.conn and
                 r.get("event") == "info" and
                 str(r.get("text", "")).startswith("NEWKEY"), tick=tick,
                 what="a message for the new key NEWKEY to be reported "
                      "(the replacement table in use)")
        ctx.inject_message("OLDKEY AFTER THE REPLACEMENT")
        run.mark()
        old = [r for r in run.infos() if
               str(r.get("text", "")).startswith("OLDKEY AFTER")]
        if old:
            raise Failure("the replaced EMS table no longer has key OLDKEY, "
                          "but 'OLDKEY AFTER THE REPLACEMENT' was reported")
    server_check(ctx, "replace", "CONFR", body, copy=True,
                  args=("--reload-delay", "0.05"))


@check("server.exec_command_action",
       "xdi-server's EMS action (an exec command) is carried out or "
       "refused with an agent error",
       seed="Event verb length (VL): 'XDI then subtitute &arg ... and issue "
            "\"CANCEL U=JOKO\"'; Interaction Steps (11)",
       notes="section 8 (verb substitution), section 7 (exec command)",
       needs=("messages",), host="xdi-server")
def server_exec_command_action(ctx):
    def body(run, fx):
        run.start()
        run.mark()
        ctx.inject_message("XACT CONFORM")
        run.wait(lambda r: r.get("conn") == run.conn and
                 r.get("event") == "send" and r.get("key") == "01020104",
                 what="xdi-server to send exec command 'XCMD CONFORM' "
                      "(the action of key XACT)")
        run.wait(lambda r: r.get("conn") == run.conn and (
            r.get("event") == "info" and r.get("kind") == "CMD" and
            r.get("text") == "XCMD CONFORM" or
            r.get("event") == "agent_error" and r.get("object") == 4),
            what="a command event 'XCMD CONFORM' or an agent error for "
                 "the exec command",
            reject=text_reject(run, "CMD", "XCMD CONFORM"))
        if run.violations():
            v = run.violations()[0]
            raise Failure("xdi-server found a protocol violation: %s (%s)"
                          % (v.get("check"), v.get("reason")))
    server_check(ctx, "session", "CONFS", body)


@check("server.exec_job_trigger",
       "xdi-server's SCD trigger (the end of CJOB1 runs CJOB2: an exec job) "
       "is carried out and its end reported",
       seed="Scheduler Parameter Format: 'SCD parameters for each job "
            "either scheduled-job or triggering-job'; Interaction Steps (11)",
       notes="section 7 (exec job 01020108), section 11.1 step 5",
       needs=("jobs",), host="xdi-server")
def server_exec_job_trigger(ctx):
    def body(run, fx):
        ctx.write_job("CJOB2", [], 0)
        proxy = None
        if ctx.config.inject_job:
            run.start()
        else:
            # Only the host can make the reference kind of agent run a
            # job: a proxy slips in the exec job that starts the chain.
            proxy = ctx.proxy(run.srv)
            run.start(address=proxy.address)
        ctx.address, ctx.system = run.srv.address, run.system
        script = ctx.write_job(JOB, [], 0)
        if ctx.config.inject_job:
            ctx._run_adapter("inject job", ctx.config.inject_job,
                             {"job": JOB, "script": script, "rc": 0})
        else:
            proxy.inject(Naccb(codec.EXEC_JOB, agent_id=proxy.agent_id,
                               system=proxy.system,
                               objects=[codec.field(JOB)]))
        run.wait(lambda r: r.get("conn") == run.conn and
                 r.get("event") == "send" and r.get("key") == "01020108",
                 what="xdi-server to send exec job CJOB2 (the trigger on "
                      "the end of CJOB1)")
        run.wait(lambda r: r.get("conn") == run.conn and (
            r.get("event") == "info" and (
                str(r.get("text", "")).rstrip() == "CJOB2" or
                r.get("eotinfo", {}).get("job_name") == "CJOB2") or
            r.get("event") == "agent_error" and r.get("object") == 8),
            within=8.0, what="a report of job CJOB2 (or an agent error "
                             "refusing it)")
        if run.violations():
            v = run.violations()[0]
            raise Failure("xdi-server found a protocol violation: %s (%s)"
                          % (v.get("check"), v.get("reason")))
    server_check(ctx, "session", "CONFS", body)


@check("server.clean_session",
       "a whole session against xdi-server (login, tables, events, stop) "
       "without one protocol violation",
       seed="Interaction Steps (1)-(14)",
       notes="section 11 (every check the server runs)", host="xdi-server")
def server_clean_session(ctx):
    def body(run, fx):
        run.start()
        if ctx.has("messages"):
            run.mark()
            ctx.inject_message("NOTHING MATCHES THIS")
            run.mark()
        run.stop()
        run.wait(lambda r: r.get("conn") == run.conn and
                 r.get("event") == "logout",
                 what="the logout in the journal")
        if run.violations():
            v = run.violations()[0]
            raise Failure("xdi-server found a protocol violation: %s (%s)"
                          % (v.get("check"), v.get("reason")),
                          details="\n".join(str(x) for x in
                                            run.violations()[:5]))
        errs = [r for r in run.records() if r.get("event") == "agent_error"]
        if errs:
            raise Failure("the agent sent an agent error in a plain session: "
                          "%s" % errs[0].get("text"))
    server_check(ctx, "session", "CONFS", body)
