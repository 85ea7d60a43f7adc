"""ctypes binding of libnaccb: the harness's only NACCB codec.

The scenarios must not carry a second codec that could agree with a buggy
server by accident, so every encode, decode, check and EBCDIC conversion
here goes through the shared library the server itself links (its path
comes from $XDI_LIBNACCB, set by ctest).  What Python adds is only the
plumbing: a plain `Naccb` value object, a `Framer` wrapper, and readable
descriptions and diffs for failing assertions.  The public API is what
`__all__` lists (the protocol's constants join it when the library is
loaded); names with a leading underscore are the binding's own.

Wire layouts are those of naccb/include/naccb/*.h (docs/protocol.md
§3, §8 and §9); the ctypes structures below mirror those C structs field for
field, in order, so ctypes lays them out as the C compiler does.
"""

import ctypes
import os
import pathlib
from ctypes import (POINTER, Structure, byref, c_char, c_char_p, c_int,
                    c_long, c_size_t, c_uint, c_uint8, c_uint16, c_uint32,
                    c_uint64, c_void_p)

# The public API.  The protocol's constants (below) are added when libnaccb
# is loaded; everything not listed is private to the binding.
__all__ = [
    "Naccb", "Framer", "CodecError", "FramingError", "Evblok", "Eotinfo",
    "lib", "library_path", "version", "err_name", "strerror", "key_name",
    "key_from_name", "key_object_kind", "object_kind_name",
    "error_code_name", "request_name", "object_name", "make_key",
    "error_key", "agent_error_key",
    "encode_text", "decode_text", "field", "field_get", "sysname", "diff",
    "hex_diff", "unhex", "evblok_decode", "evblok_encode",
    "evblok_set_always", "evblok_validate", "eotinfo_decode",
    "eotinfo_encode", "eotinfo_validate", "eotinfo_report",
]

# ---- the protocol's numbers, from libnaccb ----------------------------------
#
# Not one of them is written here: sizes, directions, code pages, named
# keys, request/object/error codes, object kinds and return codes are read
# from libnaccb's tables (naccb_constant_table, naccb_key_table, ... in
# naccb/codes.h) when the library is loaded, and become this module's
# attributes:
#   HEADER_SIZE, EVBLOK_SIZE, EOTINFO_SIZE, NAME_SIZE, TEXT_MAX, KEY_SIZE,
#   ADDTEXT_SIZE, PASSWORD_SIZE, DEFAULT_MAX_SIZE, DIR_TO_AGENT,
#   DIR_TO_SERVER, CP_037, CP_1047, CP_500, CP_ASCII, EOTINFO_TABLE_ENTRY,
#   EOTINFO_REPORT        naccb_constant_table without the NACCB_ prefix
#   NACCB_EINCOMPLETE, NACCB_EINVAL, ...   libnaccb's return codes
#   LOGIN, ACQ_EMS, RCV_EMS, NO_EMS, INFO_EOT, ...   the named keys
#   REQ_<id>, OBJ_<id>, E_<id>, ET_<id>, KIND_<id>   the codes of the lists
#   KEYS                  {id: key} of the named keys
# The library is loaded at the first use of any of them (or of a function),
# not at import: xdi-conform sets $XDI_LIBNACCB from its command line, and
# restarts itself before loading a sanitized library, after importing us.
#
# The two ctypes structures of the table objects are made then too, since
# their array sizes are those constants.

def make_key(direction, request, obj):
    """A key from its parts: direction << 16 | request << 8 | object
    (naccb/codes.h NACCB_MAKE_KEY), for keys that have no name (a hostile
    request code, say)."""
    return (direction << 16) | (request << 8) | obj


def error_key(obj=0):
    """The key of an error NACCB about a NACCB with object code obj."""
    lib()
    return make_key(DIR_TO_AGENT, REQ_ERROR, obj)  # noqa: F821


def agent_error_key(obj=0):
    """The key of an agent error (02010Bxx) about a NACCB with object code
    obj."""
    lib()
    return make_key(DIR_TO_SERVER, REQ_ERROR, obj)  # noqa: F821


class CodecError(Exception):
    """A libnaccb function returned an error code."""

    def __init__(self, func, rc, offset=None):
        self.func = func
        self.rc = rc
        self.offset = offset
        where = "" if offset is None else " at offset %d" % offset
        super().__init__("%s: %s (%s)%s" % (func, err_name(rc),
                                           strerror(rc), where))


# ---- the C structures (mirrors of the public structs of naccb/*.h) ---------


def _structures(c):
    """The ctypes mirrors of struct naccb_header, naccb_message,
    naccb_evblok and naccb_eotinfo, field for field in the order of the C
    structs, with the sizes libnaccb gave (c: the constants by their Python
    name; reserved and work areas have no constant of their own).  Made
    when the library is loaded, so that no instance exists before its
    fields do (ctypes fixes a structure's layout at its first use)."""
    name = c["NAME_SIZE"]

    class _Header(Structure):
        _fields_ = [
            ("total_length", c_uint32),
            ("agent_id", c_uint32),
            ("system_name", c_uint8 * name),
            ("direction", c_uint16),
            ("request", c_uint8),
            ("object", c_uint8),
            ("error_code", c_uint8),
            ("os_code", c_uint8),
            ("coding", c_uint8),
            ("unused", c_uint8),
            ("forward", c_uint32),
            ("count", c_uint32),
            ("size", c_uint32),
        ]

    class _Message(Structure):
        _fields_ = [("header", _Header), ("objects", POINTER(c_uint8))]

    class Evblok(Structure):
        """struct naccb_evblok: the fields exactly as on the wire
        (§8)."""

        _fields_ = [
            ("system_name", c_uint8 * name),
            ("event_key", c_uint8 * c["KEY_SIZE"]),
            ("additional_text", c_uint8 * c["ADDTEXT_SIZE"]),
            ("il", c_uint16),
            ("kl", c_uint16),
            ("vl", c_uint16),
            ("sdate", c_uint32),
            ("edate", c_uint32),
            ("stime", c_uint32),
            ("stsec", c_uint32),
            ("etime", c_uint32),
            ("etsec", c_uint32),
            ("day_list", c_uint8 * 8),
            ("event_type", c_uint8),
            ("reserved", c_uint8 * 15),
            ("ssdt", c_uint32),
            ("esdt", c_uint32),
            ("user_area", c_uint8 * 32),
        ]

        def key_text(self, cp=None):
            """The significant part of the event key (first KL bytes),
            Latin-1."""
            return decode_text(bytes(self.event_key)[:self.kl], cp)

        def system(self, cp=None):
            return field_get(bytes(self.system_name), cp)

    class Eotinfo(Structure):
        """struct naccb_eotinfo (docs/protocol.md section 9)."""

        _fields_ = [
            ("work_area1", c_uint8 * 40),
            ("work_area2", c_uint8 * 40),
            ("flag1", c_uint8),
            ("flag2", c_uint8),
            ("reserved1", c_uint8 * 24),
            ("job_id", c_uint8 * name),
            ("system_name", c_uint8 * name),
            ("job_name", c_uint8 * name),
            ("step_name", c_uint8 * name),
            ("proc_step_name", c_uint8 * name),
            ("step_number", c_uint16),
            ("scc", c_uint16),
            ("ucc", c_uint16),
            ("max_cc", c_uint16),
            ("notes", c_uint8 * 4),
            ("reserved2", c_uint8 * 4),
        ]

        def job(self, cp=None):
            return field_get(bytes(self.job_name), cp)

        def system(self, cp=None):
            return field_get(bytes(self.system_name), cp)

    structs = {"_Header": _Header, "_Message": _Message, "Evblok": Evblok,
               "Eotinfo": Eotinfo}
    for cls in structs.values():  # module-level names in reprs and errors
        cls.__qualname__ = cls.__name__
    return structs


class _CodeInfo(Structure):
    _fields_ = [("code", c_uint), ("id", c_char_p), ("name", c_char_p)]


class _KeyInfo(Structure):
    _fields_ = [("key", c_uint32), ("id", c_char_p), ("name", c_char_p),
                ("kind", c_int)]


class _ConstantInfo(Structure):
    _fields_ = [("name", c_char_p), ("value", c_long)]


def _table(handle, func, row):
    """The rows of one of libnaccb's static tables."""
    fn = getattr(handle, func)
    fn.restype = POINTER(row)
    fn.argtypes = [POINTER(c_size_t)]
    n = c_size_t(0)
    rows = fn(byref(n))
    return [rows[i] for i in range(n.value)]


def _protocol_names(handle):
    """{Python name: value} of every protocol constant, from the library."""
    err_name = handle.naccb_err_name
    err_name.restype, err_name.argtypes = c_char_p, [c_int]
    names = {}
    for r in _table(handle, "naccb_constant_table", _ConstantInfo):
        cname = r.name.decode()
        is_rc = err_name(r.value) == r.name  # a return code keeps NACCB_
        names[cname if is_rc else cname[len("NACCB_"):]] = r.value
    for func, prefix in (("naccb_request_table", "REQ_"),
                         ("naccb_object_table", "OBJ_"),
                         ("naccb_error_code_table", "E_"),
                         ("naccb_event_type_table", "ET_"),
                         ("naccb_object_kind_table", "KIND_")):
        for r in _table(handle, func, _CodeInfo):
            names[prefix + r.id.decode()] = r.code
    keys = {}
    for r in _table(handle, "naccb_key_table", _KeyInfo):
        keys[r.id.decode()] = r.key
    names.update(keys)
    names["KEYS"] = keys
    return names


# ---- loading the library ---------------------------------------------------


def library_path():
    """Where libnaccb.so is: $XDI_LIBNACCB, else $XDI_BUILD_DIR/naccb."""
    explicit = os.environ.get("XDI_LIBNACCB")
    if explicit:
        return pathlib.Path(explicit)
    build = os.environ.get("XDI_BUILD_DIR")
    if build:
        return pathlib.Path(build) / "naccb" / "libnaccb.so"
    raise RuntimeError("libnaccb not found: set XDI_LIBNACCB (the path of "
                       "libnaccb.so) or XDI_BUILD_DIR (a build tree)")


_U8P = POINTER(c_uint8)

def _signatures(_Header, _Message, Evblok, Eotinfo):
    """name: (restype, argtypes).  Only what the harness uses."""
    return {
        "naccb_version": (c_char_p, []),
        "naccb_err_name": (c_char_p, [c_int]),
        "naccb_strerror": (c_char_p, [c_int]),
        "naccb_key_name": (c_char_p, [c_uint32, c_uint]),
        "naccb_key_from_name": (c_int, [c_char_p, POINTER(c_uint32)]),
        "naccb_key_object_kind": (c_int, [c_uint32]),
        "naccb_object_kind_name": (c_char_p, [c_uint]),
        "naccb_error_code_name": (c_char_p, [c_uint]),
        "naccb_request_name": (c_char_p, [c_uint]),
        "naccb_object_name": (c_char_p, [c_uint]),
        "naccb_header_key": (c_uint32, [POINTER(_Header)]),
        "naccb_header_encode": (c_int, [POINTER(_Header), _U8P]),
        "naccb_header_decode": (c_int, [_U8P, c_size_t, POINTER(_Header)]),
        "naccb_header_check_length": (c_int, [POINTER(_Header), c_uint32,
                                              POINTER(c_size_t)]),
        "naccb_message_encode": (c_int, [POINTER(_Header), _U8P, _U8P, c_size_t]),
        "naccb_message_decode": (c_int, [_U8P, c_size_t, c_uint32,
                                         POINTER(_Message), POINTER(c_size_t)]),
        "naccb_message_check_objects": (c_int, [POINTER(_Header),
                                                POINTER(c_size_t)]),
        "naccb_framer_new": (c_void_p, [c_uint32]),
        "naccb_framer_delete": (None, [c_void_p]),
        "naccb_framer_next": (c_int, [c_void_p, POINTER(_U8P),
                                      POINTER(c_size_t), POINTER(_U8P),
                                      POINTER(c_size_t)]),
        "naccb_framer_pending": (c_size_t, [c_void_p]),
        "naccb_framer_error_offset": (c_uint64, [c_void_p]),
        "naccb_codepage_parse": (c_int, [c_char_p, POINTER(c_int)]),
        "naccb_ebcdic_encode": (None, [c_int, _U8P, c_size_t, _U8P]),
        "naccb_ebcdic_decode": (None, [c_int, _U8P, c_size_t, _U8P]),
        "naccb_field_put": (c_int, [c_int, _U8P, c_size_t, c_char_p, c_size_t]),
        "naccb_field_get": (c_size_t, [c_int, _U8P, c_size_t,
                                       POINTER(c_char)]),
        "naccb_evblok_encode": (None, [POINTER(Evblok), _U8P]),
        "naccb_evblok_decode": (None, [_U8P, POINTER(Evblok)]),
        "naccb_evblok_validate": (c_int, [POINTER(Evblok), POINTER(c_size_t)]),
        "naccb_evblok_set_always": (None, [POINTER(Evblok)]),
        "naccb_eotinfo_encode": (None, [POINTER(Eotinfo), _U8P]),
        "naccb_eotinfo_decode": (None, [_U8P, POINTER(Eotinfo)]),
        "naccb_eotinfo_validate": (c_int, [POINTER(Eotinfo), c_int, c_int,
                                           POINTER(c_size_t)]),
    }

_lib = None


def lib():
    """The loaded libnaccb (loaded once per process, signatures declared,
    the protocol's constants made this module's attributes)."""
    global _lib
    if _lib is None:
        path = library_path()
        if not path.exists():
            raise RuntimeError("libnaccb not found at %s" % path)
        handle = ctypes.CDLL(str(path))
        names = _protocol_names(handle)
        structs = _structures(names)
        names.update(structs)
        for name, (restype, argtypes) in _signatures(**structs).items():
            fn = getattr(handle, name)
            fn.restype = restype
            fn.argtypes = argtypes
        globals().update(names)
        __all__.extend(sorted(names))
        _lib = handle
    return _lib


def __getattr__(name):
    """A protocol constant asked for before the library was loaded: load it
    (PEP 562; once loaded they are plain module attributes)."""
    if name.startswith("_") or _lib is not None:
        raise AttributeError("module %r has no attribute %r"
                             % (__name__, name))
    try:
        lib()
    except RuntimeError as e:
        raise AttributeError("%s.%s comes from libnaccb, which cannot be "
                             "loaded: %s" % (__name__, name, e)) from e
    if name not in globals():
        raise AttributeError("module %r has no attribute %r"
                             % (__name__, name))
    return globals()[name]


def _buf(data):
    """A C copy of data (bytes-like) and a uint8_t pointer to it."""
    arr = (c_uint8 * max(len(data), 1)).from_buffer_copy(
        bytes(data) if data else b"\0")
    return arr, ctypes.cast(arr, _U8P)


def version():
    return lib().naccb_version().decode()


def err_name(rc):
    return lib().naccb_err_name(rc).decode()


def strerror(rc):
    return lib().naccb_strerror(rc).decode()


def _text(name):
    return name.decode() if name is not None else None


def key_name(key, error_code=0):
    """The section-6 name of a key ("accept", "no EMS", ...) or None."""
    return _text(lib().naccb_key_name(key, error_code))


def key_from_name(name):
    """The named key of an identifier ("ACQ_EMS") or a section-6 name
    ("acquire EMS"); KeyError for any other."""
    key = c_uint32(0)
    if lib().naccb_key_from_name(name.encode(), byref(key)) != 0:
        raise KeyError(name)
    return key.value


def key_object_kind(key):
    """What the objects of a NACCB with this key are: one of the KIND_*
    (KIND_NONE for a key without objects or not named)."""
    return lib().naccb_key_object_kind(key)


def object_kind_name(kind):
    return _text(lib().naccb_object_kind_name(kind))


def error_code_name(code):
    return _text(lib().naccb_error_code_name(code))


def request_name(code):
    return _text(lib().naccb_request_name(code))


def object_name(code):
    return _text(lib().naccb_object_name(code))


def _cp(cp):
    """The code page, 037 (the protocol's default) when not given."""
    lib()
    return CP_037 if cp is None else cp  # noqa: F821


# ---- EBCDIC ---------------------------------------------------------------


def encode_text(text, cp=None):
    """Latin-1 text (str or bytes) -> wire bytes of the code page."""
    cp = _cp(cp)
    raw = text.encode("latin-1") if isinstance(text, str) else bytes(text)
    src, srcp = _buf(raw)
    dst, dstp = _buf(bytes(len(raw)))
    lib().naccb_ebcdic_encode(cp, srcp, len(raw), dstp)
    return bytes(dst)[:len(raw)]


def decode_text(wire, cp=None):
    """Wire bytes of the code page -> Latin-1 str."""
    cp = _cp(cp)
    wire = bytes(wire)
    src, srcp = _buf(wire)
    dst, dstp = _buf(bytes(len(wire)))
    lib().naccb_ebcdic_decode(cp, srcp, len(wire), dstp)
    return bytes(dst)[:len(wire)].decode("latin-1")


def field(text, width=None, cp=None):
    """A fixed character field: converted, left-justified, blank padded;
    NAME_SIZE bytes unless width is given."""
    cp = _cp(cp)
    width = NAME_SIZE if width is None else width  # noqa: F821
    raw = text.encode("latin-1") if isinstance(text, str) else bytes(text)
    out, outp = _buf(bytes(width))
    rc = lib().naccb_field_put(cp, outp, width, raw, len(raw))
    if rc < 0:
        raise CodecError("naccb_field_put", rc)
    return bytes(out)[:width]


def field_get(wire, cp=None):
    """A fixed character field back to Latin-1, trailing blanks removed."""
    cp = _cp(cp)
    wire = bytes(wire)
    src, srcp = _buf(wire)
    out = ctypes.create_string_buffer(len(wire) + 1)
    n = lib().naccb_field_get(cp, srcp, len(wire), out)
    return out.raw[:n].decode("latin-1")


def sysname(name, cp=None):
    """The 8-byte wire form of a system name."""
    return field(name, None, cp)


# ---- the NACCB value object -----------------------------------------------


class Naccb:
    """One NACCB: header fields and its objects (a list of bytes).

    `system` holds the raw 8 wire bytes; pass a str to have it converted
    (code page 037).  count, size and total_length are computed by
    libnaccb unless given explicitly: give them to build a hostile NACCB,
    which is then written field for field by naccb_header_encode with the
    object bytes appended as they are.
    """

    __slots__ = ("key", "agent_id", "system", "error", "os_code", "coding",
                 "unused", "forward", "objects", "count", "size",
                 "total_length", "raw")

    def __init__(self, key, agent_id=0, system=b"\x40" * 8, error=0,
                 objects=(), os_code=0, coding=0, unused=0, forward=0,
                 count=None, size=None, total_length=None):
        self.key = key
        self.agent_id = agent_id
        self.system = sysname(system) if isinstance(system, str) else \
            bytes(system)
        self.error = error
        self.os_code = os_code
        self.coding = coding
        self.unused = unused
        self.forward = forward
        self.objects = [bytes(o) for o in objects]
        self.count = count
        self.size = size
        self.total_length = total_length
        self.raw = None

    # -- key parts
    @property
    def direction(self):
        return self.key >> 16

    @property
    def request(self):
        return (self.key >> 8) & 0xFF

    @property
    def object(self):
        return self.key & 0xFF

    def system_text(self, cp=None):
        return field_get(self.system, cp)

    def name(self):
        return key_name(self.key, self.error)

    def _header(self):
        lib()
        h = _Header()
        h.agent_id = self.agent_id
        h.system_name[:] = list(self.system[:NAME_SIZE].ljust(NAME_SIZE,
                                                              b"\0"))
        h.direction = self.direction
        h.request = self.request
        h.object = self.object
        h.error_code = self.error
        h.os_code = self.os_code
        h.coding = self.coding
        h.unused = self.unused
        h.forward = self.forward
        n = len(self.objects)
        h.count = n if self.count is None else self.count
        h.size = (len(self.objects[0]) if n else 0) if self.size is None \
            else self.size
        return h

    def hostile(self):
        return (self.count is not None or self.size is not None or
                self.total_length is not None)

    def encode(self):
        """The wire bytes, produced by libnaccb."""
        h = self._header()
        body = b"".join(self.objects)
        if self.hostile():
            h.total_length = (HEADER_SIZE + len(body)
                              if self.total_length is None
                              else self.total_length)
            out, outp = _buf(bytes(HEADER_SIZE))
            lib().naccb_header_encode(byref(h), outp)
            return bytes(out)[:HEADER_SIZE] + body
        sizes = {len(o) for o in self.objects}
        if len(sizes) > 1:
            raise ValueError("objects of one NACCB must have one length: %r"
                             % sorted(sizes))
        cap = HEADER_SIZE + len(body)
        out, outp = _buf(bytes(cap))
        _, objp = _buf(body)
        rc = lib().naccb_message_encode(byref(h), objp if body else None,
                                        outp, cap)
        if rc < 0:
            raise CodecError("naccb_message_encode", rc)
        return bytes(out)[:rc]

    @classmethod
    def decode(cls, data, max_size=0):
        """Decode one whole NACCB (data holds exactly it, or more)."""
        data = bytes(data)
        src, srcp = _buf(data)
        m = _Message()
        off = c_size_t(0)
        rc = lib().naccb_message_decode(srcp, len(data), max_size, byref(m),
                                        byref(off))
        if rc < 0:
            raise CodecError("naccb_message_decode", rc,
                             None if rc == NACCB_EINCOMPLETE else off.value)
        h = m.header
        key = lib().naccb_header_key(byref(h))
        body = data[HEADER_SIZE:rc]
        objs = [body[i * h.size:(i + 1) * h.size] for i in range(h.count)]
        n = cls(key, agent_id=h.agent_id, system=bytes(h.system_name),
                error=h.error_code, objects=objs, os_code=h.os_code,
                coding=h.coding, unused=h.unused, forward=h.forward)
        n.raw = data[:rc]
        return n

    @classmethod
    def decode_loose(cls, raw):
        """A Naccb of the first 36 bytes of raw and what follows, even when
        its length fields are inconsistent (to describe a broken NACCB): the
        length fields are kept as given, the rest is one object.  None when
        raw is shorter than a header."""
        raw = bytes(raw)
        lib()
        if len(raw) < HEADER_SIZE:
            return None
        try:
            return cls.decode(raw)
        except CodecError:
            pass
        h = _Header()
        _, p = _buf(raw[:HEADER_SIZE])
        lib().naccb_header_decode(p, HEADER_SIZE, byref(h))
        body = raw[HEADER_SIZE:]
        return cls(lib().naccb_header_key(byref(h)), agent_id=h.agent_id,
                   system=bytes(h.system_name), error=h.error_code,
                   objects=[body] if body else [], os_code=h.os_code,
                   coding=h.coding, unused=h.unused, forward=h.forward,
                   count=h.count, size=h.size, total_length=h.total_length)

    def check_objects(self):
        """naccb_message_check_objects(): 0 or (error name, offset)."""
        h = self._header()
        off = c_size_t(0)
        rc = lib().naccb_message_check_objects(byref(h), byref(off))
        return 0 if rc == 0 else (err_name(rc), off.value)

    # -- readable output
    def fields(self):
        """(label, value text) pairs, one per header field, then objects."""
        name = self.name() or "?"
        cnt = len(self.objects) if self.count is None else self.count
        size = (len(self.objects[0]) if self.objects else 0) \
            if self.size is None else self.size
        out = [
            ("key", "%08X (%s)" % (self.key, name)),
            ("error", "%02X (%s)" % (self.error,
                                     error_code_name(self.error) or "?")),
            ("agent_id", "%08X" % self.agent_id),
            ("system", "%s %r" % (self.system.hex().upper(),
                                  self.system_text())),
            ("os/coding/unused", "%02X %02X %02X" % (self.os_code,
                                                     self.coding,
                                                     self.unused)),
            ("forward", "%08X" % self.forward),
            ("count", str(cnt)),
            ("size", str(size)),
        ]
        for i, o in enumerate(self.objects):
            out.append(("object[%d]" % i, _short_hex(o)))
        return out

    def describe(self):
        return "\n".join("  %-16s %s" % f for f in self.fields())

    def __repr__(self):
        return "Naccb(%s)" % ", ".join("%s=%s" % f for f in self.fields())

    def __eq__(self, other):
        if not isinstance(other, Naccb):
            return NotImplemented
        return self.encode() == other.encode()

    __hash__ = None


def _short_hex(b, limit=64):
    h = b.hex().upper()
    if len(b) <= limit:
        return "%s (%d bytes)" % (h, len(b))
    return "%s... (%d bytes)" % (h[:limit * 2], len(b))


def diff(expected, got):
    """A field-by-field comparison of two NACCBs, differences marked '!'."""
    e = dict(expected.fields())
    g = dict(got.fields())
    labels = [k for k, _ in expected.fields()]
    labels += [k for k, _ in got.fields() if k not in e]
    lines = ["  %-16s %-40s %s" % ("field", "expected", "got")]
    for k in labels:
        ev, gv = e.get(k, "-"), g.get(k, "-")
        mark = "!" if ev != gv else " "
        lines.append("%s %-16s %-40s %s" % (mark, k, ev, gv))
    return "\n".join(lines)


def hex_diff(expected, got):
    """Two byte strings as hex, 4 bytes a group, with a caret line under
    the first differing byte."""
    def groups(b):
        h = b.hex().upper()
        return " ".join(h[i:i + 8] for i in range(0, len(h), 8))
    first = next((i for i in range(min(len(expected), len(got)))
                  if expected[i] != got[i]), min(len(expected), len(got)))
    col = first * 2 + first // 4
    return ("expected %s\ngot      %s\n         %s^ first difference at "
            "byte %d (expected %d bytes, got %d)" %
            (groups(expected), groups(got), " " * col, first, len(expected),
             len(got)))


def unhex(text):
    """Hand-written hex (spaces, newlines and '_' allowed) -> bytes."""
    return bytes.fromhex("".join(text.split()).replace("_", ""))


# ---- framer ----------------------------------------------------------------


class FramingError(Exception):
    def __init__(self, rc, offset):
        self.rc = rc
        self.offset = offset
        super().__init__("lost framing: %s at stream offset %d"
                         % (err_name(rc), offset))


class Framer:
    """naccb_framer: whole NACCBs out of stream chunks."""

    def __init__(self, max_size=0):
        # Allocated by libnaccb: Python never sees the struct's layout.
        self._f = lib().naccb_framer_new(max_size)
        if not self._f:
            raise MemoryError("naccb_framer_new")

    def feed(self, data):
        """Bytes in, a list of whole NACCBs (bytes) out."""
        if not data:
            return []
        arr, p = _buf(data)
        n = c_size_t(len(data))
        msg = _U8P()
        msg_len = c_size_t(0)
        out = []
        while True:
            rc = lib().naccb_framer_next(self._f, byref(p), byref(n),
                                         byref(msg), byref(msg_len))
            if rc == 1:
                out.append(ctypes.string_at(msg, msg_len.value))
            elif rc == NACCB_EINCOMPLETE:
                return out
            else:
                raise FramingError(
                    rc, lib().naccb_framer_error_offset(self._f))

    def pending(self):
        return lib().naccb_framer_pending(self._f)

    def close(self):
        if self._f is not None:
            lib().naccb_framer_delete(self._f)
            self._f = None

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing left to free
            pass


# ---- table objects -------------------------------------------------------------


def evblok_decode(data):
    data = bytes(data)
    lib()
    if len(data) != EVBLOK_SIZE:
        raise ValueError("an EVBLOK is %d bytes, got %d" % (EVBLOK_SIZE,
                                                            len(data)))
    e = Evblok()
    _, p = _buf(data)
    lib().naccb_evblok_decode(p, byref(e))
    return e


def evblok_encode(e):
    lib()
    out, p = _buf(bytes(EVBLOK_SIZE))
    lib().naccb_evblok_encode(byref(e), p)
    return bytes(out)[:EVBLOK_SIZE]


def evblok_set_always(e):
    """Sets the "always" time frame and every day-list byte of e."""
    lib().naccb_evblok_set_always(byref(e))


def evblok_validate(e):
    """0, or (error name, offset) of the first rule the EVBLOK breaks."""
    off = c_size_t(0)
    rc = lib().naccb_evblok_validate(byref(e), byref(off))
    return 0 if rc == 0 else (err_name(rc), off.value)


def eotinfo_decode(data):
    data = bytes(data)
    lib()
    if len(data) != EOTINFO_SIZE:
        raise ValueError("an EOTINFO is %d bytes, got %d" % (EOTINFO_SIZE,
                                                             len(data)))
    e = Eotinfo()
    _, p = _buf(data)
    lib().naccb_eotinfo_decode(p, byref(e))
    return e


def eotinfo_encode(e):
    lib()
    out, p = _buf(bytes(EOTINFO_SIZE))
    lib().naccb_eotinfo_encode(byref(e), p)
    return bytes(out)[:EOTINFO_SIZE]


def eotinfo_validate(e, role, cp=None):
    cp = _cp(cp)
    off = c_size_t(0)
    rc = lib().naccb_eotinfo_validate(byref(e), role, cp, byref(off))
    return 0 if rc == 0 else (err_name(rc), off.value)


def eotinfo_report(entry, notes, step_number=0, scc=0, ucc=0, max_cc=0):
    """An agent's EOT report: a copy of an SCD table entry (an Eotinfo)
    with the status fields set.  notes is 4 ASCII letters such as "JINR";
    they are EBCDIC on the wire in every code page (§9)."""
    e = Eotinfo.from_buffer_copy(bytes(entry))
    e.step_number = step_number
    e.scc = scc
    e.ucc = ucc
    e.max_cc = max_cc
    e.notes[:] = list(encode_text(notes, None))  # 037, whatever the page
    return e
