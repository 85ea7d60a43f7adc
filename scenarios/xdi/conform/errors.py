"""The three ways a check can end other than passing.

Failure      the agent broke a rule of the protocol: a JUnit <failure>;
             carries the evidence (what was expected, what came, the raw
             bytes).
HarnessError the harness could not run the check (no port, the agent
             command does not exist, xdi-server missing): a JUnit <error>.
             Any other exception raised by a check counts the same way.
SkipCheck    the check cannot run against this agent as configured (no
             event adapter, no libfaketime): reported skipped, never passed.
"""


class Failure(Exception):
    """The agent broke a rule.  expected/got: Naccb values for a
    field-by-field diff; raw: bytes that could not be decoded; details:
    further lines of evidence."""

    def __init__(self, message, expected=None, got=None, raw=None,
                 details=None):
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.got = got
        self.raw = raw
        self.details = details
        # True when the agent never connected: the runner stops after two
        # such checks in a row (engine.run_suite).
        self.no_connection = False


class HarnessError(Exception):
    """The harness could not run the check."""


class SkipCheck(Exception):
    """The check does not apply to this agent as configured."""
