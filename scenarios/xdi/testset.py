"""What the scenarios know of fixtures/test (its README.md and hosts.yaml).

Wire names are written by hand in EBCDIC (code page 037, the set's
`codepage`), blank padded to 8 bytes: T E3, E C5, S E2, A C1, P D7, X E7,
R D9, N D5, Z E9, 6 F6, blank 40.  Change this file together with the
fixture set.
"""

from . import codec

# host -> its 8-byte system name on the wire, as hex
WIRE = {
    "TESTA": "E3C5E2E3 C1404040",  # EMS (7 events) and SCD (2 jobs), open
    "TESTP": "E3C5E2E3 D7404040",  # password SECRET, loopback only
    "TESTX": "E3C5E2E3 E7404040",  # allows 192.0.2.0/24 only
    "TEST6": "E3C5E2E3 F6404040",  # allows ::1 only
    "TESTR": "E3C5E2E3 D9404040",  # raw binary tables
    "TESTE": "E3C5E2E3 C5404040",  # EMS only
    "TESTS": "E3C5E2E3 E2404040",  # SCD only
    "TESTN": "E3C5E2E3 D5404040",  # both tables defined, neither ready
    "TESTZ": "E3C5E2E3 E9404040",  # EMS ready but empty, no SCD
}

PASSWORD_TESTP = "SECRET"
PASSWORD_TESTP_HEX = "E2C5C3D9 C5E34040"

# TESTA's EMS table, in order: (key as the agent must match it, ET)
TESTA_EVENTS = [
    ("KILL", codec.ET_COMMAND), ("IEF450I", codec.ET_MESSAGE),
    ("BUSY", codec.ET_MESSAGE), ("HOLI", codec.ET_MESSAGE),
    ("PAYROLL1", codec.ET_EOJ), ("PAYROLL1STEP2", codec.ET_EOS),
    ("LONG", codec.ET_MESSAGE),
]
TESTA_JOBS = ["PAYROLL1", "PAYROLL2"]
