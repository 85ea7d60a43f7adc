"""The tables the scripted host serves, built with libnaccb (xdi.codec).

The EMS table of the scripted host's system (SYSTEM) holds one EVBLOK per
kind of event the checks need, every one with the "always" time frame
(time frames are checked against xdi-server and its fixtures, see
fixtures/conformance/):

  #  key            KL  ET           for
  0  XMSG1           5  01 message   the marker: "the agent reports events"
  1  LONGKEY1234     4  01 message   only the first KL bytes are matched
  2  XCMD            4  02 command   exec command becomes a command event
  3  CJOB1           5  06 EOJ       end of job CJOB1
  4  CJOB1   STEP2  13  05 EOS       end of step STEP2 of CJOB1
  5  XLAST           5  01 message   the last entry: all entries are taken

The SCD table: CJOB1 (flag2 job name) and CJOB1 step STEP2 (flag2 job
name + step name).
"""

from .. import codec

SYSTEM = "CONFA"

ET_MSG, ET_CMD, ET_EOS, ET_EOJ = 0x01, 0x02, 0x05, 0x06

JOB = "CJOB1"
EMS_KEYS = [("XMSG1", None, ET_MSG), ("LONGKEY1234", 4, ET_MSG),
            ("XCMD", None, ET_CMD), (JOB, None, ET_EOJ),
            ("%-8sSTEP2" % JOB, None, ET_EOS), ("XLAST", None, ET_MSG)]


def evblok(system, key, et, kl=None, vl=0, text=""):
    """One EVBLOK (230 bytes) with the "always" frame."""
    e = codec.Evblok()
    codec.evblok_set_always(e)
    kl = len(key) if kl is None else kl
    e.system_name[:] = list(codec.sysname(system))
    e.event_key[:] = list(codec.field(key, 20))
    e.additional_text[:] = list(codec.field(text, 108))
    e.il = 8 + kl
    e.kl = kl
    e.vl = vl
    e.event_type = et
    bad = codec.evblok_validate(e)
    if bad:
        raise ValueError("conformance table: invalid EVBLOK %r: %s"
                         % (key, bad))
    return codec.evblok_encode(e)


def eotinfo_entry(system, job, flag2=0x80, job_id="", step="",
                  proc_step=""):
    """One SCD table entry (162 bytes): status fields zero."""
    e = codec.Eotinfo()
    e.flag2 = flag2
    e.job_id[:] = list(codec.field(job_id))
    e.system_name[:] = list(codec.sysname(system))
    e.job_name[:] = list(codec.field(job))
    e.step_name[:] = list(codec.field(step))
    e.proc_step_name[:] = list(codec.field(proc_step))
    bad = codec.eotinfo_validate(e, codec.EOTINFO_TABLE_ENTRY)
    if bad:
        raise ValueError("conformance table: invalid EOTINFO %r: %s"
                         % (job, bad))
    return codec.eotinfo_encode(e)


def default_ems(system=SYSTEM):
    return [evblok(system, k, et, kl) for k, kl, et in EMS_KEYS]


def default_scd(system=SYSTEM):
    return [eotinfo_entry(system, JOB, 0x80),
            eotinfo_entry(system, JOB, 0xA0, step="STEP2")]


def table_naccb(key, objects, agent_id, system=SYSTEM):
    return codec.Naccb(key, agent_id=agent_id, system=system,
                       objects=objects)


def no_table(scd, agent_id, system=SYSTEM):
    """no-EMS / no-SCD: 01020B01 / 01020B02 with error 08."""
    return codec.Naccb(codec.NO_SCD if scd else codec.NO_EMS,
                       agent_id=agent_id, system=system,
                       error=codec.E_NOT_AVAILABLE)
