/*
 * zosmf.h - the z/OSMF face of the control plane (docs/zosmf.md): the
 * pieces that need no state, kept apart from the routes (zosmf.c) so the
 * unit tests (tests/test_zosmf.c) check them against hand-written JSON.
 *
 * z/OSMF is IBM's REST front end of z/OS; Zowe CLI and scripts such as the
 * jobs.py of the seeds speak to it.  Here its services are answered over
 * the fake host: a job is an XDI exec job (docs/protocol.md §9), a TSO
 * command an XDI exec command, the "systems" of the multisystem routing
 * services are the hosts of the fixture set.
 *
 * Everything here is pure: no libuv, no file I/O, no clock (times come in
 * as ISO 8601 strings).  Strings in and out are UTF-8 (JSON's), job and
 * system names upper-case ASCII.
 */
#ifndef XDI_ZOSMF_H
#define XDI_ZOSMF_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* ---- JCL (zosmf_jcl.c) ------------------------------------------------ */

#define XDI_ZOSMF_NAME_MAX 8

/* What a submitted job's JCL says of it. */
struct xdi__jcl_info {
    char jobname[XDI_ZOSMF_NAME_MAX + 1];  /* the JOB statement's name */
    char jobclass[XDI_ZOSMF_NAME_MAX + 1]; /* CLASS=, else "A" */
    char system[XDI_ZOSMF_NAME_MAX + 1];   /* where it runs: JES2
                                              JOBPARM SYSAFF=, XEQ, JES3
                                              MAIN SYSTEM=; "" for none */
    int system_line;                       /* the line that named it */
    size_t lines;                          /* records in the JCL */
};

/*
 * Reads the JCL of a submit (PUT /zosmf/restjobs/jobs, the text as the
 * client sent it, lines ended by LF or CRLF).  Blank lines before the JOB
 * statement are skipped; the first statement must be a JOB statement with
 * a valid job name.  Only the first job is read: a second JOB statement
 * is an error (one submit, one job, as the response names one job).
 * 0, or -1 with "line N: what is wrong" in err.
 */
int xdi__zosmf_jcl_parse(const char *jcl, size_t len, struct xdi__jcl_info *out,
                         char *err, size_t err_size);

/* 1 when s is a valid job or system name: 1..8 of A-Z 0-9 @ # $, not
 * starting with a digit; else 0. */
int xdi__zosmf_valid_name(const char *s);

/*
 * The fixture's cancel template (`cancel_command: "CANCEL &job"`) for
 * one job: `&jobid` becomes the job-id, `&job` the job name.  Writes the
 * command (NUL-terminated) to out and returns its length, or -1 when it
 * would be longer than max (an exec command is 1 to 128 bytes and is never
 * truncated, docs/protocol.md §8) or cap is too small.
 */
int xdi__zosmf_cancel_command(const char *tmpl, const char *jobname,
                              const char *jobid, size_t max, char *out,
                              size_t cap);

/* 1 when a '*'-pattern (the prefix= and owner= of a job list: '*' any
 * run, '%' one character; case-insensitive) matches name; else 0. */
int xdi__zosmf_match(const char *pattern, const char *name);

/* ---- JSON shapes (zosmf_json.c) ---------------------------------------- */

/* The error report of the jobs REST interface: {"rc","reason","category",
 * "message"}; category 6 is "service" in z/OSMF's table.  NULL when out of
 * memory. */
json_t *xdi__zosmf_error(int category, int rc, int reason, const char *message);

/* One job as z/OSMF shows it, from the control plane's job object
 * (docs/control.md, JOB: jobid, name, system, state, submitted, ended,
 * max_cc, abend, steps).  jobclass may be NULL ("A"); canceled: a cancel
 * was carried out for it (retcode CANCELED once it ended without one of
 * its own).  base is put before the "url" and "files-url" paths (may be
 * ""). */
json_t *xdi__zosmf_job(const json_t *job, const char *jobclass, bool canceled,
                       const char *base);

/* z/OSMF's status (INPUT, ACTIVE, OUTPUT) for a control-plane state. */
const char *xdi__zosmf_status(const char *state);

/* The retcode ("CC 0004", "ABEND S0C4", "ABEND U0100", "JCL ERROR",
 * "CANCELED") into buf, or NULL while the job has not ended. */
const char *xdi__zosmf_retcode(const json_t *job, bool canceled, char *buf,
                               size_t size);

/* The spool files of a job: JESMSGLG (id 2), JESJCL (3), JESYSMSG (4). */
enum xdi__spool {
    XDI_SPOOL_JESMSGLG = 2,
    XDI_SPOOL_JESJCL = 3,
    XDI_SPOOL_JESYSMSG = 4
};

/* The list of GET .../files; jcl is the job's JCL text (for the sizes). */
json_t *xdi__zosmf_files(const json_t *job, const char *jcl,
                         const char *jobclass, const char *base);

/* The records of one spool file as text, lines ended by LF (malloc'd,
 * NULL when out of memory or for an unknown id).  JESMSGLG is the job's
 * history as the journal has it, JESJCL the JCL numbered, JESYSMSG the
 * EOTINFO step reports decoded. */
char *xdi__zosmf_spool(const json_t *job, const char *jcl, int id);

/* The JCL that runs the job again: its own when it was submitted, else a
 * JOB statement and a JOBPARM SYSAFF= for its system (malloc'd). */
char *xdi__zosmf_jcl_for(const json_t *job, const char *jcl,
                         const char *jobclass);

/* The feedback of a cancel or purge (modify version 2.0): {"jobid",
 * "jobname","original-jobid","owner","member","sysname","job-correlator",
 * "status":0 or "internal-code"/"message"}. */
json_t *xdi__zosmf_feedback(const char *jobname, const char *jobid,
                            const char *system, int status,
                            const char *message);

/* GET /zosmf/info. */
json_t *xdi__zosmf_info(const char *hostname, const char *port,
                        const char *version);

/* ---- TSO/E address space services ----------------------------------- */

/* The servlet object of the start, send, receive, ping and end answers:
 * {"servletKey","queueID","ver":"0100","tsoData":[...],"reused",
 * "timeout"}.  tsoData holds one {"TSO MESSAGE":{"VERSION":"0100","DATA":
 * line}} per line and, when prompt, a {"TSO PROMPT":{"VERSION":"0100",
 * "HIDDEN":"FALSE"}}; it is left out when both are empty (as z/OSMF
 * does).  reused < 0 leaves "reused" out (only a start with appsessid
 * has it); queue_id may be NULL. */
json_t *xdi__zosmf_tso(const char *servlet_key, const char *queue_id,
                       const char *const *lines, size_t n, bool prompt,
                       bool timeout, int reused);

/* A TSO answer that failed: the servlet object with "msgData":
 * [{"messageText","messageId"}] (Zowe shows msgData[0].messageText). */
json_t *xdi__zosmf_tso_error(const char *servlet_key, const char *msgid,
                             const char *text);

/* The stateless API's answer (PUT /zosmf/tsoApp/v1/tso): {"cmdResponse":
 * [{"message": line}...],"tsoPromptReceived":"Y"|"N","servletKey"?,
 * "keywordDetected":"N"}. */
json_t *xdi__zosmf_tso_v1(const char *const *lines, size_t n, bool prompt,
                          const char *servlet_key);

/* The TSO lines of what the agent answered to one command, from the
 * control plane's answer record (info record with the command event text,
 * agent_error, another record (a disconnect) when the session ended first,
 * or NULL when nothing came in time); malloc'd array of
 * malloc'd strings in *lines, count returned, -1 when out of memory.
 * Free with xdi__zosmf_lines_free(). */
int xdi__zosmf_tso_lines(const char *command, const json_t *answer,
                         bool timed_out, unsigned timeout_s, char ***lines);
void xdi__zosmf_lines_free(char **lines, int n);

/* ---- multisystem routing services ------------------------------------ */

/* One system's part of a routed request. */
struct xdi__gw_output {
    const char *system;
    const char *rc;    /* "OK", "HttpConnectionFailed", ... */
    const char *msgid; /* NULL: "error" is null */
    const char *msgtxt;
    const char *output; /* the routed request's answer body, or NULL */
    size_t output_len;
};

/* {"primaryAPIVersion","systemsOutput":[{"systemName","rc","error",
 * "systemOutput","secondaryApiVersion","systemVersion"}...],
 * "numOfSystems"}.  systemOutput is the answer's body as a string, as
 * z/OSMF passes on what the secondary instance answered. */
json_t *xdi__zosmf_gateway(struct xdi__gw_output *out, size_t n,
                           const char *sysplex);

/* The z/OS level reported everywhere (info, gateway): z/OS 2.4, the first
 * level at which Zowe CLI 8 uses the stateless TSO API. */
#define XDI_ZOSMF_ZOS_VERSION  "04.27.00"
#define XDI_ZOSMF_VERSION      "27"
#define XDI_ZOSMF_FULL_VERSION "27.0"
#define XDI_ZOSMF_API_VERSION  "1"
/* The one sysplex of a fixture set, in gateway answers. */
#define XDI_ZOSMF_SYSPLEX "XDIPLEX"

#endif /* XDI_ZOSMF_H */
