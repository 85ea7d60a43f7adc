/*
 * mutants.h - deliberately broken builds of xdi-agent, for the mutation
 * proof of the conformance suite (docs/conformance.md, "Mutation proof").
 *
 * The real agent is built without XDI_AGENT_MUTANT (it is then 0, and
 * every XDI_MUTANT(...) is false, so the code is exactly the real agent's).
 * tools/xdi-agent/CMakeLists.txt builds one extra executable per line of
 * XDI_AGENT_MUTANT_LIST below, xdi-agent-mutant-<name>, compiled with
 * -DXDI_AGENT_MUTANT=<number>.  Each mutant is one bug a real agent author
 * could plausibly write; each place it changes is marked "MUTANT <NAME>".
 *
 * One line per mutant: number, NAME, name, the check expected to catch it.
 * scenarios/test_conform_mutants.py reads this list (keep one per line).
 */
#ifndef XDI_AGENT_MUTANTS_H
#define XDI_AGENT_MUTANTS_H

#ifndef XDI_AGENT_MUTANT
#define XDI_AGENT_MUTANT 0
#endif

/* XDI_MUTANT(LE_LENGTH) is 1 in the build of that mutant, 0 elsewhere. */
#define XDI_MUTANT(name) (XDI_AGENT_MUTANT == XDI_MUT_##name)

/* MUTANT-LIST-BEGIN */
#define XDI_MUT_LE_LENGTH 1          /* le-length login.format */
#define XDI_MUT_ASCII_NAME 2         /* ascii-name login.format */
#define XDI_MUT_UNPADDED_NAME 3      /* unpadded-name login.format */
#define XDI_MUT_ACQUIRE_EARLY 4      /* acquire-early login.wait_for_accept */
#define XDI_MUT_SEQUENTIAL_ID 5      /* sequential-id login.retry_after_reject */
#define XDI_MUT_ONE_RECV 6           /* one-recv tables.one_byte_writes */
#define XDI_MUT_OBJECT_STRIDE 7      /* object-stride tables.all_entries */
#define XDI_MUT_BOTH_MISSING_RUNS 8  /* both-missing-runs tables.both_missing */
#define XDI_MUT_UNMATCHED_SENT 9     /* unmatched-sent events.only_matched */
#define XDI_MUT_EOJ_EOS_SWAPPED 10   /* eoj-eos-swapped events.job_texts */
#define XDI_MUT_NOTES_ABEND_ON_RC 11 /* notes-abend-on-rc eotinfo.content */
#define XDI_MUT_UCC_MAXCC_SWAPPED 12 /* ucc-maxcc-swapped eotinfo.content */
#define XDI_MUT_JOB_REFUSAL_SILENT 13 /* job-refusal-silent exec.job */
#define XDI_MUT_CRASH_UNKNOWN 14     /* crash-unknown robust.unknown_codes */
#define XDI_MUT_ERROR_BYTE_UNTESTED 15 /* error-byte-untested robust.error_naccbs */
#define XDI_MUT_NO_LOGOUT 16         /* no-logout session.agent_id */
#define XDI_MUT_NO_RECONNECT 17      /* no-reconnect session.reconnect */
#define XDI_MUT_NO_TIME_FRAME 18     /* no-time-frame frame.time */
#define XDI_MUT_HOLIDAY_IGNORED 19   /* holiday-ignored frame.holiday */
#define XDI_MUT_REPLACE_IGNORED 20   /* replace-ignored tables.replace */
/* MUTANT-LIST-END */

#endif /* XDI_AGENT_MUTANTS_H */
