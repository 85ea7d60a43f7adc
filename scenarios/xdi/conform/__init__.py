"""xdi.conform: the engine and checks of xdi-conform, the conformance suite
any XDI agent can be run against (docs/conformance.md).

engine         the check registry, Config, Context, run_suite()
checks         the checks, in suite order
host           the scripted fake host (misbehaves on purpose) and the
               transcript of a check
agentproc      the agent under test as a process; command templates
tables         the scripted host's EMS and SCD tables
report         console report and JUnit XML
cli            the xdi-conform command line
pytest_plugin  the suite as pytest tests (--xdi-conform=...)
"""
