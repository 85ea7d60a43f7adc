-- naccb.lua - Wireshark dissector for the zJOS-XDI NACCB protocol
-- (docs/protocol.md; fields and use in docs/wireshark.md).
--
-- The build puts libnaccb's tables in front of this file as the local
-- naccb_tables (tools/wireshark/gen_tables.c): names of requests, objects,
-- error codes, keys and event types, sizes, field offsets and the code
-- pages all come from there.  Load the built file:
--   tshark -X lua_script:build/dev/tools/wireshark/naccb.lua -r x.pcap
if naccb_tables == nil then
    error("naccb.lua: load the generated file from the build tree or the " ..
          "install (share/xdi-emu/wireshark/naccb.lua), not the source")
end

local T = naccb_tables
local C = T.const
local O = T.offsets
local HDR = C.NACCB_HEADER_SIZE
local EVB_SIZE = C.NACCB_EVBLOK_SIZE
local EOT_SIZE = C.NACCB_EOTINFO_SIZE
local TO_AGENT = C.NACCB_DIR_TO_AGENT
local TO_SERVER = C.NACCB_DIR_TO_SERVER
local DEFAULT_PORT = 7012 -- xdi-server's default listen port (server/uv/main.c)

local naccb = Proto("naccb", "zJOS-XDI NACCB")

-- ---- value strings from the generated tables --------------------------
local function names(t)
    local vs = {}
    for code, e in pairs(t) do vs[code] = e.name end
    return vs
end
local request_vs = names(T.requests)
local object_vs = names(T.objects)
local error_vs = names(T.errors)
local et_vs = names(T.event_types)
local direction_vs = { [TO_AGENT] = "to agent", [TO_SERVER] = "to server" }

-- ---- fields ------------------------------------------------------------
local F = {
    length = ProtoField.uint32("naccb.length", "Total length", base.DEC),
    agent_id = ProtoField.uint32("naccb.agent_id", "Agent-ID", base.DEC),
    system = ProtoField.string("naccb.system", "System name"),
    key = ProtoField.uint32("naccb.key", "Key", base.HEX),
    name = ProtoField.string("naccb.name", "Key name"),
    direction = ProtoField.uint16("naccb.direction", "Direction", base.HEX, direction_vs),
    request = ProtoField.uint8("naccb.request", "Request", base.HEX, request_vs),
    object = ProtoField.uint8("naccb.object", "Object", base.HEX, object_vs),
    error = ProtoField.uint8("naccb.error", "Error code", base.HEX, error_vs),
    os_code = ProtoField.uint8("naccb.os_code", "OS code", base.HEX),
    coding = ProtoField.uint8("naccb.coding", "Coding convention", base.HEX),
    unused = ProtoField.uint8("naccb.unused", "Unused", base.HEX),
    forward = ProtoField.uint32("naccb.forward", "Forward pointer", base.HEX),
    count = ProtoField.uint32("naccb.count", "Object count", base.DEC),
    size = ProtoField.uint32("naccb.size", "Object size", base.DEC),
    text = ProtoField.string("naccb.text", "Text"),
    password = ProtoField.string("naccb.password", "Password"),
    job_name = ProtoField.string("naccb.job_name", "Job name"),
    body = ProtoField.bytes("naccb.body", "Bytes no object accounts for"),
    unframed = ProtoField.bytes("naccb.unframed", "Bytes after lost framing"),

    ev = ProtoField.none("naccb.evblok", "EVBLOK"),
    ev_system = ProtoField.string("naccb.evblok.system", "System name"),
    ev_key = ProtoField.string("naccb.evblok.key", "Event key"),
    ev_addtext = ProtoField.string("naccb.evblok.addtext", "Additional event text"),
    ev_il = ProtoField.uint16("naccb.evblok.il", "IL", base.DEC),
    ev_kl = ProtoField.uint16("naccb.evblok.kl", "KL (key length)", base.DEC),
    ev_vl = ProtoField.uint16("naccb.evblok.vl", "VL (verb length)", base.DEC),
    ev_sdate = ProtoField.string("naccb.evblok.sdate", "SDATE (start date)"),
    ev_edate = ProtoField.string("naccb.evblok.edate", "EDATE (end date)"),
    ev_stime = ProtoField.string("naccb.evblok.stime", "STIME (start time)"),
    ev_stsec = ProtoField.uint32("naccb.evblok.stsec", "STSEC (start, seconds)", base.DEC),
    ev_etime = ProtoField.string("naccb.evblok.etime", "ETIME (end time)"),
    ev_etsec = ProtoField.uint32("naccb.evblok.etsec", "ETSEC (end, seconds)", base.DEC),
    ev_days = ProtoField.string("naccb.evblok.days", "Valid days"),
    ev_et = ProtoField.uint8("naccb.evblok.et", "Event type (ET)", base.HEX, et_vs),
    ev_reserved = ProtoField.bytes("naccb.evblok.reserved", "Reserved"),
    ev_ssdt = ProtoField.string("naccb.evblok.ssdt", "SSDT (start date)"),
    ev_esdt = ProtoField.string("naccb.evblok.esdt", "ESDT (end date)"),
    ev_user = ProtoField.bytes("naccb.evblok.user_area", "User working area"),

    eot = ProtoField.none("naccb.eotinfo", "EOTINFO"),
    eot_work1 = ProtoField.bytes("naccb.eotinfo.work_area1", "Working area 1"),
    eot_work2 = ProtoField.bytes("naccb.eotinfo.work_area2", "Working area 2"),
    eot_flag1 = ProtoField.uint8("naccb.eotinfo.flag1", "flag1", base.HEX),
    eot_flag2 = ProtoField.uint8("naccb.eotinfo.flag2", "flag2", base.HEX),
    eot_f2_job = ProtoField.bool("naccb.eotinfo.flag2.job_name", "Job name captured", 8, nil, O.NACCB_FLAG2_JOB_NAME),
    eot_f2_jobid = ProtoField.bool("naccb.eotinfo.flag2.job_id", "Job-id captured", 8, nil, O.NACCB_FLAG2_JOB_ID),
    eot_f2_step = ProtoField.bool("naccb.eotinfo.flag2.step_name", "Step name captured", 8, nil, O.NACCB_FLAG2_STEP_NAME),
    eot_f2_proc = ProtoField.bool("naccb.eotinfo.flag2.proc_step_name", "Proc-step name captured", 8, nil, O.NACCB_FLAG2_PROC_STEP_NAME),
    eot_reserved1 = ProtoField.bytes("naccb.eotinfo.reserved1", "Reserved"),
    eot_job_id = ProtoField.string("naccb.eotinfo.job_id", "Job-id"),
    eot_system = ProtoField.string("naccb.eotinfo.system", "System name"),
    eot_job = ProtoField.string("naccb.eotinfo.job_name", "Job name"),
    eot_step = ProtoField.string("naccb.eotinfo.step_name", "Step name"),
    eot_proc = ProtoField.string("naccb.eotinfo.proc_step_name", "Proc-step name"),
    eot_step_number = ProtoField.uint16("naccb.eotinfo.step_number", "Step number", base.DEC),
    eot_scc = ProtoField.uint16("naccb.eotinfo.scc", "SCC (system completion code)", base.HEX),
    eot_ucc = ProtoField.uint16("naccb.eotinfo.ucc", "UCC (user completion code)", base.DEC),
    eot_max_cc = ProtoField.uint16("naccb.eotinfo.max_cc", "Max CC", base.DEC),
    eot_notes = ProtoField.string("naccb.eotinfo.notes", "Notes"),
    eot_reserved2 = ProtoField.bytes("naccb.eotinfo.reserved2", "Reserved"),
}
local field_list = {}
for _, f in pairs(F) do field_list[#field_list + 1] = f end
naccb.fields = field_list

-- ---- expert items: one per libnaccb rule, named and worded as it -------
local E = {}
local expert_list = {}
for rule, message in pairs(T.rules) do
    local abbrev = "naccb.rule." .. rule:gsub("^NACCB_", ""):lower()
    E[rule] = ProtoExpert.new(abbrev, message, expert.group.PROTOCOL, expert.severity.WARN)
    expert_list[#expert_list + 1] = E[rule]
end
-- Rules of docs/protocol.md that libnaccb leaves to the server.
local X = {
    lost_framing = ProtoExpert.new("naccb.rule.lost_framing",
        "framing is lost: nothing after this NACCB can be trusted",
        expert.group.MALFORMED, expert.severity.ERROR),
    reserved_byte = ProtoExpert.new("naccb.rule.reserved_byte",
        "a reserved header byte is not 0", expert.group.PROTOCOL, expert.severity.WARN),
    error_byte = ProtoExpert.new("naccb.rule.error_byte",
        "error code set in a NACCB that is not an error, reject or agent error",
        expert.group.PROTOCOL, expert.severity.WARN),
    agent_error_code = ProtoExpert.new("naccb.rule.agent_error_code",
        "agent error with an error code other than 04 or 05",
        expert.group.PROTOCOL, expert.severity.WARN),
    login_agent_id = ProtoExpert.new("naccb.rule.login_agent_id",
        "login with an agent-ID other than 0", expert.group.PROTOCOL, expert.severity.WARN),
    accept_agent_id = ProtoExpert.new("naccb.rule.accept_agent_id",
        "accept with agent-ID 0", expert.group.PROTOCOL, expert.severity.WARN),
    error_reply = ProtoExpert.new("naccb.error_reply",
        "the host answers with an error", expert.group.RESPONSE_CODE, expert.severity.NOTE),
}
for _, e in pairs(X) do expert_list[#expert_list + 1] = e end
naccb.experts = expert_list

-- ---- preferences -------------------------------------------------------
local cp_enum = {}
for i, cp in ipairs(T.codepages) do cp_enum[i] = { i, cp.name, i } end
naccb.prefs.codepage = Pref.enum("Code page", 1,
    "Code page of the character fields (the notes letters are EBCDIC in every one)",
    cp_enum, false)
naccb.prefs.tcp_ports = Pref.range("TCP ports", tostring(DEFAULT_PORT),
    "TCP ports on which NACCB traffic is decoded", 65535)
naccb.prefs.heuristic = Pref.bool("Find NACCB traffic on other ports", true,
    "Try the heuristic on TCP traffic no other dissector claimed")
naccb.prefs.max_size = Pref.uint("Maximum NACCB size", C.NACCB_DEFAULT_MAX_SIZE,
    "A total length above this means the framing is lost (xdi-server --max-naccb)")

local tcp_table = DissectorTable.get("tcp.port")
local registered_ports = nil
function naccb.prefs_changed()
    if registered_ports ~= nil then tcp_table:remove(registered_ports, naccb) end
    registered_ports = naccb.prefs.tcp_ports
    if registered_ports ~= nil and registered_ports ~= "" then
        tcp_table:add(registered_ports, naccb)
    end
end

-- ---- characters --------------------------------------------------------
local function codepage() return T.codepages[naccb.prefs.codepage] or T.codepages[1] end

-- Latin-1 code to UTF-8, for the display strings.
local function utf8(c)
    if c < 0x80 then return string.char(c) end
    return string.char(0xC0 + math.floor(c / 64), 0x80 + c % 64)
end

-- The bytes of a range as text in the code page; trailing blanks dropped
-- when trim is set (names and padded fields), kept for event texts.
local function ebcdic(range, trim)
    local cp = codepage()
    local bytes = range:bytes()
    local n = bytes:len()
    if trim then
        while n > 0 and (bytes:get_index(n - 1) == cp.blank) do n = n - 1 end
    end
    local out = {}
    for i = 0, n - 1 do
        local c = cp.to_latin1[bytes:get_index(i) + 1]
        -- A control character is shown by its code, so that a text cannot
        -- break a line of tshark's output.
        if c < 0x20 or (c >= 0x7F and c < 0xA0) then
            out[#out + 1] = string.format("\\x%02X", c)
        else
            out[#out + 1] = utf8(c)
        end
    end
    return table.concat(out)
end

local function all_zero(range)
    local b = range:bytes()
    for i = 0, b:len() - 1 do if b:get_index(i) ~= 0 then return false end end
    return true
end

local function is_blank(range)
    local cp, b = codepage(), range:bytes()
    for i = 0, b:len() - 1 do
        local c = b:get_index(i)
        if c ~= cp.blank and c ~= 0 then return false end
    end
    return true
end

-- ---- packed decimal (docs/protocol.md section 1) -----------------------
local function nibbles(v)
    local d = {}
    for i = 7, 0, -1 do d[#d + 1] = math.floor(v / 16 ^ i) % 16 end
    return d
end

local function bcd(d, from, to)
    local v = 0
    for i = from, to do
        if d[i] > 9 then return nil end
        v = v * 10 + d[i]
    end
    return v
end

local function leap(y) return (y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0 end
local mdays = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

-- Returns year, month, day or nil and the rule broken.
local function from_ymd(y, m, d)
    if y < 1900 or y > 9999 then return nil, "NACCB_EYEAR" end
    if m < 1 or m > 12 then return nil, "NACCB_EMONTH" end
    local last = mdays[m] + ((m == 2 and leap(y)) and 1 or 0)
    if d < 1 or d > last then return nil, "NACCB_EDAY_OF_MONTH" end
    return { y, m, d }
end

local function julian(v)
    local d = nibbles(v)
    for i = 1, 8 do if d[i] > 9 then return nil, "NACCB_EBCD_DIGIT" end end
    if d[1] ~= 0 then return nil, "NACCB_EBCD_ZONE" end
    local y, doy = bcd(d, 2, 5), bcd(d, 6, 8)
    if y < 1900 or y > 9999 then return nil, "NACCB_EYEAR" end
    if doy < 1 or doy > (leap(y) and 366 or 365) then return nil, "NACCB_EDAY_OF_YEAR" end
    local m = 1
    while true do
        local len = mdays[m] + ((m == 2 and leap(y)) and 1 or 0)
        if doy <= len then break end
        doy, m = doy - len, m + 1
    end
    return { y, m, doy }
end

local function calendar(v)
    local d = nibbles(v)
    for i = 1, 8 do if d[i] > 9 then return nil, "NACCB_EBCD_DIGIT" end end
    return from_ymd(bcd(d, 1, 4), bcd(d, 5, 6), bcd(d, 7, 8))
end

local function clock(v)
    local d = nibbles(v)
    for i = 1, 8 do if d[i] > 9 then return nil, "NACCB_EBCD_DIGIT" end end
    local h, m, s = bcd(d, 1, 2), bcd(d, 3, 4), bcd(d, 5, 6)
    if h > 23 then return nil, "NACCB_EHOUR" end
    if m > 59 then return nil, "NACCB_EMINUTE" end
    if s > 59 then return nil, "NACCB_ESECOND" end
    if bcd(d, 7, 8) ~= 0 then return nil, "NACCB_ETIME_FILLER" end
    return { h, m, s }
end

local function date_str(t) return string.format("%04d-%02d-%02d", t[1], t[2], t[3]) end
local function time_str(t) return string.format("%02d:%02d:%02d", t[1], t[2], t[3]) end
local function cmp(a, b)
    for i = 1, 3 do if a[i] ~= b[i] then return a[i] < b[i] and -1 or 1 end end
    return 0
end

-- ---- expert helpers ----------------------------------------------------
local function rule(item, name, detail)
    local msg = name .. ": " .. T.rules[name]
    if detail then msg = msg .. " (" .. detail .. ")" end
    item:add_proto_expert_info(E[name], msg)
end

-- ---- objects -----------------------------------------------------------
local day_names = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "holiday" }

local function packed_item(tree, field, range, parse, fmt)
    local t, bad = parse(range:uint())
    local shown = t and fmt(t) or string.format("invalid 0x%08X", range:uint())
    local item = tree:add(field, range, shown)
    if not t then
        rule(item, bad)
    end
    return t, item
end

-- One EVBLOK, with every rule of naccb_evblok_validate (naccb/evblok.h)
-- in its order.  The codec stops at the first broken rule; the dissector
-- shows every one, each on its field.
local function dissect_evblok(tvb, tree, i)
    local sub = tree:add(F.ev, tvb())
    sub:set_text(string.format("EVBLOK %d: ", i))
    local kl = tvb(O.NACCB_EVB_KL, 2):uint()
    sub:add(F.ev_system, tvb(O.NACCB_EVB_SYSTEM_NAME, 8), ebcdic(tvb(O.NACCB_EVB_SYSTEM_NAME, 8), true))
    local key_len = (kl >= 1 and kl <= C.NACCB_KEY_SIZE) and kl or C.NACCB_KEY_SIZE
    local key = ebcdic(tvb(O.NACCB_EVB_EVENT_KEY, key_len), kl > C.NACCB_KEY_SIZE or kl < 1)
    sub:add(F.ev_key, tvb(O.NACCB_EVB_EVENT_KEY, C.NACCB_KEY_SIZE), key)
    sub:add(F.ev_addtext, tvb(O.NACCB_EVB_ADDITIONAL_TEXT, C.NACCB_ADDTEXT_SIZE),
            ebcdic(tvb(O.NACCB_EVB_ADDITIONAL_TEXT, C.NACCB_ADDTEXT_SIZE), true))
    local il_item = sub:add(F.ev_il, tvb(O.NACCB_EVB_IL, 2))
    local kl_item = sub:add(F.ev_kl, tvb(O.NACCB_EVB_KL, 2))
    local vl_item = sub:add(F.ev_vl, tvb(O.NACCB_EVB_VL, 2))
    local il, vl = tvb(O.NACCB_EVB_IL, 2):uint(), tvb(O.NACCB_EVB_VL, 2):uint()
    if kl < 1 or kl > C.NACCB_KEY_SIZE then
        rule(kl_item, "NACCB_EKEY_LENGTH")
    elseif il ~= 8 + kl then
        rule(il_item, "NACCB_EID_LENGTH")
    end
    if vl > kl then rule(vl_item, "NACCB_EVERB_LENGTH") end
    local sd = packed_item(sub, F.ev_sdate, tvb(O.NACCB_EVB_SDATE, 4), julian, date_str)
    local ed, ed_item = packed_item(sub, F.ev_edate, tvb(O.NACCB_EVB_EDATE, 4), julian, date_str)
    if sd and ed and cmp(ed, sd) < 0 then rule(ed_item, "NACCB_EDATE_ORDER") end
    local function seconds(field, range, t)
        local item = sub:add(field, range)
        if t then
            item:append_text(" (" .. time_str(t) .. ")")
            if range:uint() ~= t[1] * 3600 + t[2] * 60 + t[3] then
                rule(item, "NACCB_ESECONDS_MISMATCH")
            end
        end
    end
    local st = packed_item(sub, F.ev_stime, tvb(O.NACCB_EVB_STIME, 4), clock, time_str)
    seconds(F.ev_stsec, tvb(O.NACCB_EVB_STSEC, 4), st)
    local et, et_item = packed_item(sub, F.ev_etime, tvb(O.NACCB_EVB_ETIME, 4), clock, time_str)
    if st and et and cmp(et, st) < 0 then rule(et_item, "NACCB_ETIME_ORDER") end
    seconds(F.ev_etsec, tvb(O.NACCB_EVB_ETSEC, 4), et)
    local days, bad_day = {}, false
    for d = 0, 7 do
        local b = tvb(O.NACCB_EVB_DAY_LIST + d, 1):uint()
        if b == 1 then days[#days + 1] = day_names[d + 1] elseif b ~= 0 then bad_day = true end
    end
    local days_item = sub:add(F.ev_days, tvb(O.NACCB_EVB_DAY_LIST, 8),
                              #days > 0 and table.concat(days, " ") or "none")
    if bad_day then rule(days_item, "NACCB_EDAY_LIST") end
    local etype = tvb(O.NACCB_EVB_EVENT_TYPE, 1):uint()
    local et_field = sub:add(F.ev_et, tvb(O.NACCB_EVB_EVENT_TYPE, 1))
    if T.event_types[etype] == nil then rule(et_field, "NACCB_EEVENT_TYPE") end
    local res = tvb(O.NACCB_EVB_RESERVED, O.NACCB_EVB_SSDT - O.NACCB_EVB_RESERVED)
    local res_item = sub:add(F.ev_reserved, res)
    if not all_zero(res) then rule(res_item, "NACCB_ERESERVED") end
    local ss, ss_item = packed_item(sub, F.ev_ssdt, tvb(O.NACCB_EVB_SSDT, 4), calendar, date_str)
    if ss and sd and cmp(ss, sd) ~= 0 then rule(ss_item, "NACCB_ESTDDATE_MISMATCH") end
    local es, es_item = packed_item(sub, F.ev_esdt, tvb(O.NACCB_EVB_ESDT, 4), calendar, date_str)
    if es and ed and cmp(es, ed) ~= 0 then rule(es_item, "NACCB_ESTDDATE_MISMATCH") end
    sub:add(F.ev_user, tvb(O.NACCB_EVB_USER_AREA, EVB_SIZE - O.NACCB_EVB_USER_AREA))
    sub:append_text(string.format("%s \"%s\"", (T.event_types[etype] or { name = "?" }).name, key))
    return key
end

local note_meaning = {
    [0] = { [O.NACCB_NOTE_J] = "end of job", [O.NACCB_NOTE_S] = "end of step" },
    [1] = { [O.NACCB_NOTE_I] = "initiated job", [O.NACCB_NOTE_S] = "started task",
            [O.NACCB_NOTE_BLANK] = "not a mainframe job" },
    [2] = { [O.NACCB_NOTE_N] = "normal end", [O.NACCB_NOTE_A] = "abend",
            [O.NACCB_NOTE_C] = "not executed" },
    [3] = { [O.NACCB_NOTE_L] = "ran locally", [O.NACCB_NOTE_R] = "ran remotely" },
}

-- One EOTINFO; report is true for what an agent sends (info EOT), false
-- for a table entry; the rules are those of naccb_eotinfo_validate.
local function dissect_eotinfo(tvb, tree, i, report)
    local sub = tree:add(F.eot, tvb())
    sub:set_text(string.format("EOTINFO %d: ", i))
    sub:add(F.eot_work1, tvb(O.NACCB_EOT_WORK_AREA1, 40))
    sub:add(F.eot_work2, tvb(O.NACCB_EOT_WORK_AREA2, 40))
    sub:add(F.eot_flag1, tvb(O.NACCB_EOT_FLAG1, 1))
    local f2_item = sub:add(F.eot_flag2, tvb(O.NACCB_EOT_FLAG2, 1))
    f2_item:add(F.eot_f2_job, tvb(O.NACCB_EOT_FLAG2, 1))
    f2_item:add(F.eot_f2_jobid, tvb(O.NACCB_EOT_FLAG2, 1))
    f2_item:add(F.eot_f2_step, tvb(O.NACCB_EOT_FLAG2, 1))
    f2_item:add(F.eot_f2_proc, tvb(O.NACCB_EOT_FLAG2, 1))
    local r1 = tvb(O.NACCB_EOT_RESERVED1, O.NACCB_EOT_JOB_ID - O.NACCB_EOT_RESERVED1)
    local r1_item = sub:add(F.eot_reserved1, r1)
    if not all_zero(r1) then rule(r1_item, "NACCB_ERESERVED") end
    local function name(field, off)
        local r = tvb(off, C.NACCB_NAME_SIZE)
        return sub:add(field, r, ebcdic(r, true)), ebcdic(r, true)
    end
    local jobid_item = name(F.eot_job_id, O.NACCB_EOT_JOB_ID)
    name(F.eot_system, O.NACCB_EOT_SYSTEM_NAME)
    local job_item, job = name(F.eot_job, O.NACCB_EOT_JOB_NAME)
    local step_item, step = name(F.eot_step, O.NACCB_EOT_STEP_NAME)
    local proc_item = name(F.eot_proc, O.NACCB_EOT_PROC_STEP_NAME)
    local stepno = tvb(O.NACCB_EOT_STEP_NUMBER, 2):uint()
    local stepno_item = sub:add(F.eot_step_number, tvb(O.NACCB_EOT_STEP_NUMBER, 2))
    local scc_item = sub:add(F.eot_scc, tvb(O.NACCB_EOT_SCC, 2))
    scc_item:append_text(string.format(" (S%03X)", tvb(O.NACCB_EOT_SCC, 2):uint()))
    sub:add(F.eot_ucc, tvb(O.NACCB_EOT_UCC, 2))
    sub:add(F.eot_max_cc, tvb(O.NACCB_EOT_MAX_CC, 2))
    -- Notes letters are EBCDIC in every code page (docs/protocol.md section 9).
    local letters, meanings, bad_note = {}, {}, nil
    for p = 0, 3 do
        local c = tvb(O.NACCB_EOT_NOTES + p, 1):uint()
        letters[#letters + 1] = utf8(T.codepages[1].to_latin1[c + 1])
        local m = note_meaning[p][c]
        meanings[#meanings + 1] = m or string.format("invalid 0x%02X", c)
        if m == nil and bad_note == nil then bad_note = p end
    end
    local notes_range = tvb(O.NACCB_EOT_NOTES, 4)
    local notes = table.concat(letters)
    local notes_item
    if all_zero(notes_range) then
        notes_item = sub:add(F.eot_notes, notes_range, "")
        notes_item:append_text(" (none)")
    else
        notes_item = sub:add(F.eot_notes, notes_range, notes)
        notes_item:append_text(" (" .. table.concat(meanings, ", ") .. ")")
    end
    local r2 = tvb(O.NACCB_EOT_RESERVED2, EOT_SIZE - O.NACCB_EOT_RESERVED2)
    local r2_item = sub:add(F.eot_reserved2, r2)
    if not all_zero(r2) then rule(r2_item, "NACCB_ERESERVED") end
    local flag2 = tvb(O.NACCB_EOT_FLAG2, 1):uint()
    if report then
        if is_blank(tvb(O.NACCB_EOT_JOB_NAME, 8)) then rule(job_item, "NACCB_EJOB_NAME") end
        if bad_note ~= nil then
            rule(notes_item, "NACCB_ENOTES", "notes[" .. bad_note .. "]")
        elseif tvb(O.NACCB_EOT_NOTES + 3, 1):uint() ~= O.NACCB_NOTE_R then
            rule(notes_item, "NACCB_ENOT_REMOTE")
        else
            local kind = tvb(O.NACCB_EOT_NOTES, 1):uint()
            if (kind == O.NACCB_NOTE_S and (stepno < 1 or stepno > 256)) or
               (kind == O.NACCB_NOTE_J and stepno ~= 0) then
                rule(stepno_item, "NACCB_ESTEP_NUMBER")
            end
        end
    else
        if math.floor(flag2 / 16) == 0 then rule(f2_item, "NACCB_EFLAG2") end
        local marked = { { O.NACCB_FLAG2_JOB_NAME, O.NACCB_EOT_JOB_NAME, job_item },
                         { O.NACCB_FLAG2_JOB_ID, O.NACCB_EOT_JOB_ID, jobid_item },
                         { O.NACCB_FLAG2_STEP_NAME, O.NACCB_EOT_STEP_NAME, step_item },
                         { O.NACCB_FLAG2_PROC_STEP_NAME, O.NACCB_EOT_PROC_STEP_NAME, proc_item } }
        for _, m in ipairs(marked) do
            if math.floor(flag2 / m[1]) % 2 == 1 and is_blank(tvb(m[2], 8)) then
                rule(m[3], "NACCB_ECAPTURED_BLANK")
            end
        end
        if stepno ~= 0 or not all_zero(tvb(O.NACCB_EOT_SCC, 6)) or not all_zero(notes_range) then
            rule(stepno_item, "NACCB_ESTATUS_IN_TABLE")
        end
    end
    sub:append_text(job .. (step ~= "" and (" " .. step) or "") ..
                    (notes ~= "" and not all_zero(notes_range) and (" " .. notes) or ""))
    return job, step, notes, stepno
end

-- ---- the key -----------------------------------------------------------
local function key_info(key, err, request, direction)
    local k = T.keys[key]
    if k ~= nil then
        return k.by_error[err] or k.name, k.kind
    end
    if request == O.NACCB_REQ_ERROR then
        if direction == TO_SERVER then return T.agent_error_key_name, T.agent_error_kind end
        if direction == TO_AGENT then return T.error_key_name, "none" end
    end
    return nil, "none"
end

local function plural(n, word) return string.format("%d %s%s", n, word, n == 1 and "" or "s") end

local function quote(s)
    if #s > 60 then s = s:sub(1, 57) .. "..." end
    return '"' .. s .. '"'
end

-- The object rules of naccb_message_check_objects (naccb/header.h,
-- docs/protocol.md section 12).  Returns the rule broken and the header
-- field it is shown at, or nil.
local function check_objects(dir, req, obj, count, size)
    local text_ok = size >= 1 and size <= C.NACCB_TEXT_MAX
    if dir ~= TO_AGENT and dir ~= TO_SERVER then return "NACCB_EDIRECTION", "direction" end
    local key = dir * 65536 + req * 256 + obj
    if dir == TO_SERVER then
        if req == O.NACCB_REQ_LOGIN then
            if obj ~= 0 then return "NACCB_EOBJECT", "object" end
            if not (count == 0 or (count == 1 and size == C.NACCB_PASSWORD_SIZE)) then
                return count == 1 and "NACCB_EOBJECT_SIZE" or "NACCB_EOBJECT_COUNT",
                       count == 1 and "size" or "count"
            end
        elseif req == O.NACCB_REQ_LOGOUT then
            if obj ~= 0 then return "NACCB_EOBJECT", "object" end
            if count ~= 0 then return "NACCB_EOBJECT_COUNT", "count" end
        elseif req == O.NACCB_REQ_ACQUIRE then
            if obj ~= 1 and obj ~= 2 then return "NACCB_EOBJECT", "object" end
            if count ~= 0 then return "NACCB_EOBJECT_COUNT", "count" end
        elseif req == O.NACCB_REQ_INFO then
            if obj < 3 or obj > 7 then return "NACCB_EOBJECT", "object" end
            if count < 1 then return "NACCB_EOBJECT_COUNT", "count" end
            if obj == 7 and size ~= EOT_SIZE then return "NACCB_EOBJECT_SIZE", "size" end
            if obj ~= 7 and not text_ok then return "NACCB_EOBJECT_SIZE", "size" end
        elseif req == O.NACCB_REQ_ERROR then
            if obj < 1 or obj > 8 then return "NACCB_EOBJECT", "object" end
            if count > 1 then return "NACCB_EOBJECT_COUNT", "count" end
            if count == 1 and not text_ok then return "NACCB_EOBJECT_SIZE", "size" end
        else
            return "NACCB_EREQUEST", "request"
        end
        return nil
    end
    local k = T.keys[key]
    if req == O.NACCB_REQ_ERROR then
        if count ~= 0 then return "NACCB_EOBJECT_COUNT", "count" end
        return nil
    end
    if k == nil then
        if T.requests[req] == nil or req == O.NACCB_REQ_LOGIN or req == O.NACCB_REQ_LOGOUT or
           req == O.NACCB_REQ_ACQUIRE or req == O.NACCB_REQ_INFO then
            return "NACCB_EREQUEST", "request"
        end
        return "NACCB_EOBJECT", "object"
    end
    if k.kind == "evblok" or k.kind == "eotinfo" then
        if count < 1 then return "NACCB_EOBJECT_COUNT", "count" end
        if size ~= (k.kind == "evblok" and EVB_SIZE or EOT_SIZE) then return "NACCB_EOBJECT_SIZE", "size" end
    elseif k.kind == "text" then
        if count ~= 1 then return "NACCB_EOBJECT_COUNT", "count" end
        if not text_ok then return "NACCB_EOBJECT_SIZE", "size" end
    elseif k.kind == "job_name" then
        if count ~= 1 then return "NACCB_EOBJECT_COUNT", "count" end
        if size ~= C.NACCB_NAME_SIZE then return "NACCB_EOBJECT_SIZE", "size" end
    elseif count ~= 0 then
        return "NACCB_EOBJECT_COUNT", "count"
    end
    return nil
end

-- ---- one whole NACCB ---------------------------------------------------
local function dissect_naccb(tvb, pinfo, root)
    local total = tvb(0, 4):uint()
    local tree = root:add(naccb, tvb)
    local items = {}
    items.length = tree:add(F.length, tvb(O.NACCB_OFF_TOTAL_LENGTH, 4))
    local agent_id = tvb(O.NACCB_OFF_AGENT_ID, 4):uint()
    items.agent_id = tree:add(F.agent_id, tvb(O.NACCB_OFF_AGENT_ID, 4))
    local system = ebcdic(tvb(O.NACCB_OFF_SYSTEM_NAME, 8), true)
    tree:add(F.system, tvb(O.NACCB_OFF_SYSTEM_NAME, 8), system)
    local dir = tvb(O.NACCB_OFF_DIRECTION, 2):uint()
    local req = tvb(O.NACCB_OFF_REQUEST, 1):uint()
    local obj = tvb(O.NACCB_OFF_OBJECT, 1):uint()
    local err = tvb(O.NACCB_OFF_ERROR_CODE, 1):uint()
    local key = tvb(O.NACCB_OFF_DIRECTION, 4):uint()
    local name, kind = key_info(key, err, req, dir)
    local key_item = tree:add(F.key, tvb(O.NACCB_OFF_DIRECTION, 4))
    if name then key_item:append_text(" (" .. name .. ")") end
    local kt = key_item
    kt:add(F.name, tvb(O.NACCB_OFF_DIRECTION, 4), name or "unnamed"):set_generated()
    items.direction = kt:add(F.direction, tvb(O.NACCB_OFF_DIRECTION, 2))
    items.request = kt:add(F.request, tvb(O.NACCB_OFF_REQUEST, 1))
    items.object = kt:add(F.object, tvb(O.NACCB_OFF_OBJECT, 1))
    items.error = tree:add(F.error, tvb(O.NACCB_OFF_ERROR_CODE, 1))
    local os_item = tree:add(F.os_code, tvb(O.NACCB_OFF_OS_CODE, 1))
    local coding_item = tree:add(F.coding, tvb(O.NACCB_OFF_CODING, 1))
    local unused_item = tree:add(F.unused, tvb(O.NACCB_OFF_UNUSED, 1))
    local fwd_item = tree:add(F.forward, tvb(O.NACCB_OFF_FORWARD, 4))
    local count = tvb(O.NACCB_OFF_COUNT, 4):uint()
    local size = tvb(O.NACCB_OFF_SIZE, 4):uint()
    items.count = tree:add(F.count, tvb(O.NACCB_OFF_COUNT, 4))
    items.size = tree:add(F.size, tvb(O.NACCB_OFF_SIZE, 4))
    tree:append_text(string.format(", %s, %s", name or string.format("key %08X", key),
                                   direction_vs[dir] or "bad direction"))

    -- Header rules, in the order of naccb_header_check_length and then
    -- naccb_message_check_objects (docs/protocol.md sections 3, 11.2, 12).
    local framed = HDR + count * size == total and ((count == 0) == (size == 0))
    if HDR + count * size ~= total then
        rule(items.length, "NACCB_ELENGTH_MISMATCH",
             string.format("36 + %d * %d = %.0f", count, size, HDR + count * size))
    elseif (count == 0) ~= (size == 0) then
        rule(items.count, "NACCB_ECOUNT_SIZE")
    else
        local broken, at = check_objects(dir, req, obj, count, size)
        if broken then rule(items[at], broken) end
    end
    -- Rules of docs/protocol.md sections 3 and 10 that the codec leaves to
    -- the server.
    if tvb(O.NACCB_OFF_CODING, 1):uint() ~= 0 then coding_item:add_proto_expert_info(X.reserved_byte) end
    if tvb(O.NACCB_OFF_UNUSED, 1):uint() ~= 0 then unused_item:add_proto_expert_info(X.reserved_byte) end
    if dir == TO_AGENT then
        if tvb(O.NACCB_OFF_OS_CODE, 1):uint() ~= 0 then os_item:add_proto_expert_info(X.reserved_byte) end
        if tvb(O.NACCB_OFF_FORWARD, 4):uint() ~= 0 then fwd_item:add_proto_expert_info(X.reserved_byte) end
    end
    if err ~= 0 and req ~= O.NACCB_REQ_ERROR and req ~= O.NACCB_REQ_REJECT then
        items.error:add_proto_expert_info(X.error_byte)
    end
    if dir == TO_SERVER and req == O.NACCB_REQ_ERROR and err ~= 4 and err ~= 5 then
        items.error:add_proto_expert_info(X.agent_error_code)
    end
    if dir == TO_SERVER and req == O.NACCB_REQ_LOGIN and agent_id ~= 0 then
        items.agent_id:add_proto_expert_info(X.login_agent_id)
    end
    if dir == TO_AGENT and req == O.NACCB_REQ_ACCEPT and agent_id == 0 then
        items.agent_id:add_proto_expert_info(X.accept_agent_id)
    end
    if dir == TO_AGENT and (req == O.NACCB_REQ_ERROR or req == O.NACCB_REQ_REJECT) and err ~= 8 then
        items.error:add_proto_expert_info(X.error_reply,
            string.format("the host answers %s %02X: %s", name or "error", err,
                          error_vs[err] or "unknown error code"))
    end

    -- Objects: only when the lengths agree, so that count * size bytes are
    -- really there; otherwise the body is shown as bytes.
    local info = {}
    local texts = {}
    if framed and count > 0 then
        for i = 0, count - 1 do
            local r = tvb(HDR + i * size, size)
            if kind == "evblok" and size == EVB_SIZE then
                dissect_evblok(r:tvb(), tree, i)
            elseif kind == "eotinfo" and size == EOT_SIZE then
                local job, step, notes, stepno = dissect_eotinfo(r:tvb(), tree, i, dir == TO_SERVER)
                texts[#texts + 1] = job .. (step ~= "" and (" " .. step) or "") ..
                    (dir == TO_SERVER and (" " .. notes) or "")
            elseif kind == "password" then
                tree:add(F.password, r, ebcdic(r, true))
            elseif kind == "job_name" then
                local j = ebcdic(r, true)
                tree:add(F.job_name, r, j)
                texts[#texts + 1] = j
            else
                local s = ebcdic(r, false)
                tree:add(F.text, r, s)
                texts[#texts + 1] = quote((s:gsub(" +$", "")))
            end
        end
    elseif total > HDR then
        tree:add(F.body, tvb(HDR, total - HDR))
    end

    -- The Info column, as a person reads the session.  A key without a
    -- name is shown by its request's name and object code.
    local s = name or (request_vs[req] and string.format("%s object %02X", request_vs[req], obj))
                   or string.format("key %08X", key)
    if req == O.NACCB_REQ_LOGIN and dir == TO_SERVER then
        s = s .. " " .. system .. (count == 1 and " with password" or "")
    elseif req == O.NACCB_REQ_ACCEPT or req == O.NACCB_REQ_LOGOUT then
        s = s .. " id=" .. agent_id
    elseif req == O.NACCB_REQ_REJECT then
        s = string.format("%s %s: %s (%02X)", s, system, error_vs[err] or "?", err)
    elseif req == O.NACCB_REQ_ERROR and not (dir == TO_AGENT and err == 8) then
        s = string.format("%s %02X %s, object %02X", s, err, error_vs[err] or "?", obj)
        if T.objects[obj] then s = s .. " " .. T.objects[obj].id end
        if #texts > 0 then s = s .. " " .. table.concat(texts, " ") end
    elseif kind == "evblok" then
        s = s .. " " .. plural(count, "EVBLOK")
    elseif kind == "eotinfo" and dir == TO_AGENT then
        s = s .. " " .. plural(count, "EOTINFO")
    elseif #texts > 0 then
        local shown = {}
        for i = 1, math.min(#texts, 3) do shown[i] = texts[i] end
        s = s .. " " .. table.concat(shown, ", ")
        if #texts > 3 then s = s .. string.format(" (+%d more)", #texts - 3) end
    end
    return s
end

-- ---- TCP: framing and reassembly (docs/protocol.md section 2) ----------
-- Lost framing is sticky per direction of a conversation: every later
-- byte of that direction is shown as untrusted.  The frame where it was
-- lost is remembered, so a second pass shows the same.
local lost = {}
function naccb.init() lost = {} end

local function flow(pinfo)
    return tostring(pinfo.src) .. ":" .. pinfo.src_port .. ">" ..
           tostring(pinfo.dst) .. ":" .. pinfo.dst_port
end

function naccb.dissector(tvb, pinfo, root)
    local len = tvb:len()
    local offset = 0
    local infos = {}
    pinfo.cols.protocol = "NACCB"
    local f = flow(pinfo)
    if lost[f] ~= nil and pinfo.number > lost[f] then
        local t = root:add(naccb, tvb)
        t:add(F.unframed, tvb(0, len)):add_proto_expert_info(X.lost_framing)
        pinfo.cols.info = "bytes after lost framing"
        return len
    end
    local max = naccb.prefs.max_size
    while offset < len do
        local avail = len - offset
        if avail < 4 then
            pinfo.desegment_offset = offset
            pinfo.desegment_len = DESEGMENT_ONE_MORE_SEGMENT
            break
        end
        local total = tvb(offset, 4):uint()
        if total < HDR or total > max then
            local t = root:add(naccb, tvb(offset))
            local item = t:add(F.length, tvb(offset, 4))
            rule(item, total < HDR and "NACCB_ELENGTH_SHORT" or "NACCB_ELENGTH_MAX",
                 string.format("total length %d", total))
            item:add_proto_expert_info(X.lost_framing)
            if avail > 4 then t:add(F.unframed, tvb(offset + 4)) end
            infos[#infos + 1] = string.format("lost framing: total length %d", total)
            if not pinfo.visited then lost[f] = pinfo.number end
            offset = len
            break
        end
        if avail < total then
            pinfo.desegment_offset = offset
            pinfo.desegment_len = total - avail
            break
        end
        infos[#infos + 1] = dissect_naccb(tvb(offset, total):tvb(), pinfo, root)
        offset = offset + total
    end
    if #infos > 0 then pinfo.cols.info = table.concat(infos, "; ") end
    return len
end

-- The heuristic: a plausible header at the start of the segment (total
-- length at least 36 and at most the maximum, a known direction, and when
-- the whole header is there, length = 36 + count * size).  The
-- conversation is then the dissector's for all its later segments.
local function heuristic(tvb, pinfo, root)
    if not naccb.prefs.heuristic then return false end
    local len = tvb:len()
    if len < O.NACCB_OFF_DIRECTION + 2 then return false end
    local total = tvb(0, 4):uint()
    if total < HDR or total > naccb.prefs.max_size then return false end
    local dir = tvb(O.NACCB_OFF_DIRECTION, 2):uint()
    if dir ~= TO_AGENT and dir ~= TO_SERVER then return false end
    if len >= HDR then
        local count, size = tvb(O.NACCB_OFF_COUNT, 4):uint(), tvb(O.NACCB_OFF_SIZE, 4):uint()
        if HDR + count * size ~= total then return false end
    end
    pinfo.conversation = naccb
    naccb.dissector(tvb, pinfo, root)
    return true
end

tcp_table:add(DEFAULT_PORT, naccb)
registered_ports = tostring(DEFAULT_PORT)
tcp_table:add_for_decode_as(naccb)
naccb:register_heuristic("tcp", heuristic)
