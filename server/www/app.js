/*
 * app.js - the xdi-emu dashboard (docs/dashboard.md).
 *
 * Plain JavaScript, no framework and nothing fetched but the control
 * plane's own /xdi routes (docs/control.md).  The page logs on with Basic
 * (POST /xdi/logon), keeps the token in sessionStorage (gone when the tab
 * closes) and sends it as a Bearer token afterwards.
 *
 * Live state comes from the journal stream, GET /xdi/journal/stream
 * (Server-Sent Events).  EventSource cannot send an Authorization header,
 * so the stream is read with fetch() and a ReadableStream reader and the
 * SSE framing is parsed here.  A record does not carry the whole state of
 * a system (counters, tables), so a record about a system schedules a
 * GET /xdi/systems (at most a few per second) instead of patching the
 * table from the record; job-related records schedule GET /xdi/jobs.
 *
 * Every text from the server is put in the page with textContent, never
 * as markup: event texts come from agents.
 */
'use strict';

(function () {
  const TOKEN_KEY = 'xdi-emu.token';
  const USER_KEY = 'xdi-emu.user';
  const SELECTED_KEY = 'xdi-emu.system';
  const MAX_RECORDS = 2000;   // records kept in memory for feed and journal
  const MAX_FEED = 300;       // lines shown in the agent feed
  const MAX_JOURNAL = 500;    // lines shown in the journal
  const HISTORY = 500;        // records read when the page opens
  const REFRESH_MS = 250;     // coalescing delay of systems/jobs refreshes
  const POLL_MS = 5000;       // refresh period while the stream is down

  const state = {
    token: sessionStorage.getItem(TOKEN_KEY) || '',
    user: sessionStorage.getItem(USER_KEY) || '',
    systems: [],              // the last GET /xdi/systems answer
    selected: sessionStorage.getItem(SELECTED_KEY) || '',
    records: [],              // the latest records, oldest first
    lastSeq: 0,               // the highest journal sequence number seen
    kinds: new Set(),         // record types seen (journal filter options)
    stream: null,             // AbortController of the open stream
    backoff: 1000,
    timers: {},
    pollTimer: null,
    journalFilter: { system: '', kind: '' },
    fresh: false,             // no record read yet on this stream
  };

  const $ = (id) => document.getElementById(id);

  /* ---- small DOM helpers ------------------------------------------------ */

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'text') e.textContent = v;
        else if (k === 'class') e.className = v;
        else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function clock(ts, seconds) {
    // "2026-11-21T08:30:00.000Z" -> "08:30:00.000" (or "08:30:00");
    // anything else as is.  The whole timestamp goes in the title.
    if (typeof ts !== 'string') return '';
    const m = /T(\d\d:\d\d:\d\d)(\.\d+)?/.exec(ts);
    return m ? m[1] + (seconds ? '' : (m[2] || '')) : ts;
  }

  function num(n) {
    return typeof n === 'number' ? n.toLocaleString('en-US') : '–';
  }

  function messageOf(data) {
    if (data && Array.isArray(data.message) && data.message.length)
      return data.message.join(' ');
    return '';
  }

  /* ---- the API ---------------------------------------------------------- */

  class ApiError extends Error {
    constructor(status, data) {
      super(messageOf(data) || ('HTTP ' + status));
      this.status = status;
      this.data = data;
    }
  }

  // One JSON call.  credentials 'omit': no cookies, and no browser
  // password prompt on a 401 (the page asks for the password itself).
  async function api(method, path, body) {
    const headers = { 'Accept': 'application/json' };
    if (state.token) headers['Authorization'] = 'Bearer ' + state.token;
    const init = { method, headers, credentials: 'omit', cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let resp;
    try {
      resp = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, { message: ['the server cannot be reached: ' + e.message] });
    }
    let data;
    try {
      data = await resp.json();
    } catch (e) {
      data = { rc: resp.status, message: [resp.status + ' ' + resp.statusText] };
    }
    if (resp.status === 401 && path !== '/xdi/logon') {
      loggedOut('Your session ended (' + (messageOf(data) || 'not authorized') +
                '): log on again.');
    }
    if (!resp.ok) throw new ApiError(resp.status, data);
    return data;
  }

  function sysPath(name, tail) {
    return '/xdi/systems/' + encodeURIComponent(name) + (tail || '');
  }

  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params))
      if (v !== '' && v !== undefined && v !== null) q.set(k, String(v));
    const s = q.toString();
    return s ? '?' + s : '';
  }

  /* ---- logon / logoff --------------------------------------------------- */

  // Basic credentials of a UTF-8 user:password (btoa takes Latin-1 only).
  function basic(user, password) {
    const bytes = new TextEncoder().encode(user + ':' + password);
    let bin = '';
    for (const b of bytes) bin += String.fromCharCode(b);
    return 'Basic ' + btoa(bin);
  }

  async function logon(ev) {
    ev.preventDefault();
    const user = $('logon-user').value.trim();
    const password = $('logon-password').value;
    const err = $('logon-error');
    err.textContent = '';
    $('logon-submit').disabled = true;
    try {
      const resp = await fetch('/xdi/logon', {
        method: 'POST', credentials: 'omit', cache: 'no-store',
        headers: { 'Authorization': basic(user, password), 'Accept': 'application/json' },
      });
      let data = {};
      try { data = await resp.json(); } catch (e) { /* reported below */ }
      if (!resp.ok) {
        err.textContent = messageOf(data) || ('logon failed: HTTP ' + resp.status);
        return;
      }
      // Authentication-Info: auth="TOKEN"
      const info = resp.headers.get('Authentication-Info') || '';
      const m = /auth="([^"]+)"/.exec(info);
      if (!m) {
        err.textContent = 'the server answered the logon without a token';
        return;
      }
      state.token = m[1];
      state.user = data.user || user;
      sessionStorage.setItem(TOKEN_KEY, state.token);
      sessionStorage.setItem(USER_KEY, state.user);
      $('logon-password').value = '';
      start();
    } catch (e) {
      err.textContent = 'the server cannot be reached: ' + e.message;
    } finally {
      $('logon-submit').disabled = false;
    }
  }

  async function logoff() {
    try { await api('POST', '/xdi/logoff'); } catch (e) { /* gone anyway */ }
    loggedOut('');
  }

  // Back to the logon form: the token is forgotten, the stream closed.
  function loggedOut(message) {
    state.token = '';
    sessionStorage.removeItem(TOKEN_KEY);
    stopStream();
    if (state.pollTimer) clearInterval(state.pollTimer);
    state.pollTimer = null;
    $('app').hidden = true;
    $('topstate').hidden = true;
    $('logon').hidden = false;
    $('logon-error').textContent = message || '';
    if (state.user) $('logon-user').value = state.user;
    $('logon-password').focus();
  }

  /* ---- start ------------------------------------------------------------ */

  async function start() {
    $('logon').hidden = true;
    $('app').hidden = false;
    $('topstate').hidden = false;
    $('whoami').textContent = state.user ? 'user ' + state.user : '';
    state.records = [];
    state.lastSeq = 0;
    try {
      await Promise.all([refreshSystems(), refreshJobs(), loadHistory()]);
      if (state.selected) select(state.selected);
    } catch (e) {
      if (!state.token) return;        // 401: back at the logon form
      $('systems-error').textContent = e.message;
    }
    if (!state.token) return;
    openStream();
    if (!state.pollTimer) state.pollTimer = setInterval(poll, POLL_MS);
  }

  // Only while the stream is down: keep the tables from going stale.
  function poll() {
    if (!state.token) return;
    if ($('stream-state').dataset.state === 'open') return;
    refreshSystems().catch(() => {});
    refreshHost().catch(() => {});
  }

  /* ---- systems ---------------------------------------------------------- */

  async function refreshSystems() {
    const data = await api('GET', '/xdi/systems');
    state.systems = Array.isArray(data.systems) ? data.systems : [];
    $('systems-error').textContent = '';
    renderSystems();
  }

  function tableCell(t) {
    if (!t) return el('td', { class: 'dim', text: 'none', 'data-col': 'table' });
    const ready = !!t.ready;
    // given: a replace with entries of its own is in force (until a
    // reload or reset brings the fixture's table back).
    return el('td', { class: ready ? 'ok' : 'warn',
                      title: t.given ? 'a table given on demand, not the fixture\'s' : '' },
              (ready ? 'ready' : 'not ready') +
              (typeof t.entries === 'number' ? ' · ' + t.entries : '') +
              (t.given ? ' · given' : ''));
  }

  function renderSystems() {
    const body = $('systems-body');
    body.replaceChildren();
    for (const s of state.systems) {
      const a = s.agent;
      const selected = s.name === state.selected;
      const tables = s.tables || {};
      const last = a && a.last_event;
      const row = el('tr', {
        'data-test': 'system-row', 'data-system': s.name,
        'data-agent': a ? 'connected' : 'none',
        class: selected ? 'selected' : '',
      },
        el('th', { scope: 'row' },
           el('button', { type: 'button', class: 'linklike', 'data-test': 'select-system',
                          'aria-current': selected ? 'true' : false,
                          title: 'select ' + s.name, onclick: () => select(s.name) }, s.name)),
        tableCell(tables.ems), tableCell(tables.scd),
        el('td', { 'data-test': 'agent-state', class: a ? 'ok' : 'dim' },
           a ? 'connected' : 'no agent'),
        el('td', { 'data-test': 'agent-id' }, a ? a.agent_id : '–'),
        el('td', { 'data-test': 'agent-peer' }, a ? a.peer : '–'),
        el('td', { title: a ? a.login : '' }, a ? clock(a.login) : '–'),
        el('td', { class: 'numcol', 'data-test': 'naccbs' },
           a ? num(a.naccbs_in) + ' / ' + num(a.naccbs_out) : '–'),
        el('td', { class: 'numcol', 'data-test': 'bytes' },
           a ? num(a.bytes_in) + ' / ' + num(a.bytes_out) : '–'),
        el('td', { class: 'numcol', 'data-test': 'held' },
           typeof s.held_triggers === 'number' ? s.held_triggers : '–'),
        el('td', { class: 'lastev', title: last ? last.ts : '' },
           last ? (last.event || '') + (last.text ? ': ' + last.text : '') : '–'));
      body.append(row);
    }
    // The system pickers follow the fixture set.
    const names = state.systems.map((s) => s.name);
    if (!state.selected || !names.includes(state.selected)) {
      if (names.length) select(names[0]);
    }
    fillSelect($('action-system'), names, state.selected, null);
    fillSelect($('jobs-system'), names, $('jobs-system').value, 'all');
    fillSelect($('journal-system'), names, state.journalFilter.system, 'all');
  }

  function fillSelect(sel, values, current, emptyLabel) {
    const want = (emptyLabel !== null ? [''] : []).concat(values);
    const have = Array.from(sel.options).map((o) => o.value);
    if (want.join('\n') !== have.join('\n')) {
      sel.replaceChildren(...want.map((v) =>
        el('option', { value: v }, v === '' ? emptyLabel : v)));
    }
    sel.value = want.includes(current) ? current : (want[0] || '');
  }

  function select(name) {
    state.selected = name;
    sessionStorage.setItem(SELECTED_KEY, name);
    for (const row of $('systems-body').children) {
      const on = row.dataset.system === name;
      row.classList.toggle('selected', on);
      const b = row.querySelector('button.linklike');
      if (b && on) b.setAttribute('aria-current', 'true');
      else if (b) b.removeAttribute('aria-current');
    }
    $('action-system').value = name;
    $('feed-system').textContent = name ? '· ' + name : '';
    renderFeed();
  }

  /* ---- host ------------------------------------------------------------- */

  async function refreshHost() {
    const data = await api('GET', '/xdi/host');
    const h = data.host || {};
    const b = $('host-state');
    b.dataset.down = h.down ? 'true' : 'false';
    b.textContent = (h.down ? 'XDI DOWN' : 'XDI UP') +
      (typeof h.sessions === 'number' ? ' · ' + h.sessions + ' session' +
       (h.sessions === 1 ? '' : 's') : '');
    b.className = 'badge ' + (h.down ? 'bad' : 'good');
    if (h.version) $('version').textContent = h.version;
    return h;
  }

  /* ---- requests --------------------------------------------------------- */

  function waitValue() {
    const w = parseInt($('action-wait').value, 10);
    return Number.isFinite(w) && w > 0 ? w : 0;
  }

  function showResult(what, ok, data) {
    const out = $('action-result');
    out.dataset.ok = ok ? 'true' : 'false';
    out.className = 'result ' + (ok ? 'ok' : 'bad');
    let text = what + (ok ? '' : ' failed') + '\n';
    if (data && !ok && messageOf(data)) text += messageOf(data) + '\n';
    text += JSON.stringify(data, null, 2);
    out.textContent = text;
  }

  // POST a request from one of the forms; the button is busy meanwhile
  // (with "wait" the answer can take seconds).
  async function request(what, button, method, path, body) {
    if (button) button.disabled = true;
    try {
      const data = await api(method, path, body);
      showResult(what, true, data);
      return data;
    } catch (e) {
      showResult(what, false, e.data || { message: [e.message] });
      return null;
    } finally {
      if (button) button.disabled = false;
    }
  }

  function withWait(body) {
    const w = waitValue();
    if (w) body.wait = w;
    return body;
  }

  function targetSystem() {
    const name = $('action-system').value;
    if (!name) showResult('request', false, { message: ['no system selected'] });
    return name;
  }

  async function sendCommand(ev) {
    ev.preventDefault();
    const name = targetSystem();
    const command = $('command-text').value;
    if (!name || !command) return;
    await request('exec command to ' + name, ev.submitter, 'POST',
                  sysPath(name, '/commands'), withWait({ command }));
  }

  async function sendJob(ev) {
    ev.preventDefault();
    const name = targetSystem();
    const job = $('job-name').value.trim().toUpperCase();
    if (!name || !job) return;
    await request('exec job ' + job + ' on ' + name, ev.submitter, 'POST',
                  sysPath(name, '/jobs'), withWait({ job }));
    scheduleJobs();
  }

  async function sendReplace(ev) {
    ev.preventDefault();
    const name = targetSystem();
    if (!name) return;
    const table = $('replace-table').value;
    const body = { table };
    const text = $('replace-entries').value.trim();
    if (text) {
      let entries;
      try {
        entries = JSON.parse(text);
      } catch (e) {
        showResult('replace', false, { message: ['the entries are not JSON: ' + e.message] });
        return;
      }
      if (!Array.isArray(entries)) {
        showResult('replace', false, { message: ['the entries must be a JSON list'] });
        return;
      }
      body.entries = entries;
    }
    await request('replace ' + table.toUpperCase() + ' on ' + name +
                  (body.entries ? ' (' + body.entries.length +
                   (body.entries.length === 1 ? ' entry' : ' entries') + ' given)' : ''),
                  ev.submitter, 'POST', sysPath(name, '/replace'), body);
  }

  async function sendShutdown(ev) {
    ev.preventDefault();
    const name = targetSystem();
    if (!name || !armed(ev.submitter, 'Confirm shutdown')) return;
    await request('shutdown of ' + name, ev.submitter, 'POST',
                  sysPath(name, '/shutdown'), withWait({}));
  }

  async function hostAction(what, button, body) {
    const data = await request('host ' + what, button, 'POST', '/xdi/host/' + what, body);
    if (data) {
      refreshHost().catch(() => {});
      scheduleSystems();
      if (what === 'reset') scheduleJobs();
    }
  }

  // A dangerous button takes two clicks: the first one arms it for a few
  // seconds (no modal dialog to get in the way).
  function armed(button, label) {
    if (!button) return true;
    if (button.dataset.armed === 'true') {
      clearTimeout(button._disarm);
      button.dataset.armed = 'false';
      button.textContent = button.dataset.label;
      return true;
    }
    button.dataset.label = button.textContent;
    button.dataset.armed = 'true';
    button.textContent = label;
    button._disarm = setTimeout(() => {
      button.dataset.armed = 'false';
      button.textContent = button.dataset.label;
    }, 4000);
    return false;
  }

  /* ---- jobs ------------------------------------------------------------- */

  async function refreshJobs() {
    const params = {
      system: $('jobs-system').value,
      prefix: $('jobs-prefix').value.trim(),
      status: $('jobs-status').value,
      limit: 200,
    };
    const data = await api('GET', '/xdi/jobs' + query(params));
    renderJobs(Array.isArray(data.jobs) ? data.jobs : []);
  }

  function renderJobs(jobs) {
    const body = $('jobs-body');
    const open = new Set(Array.from(body.querySelectorAll('tr.jobdetail'))
                         .map((r) => r.dataset.key));
    body.replaceChildren();
    $('jobs-empty').hidden = jobs.length > 0;
    for (const j of jobs) {
      const key = j.system + '/' + j.jobid;
      const detail = el('tr', { class: 'jobdetail', 'data-key': key },
                        el('td', { colspan: 10 }, jobDetail(j)));
      detail.hidden = !open.has(key);
      const toggle = el('button', {
        type: 'button', class: 'small', 'aria-expanded': open.has(key) ? 'true' : 'false',
        title: 'steps and history of ' + j.jobid,
        onclick: () => {
          detail.hidden = !detail.hidden;
          toggle.setAttribute('aria-expanded', detail.hidden ? 'false' : 'true');
        },
      }, 'Details');
      const path = '/xdi/jobs/' + encodeURIComponent(j.system) + '/' + encodeURIComponent(j.jobid);
      body.append(el('tr', {
        'data-test': 'job-row', 'data-job': j.name, 'data-jobid': j.jobid,
        'data-system': j.system, 'data-state': j.state, 'data-by': j.by || '',
      },
        el('td', {}, j.jobid), el('th', { scope: 'row' }, j.name), el('td', {}, j.system),
        el('td', { class: 'state-' + j.state, 'data-test': 'job-state' }, j.state),
        el('td', { class: 'numcol' }, j.max_cc === null || j.max_cc === undefined ? '–' : j.max_cc),
        el('td', {}, j.abend || '–'), el('td', {}, j.by || ''),
        el('td', { title: j.submitted || '' }, clock(j.submitted, true)),
        el('td', { title: j.ended || '' }, j.ended ? clock(j.ended, true) : '–'),
        el('td', {}, el('div', { class: 'buttons' }, toggle,
           el('button', { type: 'button', class: 'small', title: 'send exec job ' + j.name + ' again',
                          onclick: (ev) => request('rerun of ' + j.jobid, ev.currentTarget, 'POST',
                                                   path + '/rerun').then(scheduleJobs) }, 'Rerun'),
           el('button', { type: 'button', class: 'small danger', title: 'purge ' + j.jobid,
                          onclick: (ev) => request('purge of ' + j.jobid, ev.currentTarget, 'DELETE',
                                                   path).then(scheduleJobs) }, 'Purge')))));
      body.append(detail);
    }
  }

  function jobDetail(j) {
    const box = el('div', { class: 'jobbox' });
    const steps = Array.isArray(j.steps) ? j.steps : [];
    if (steps.length) {
      const t = el('table', { class: 'inner' },
        el('thead', {}, el('tr', {}, ...['Step', 'Proc step', 'CC', 'SCC', 'UCC', 'Notes', 'Time']
                                      .map((h) => el('th', { scope: 'col' }, h)))));
      const tb = el('tbody');
      for (const s of steps) {
        tb.append(el('tr', {}, ...[s.step, s.proc_step, s.cc, s.scc, s.ucc, s.notes, clock(s.ts)]
                              .map((v) => el('td', {}, v === null || v === undefined ? '' : v))));
      }
      t.append(tb);
      box.append(t);
    }
    const hist = Array.isArray(j.history) ? j.history : [];
    const ul = el('ul', { class: 'history' });
    for (const h of hist)
      ul.append(el('li', {}, clock(h.ts) + '  ' + (h.event || '') + (h.text ? '  ' + h.text : '')));
    if (hist.length) box.append(ul);
    if (!steps.length && !hist.length) box.append(el('span', { class: 'dim' }, 'no steps or history yet'));
    return box;
  }

  /* ---- coalesced refreshes ---------------------------------------------- */

  function later(name, fn) {
    if (state.timers[name]) return;
    state.timers[name] = setTimeout(() => {
      state.timers[name] = null;
      if (state.token) fn().catch(() => {});
    }, REFRESH_MS);
  }
  const scheduleSystems = () => later('systems', refreshSystems);
  const scheduleJobs = () => later('jobs', refreshJobs);
  const scheduleHost = () => later('host', refreshHost);

  // Which refreshes a record calls for.
  const SESSION_EVENTS = new Set(['accept', 'logout', 'disconnect', 'takeover',
                                  'host_removed', 'reload', 'stop', 'timeout']);
  const JOB_EVENTS = new Set(['trigger', 'trigger_release', 'trigger_dropped', 'agent_error']);

  function react(rec) {
    const ev = rec.event;
    if (rec.system || SESSION_EVENTS.has(ev) || ev === 'control') scheduleSystems();
    if (SESSION_EVENTS.has(ev) || ev === 'control') scheduleHost();
    if (JOB_EVENTS.has(ev) || ev === 'control' || rec.job !== undefined ||
        (ev === 'info' && (rec.kind === 'EOJ' || rec.kind === 'EOS' || rec.kind === 'EOT')) ||
        (ev === 'send' && rec.key === '01020108')) {
      scheduleJobs();
    }
  }

  /* ---- records: history, stream ----------------------------------------- */

  // The journal sequence number of a record ("jseq", journal-wide; the
  // record's "seq" is the NACCB's number on its connection): the SSE id
  // when it came from the stream, else the record's own.
  function seqOf(rec, id) {
    if (id !== undefined && /^\d+$/.test(id)) return parseInt(id, 10);
    return typeof rec.jseq === 'number' ? rec.jseq : 0;
  }

  // The newest records: the host says how far the journal is (jseq), and
  // the page asks for the last HISTORY of them.
  async function loadHistory() {
    const h = await refreshHost();
    const since = typeof h.jseq === 'number' ? Math.max(0, h.jseq - HISTORY) : 0;
    const data = await api('GET', '/xdi/journal' + query({ since, limit: HISTORY }));
    const recs = Array.isArray(data.records) ? data.records : [];
    for (const r of recs) addRecord(r, seqOf(r), false);
    renderFeed();
    renderJournal();
  }

  // A record seen for the first time (replays after a reconnect are
  // dropped by their sequence number).
  function addRecord(rec, seq, live) {
    if (seq && seq <= state.lastSeq) return;
    if (seq) state.lastSeq = seq;
    rec._seq = seq;
    annotate(rec);
    state.records.push(rec);
    if (state.records.length > MAX_RECORDS)
      state.records.splice(0, state.records.length - MAX_RECORDS);
    if (rec.event && !state.kinds.has(rec.event)) {
      state.kinds.add(rec.event);
      fillKinds();
    }
    if (!live) return;
    react(rec);
    if (isFeed(rec)) appendLimited($('feed'), feedItem(rec), MAX_FEED);
    if (matchesJournal(rec) && !$('journal-pause').checked) {
      appendLimited($('journal'), journalItem(rec), MAX_JOURNAL);
      countJournal();
    }
  }

  // A send record holds an exec command or exec job as EBCDIC hex only:
  // the record that caused it (control request, EMS action, SCD trigger)
  // named it just before, for its target system.
  const lastAsked = { command: new Map(), job: new Map() };

  function annotate(rec) {
    const ev = rec.event;
    if (ev === 'control' && rec.system) {
      if (typeof rec.command === 'string') lastAsked.command.set(rec.system, rec.command);
      if (typeof rec.job === 'string') lastAsked.job.set(rec.system, rec.job);
    } else if (ev === 'action' && typeof rec.command === 'string') {
      lastAsked.command.set(rec.target || rec.system, rec.command);
    } else if ((ev === 'trigger' || ev === 'trigger_release') && typeof rec.run_job === 'string') {
      lastAsked.job.set(rec.target || rec.system, rec.run_job);
    } else if (ev === 'send' && rec.system) {
      const which = rec.key === '01020104' ? 'command' : rec.key === '01020108' ? 'job' : '';
      if (which && lastAsked[which].has(rec.system)) {
        rec._what = lastAsked[which].get(rec.system);
        lastAsked[which].delete(rec.system);
      }
    }
  }

  function stopStream() {
    if (state.stream) state.stream.abort();
    state.stream = null;
    streamState('closed');
  }

  function streamState(s, detail) {
    const b = $('stream-state');
    b.dataset.state = s;
    b.textContent = 'stream ' + s;
    b.title = detail || 'journal stream';
    b.className = 'badge ' + (s === 'open' ? 'good' : s === 'closed' ? '' : 'bad');
  }

  // The journal stream with fetch(): Bearer token, Last-Event-ID on a
  // reconnect so nothing is missed, SSE parsed line by line.
  async function openStream() {
    if (state.stream || !state.token) return;
    const ctrl = new AbortController();
    state.stream = ctrl;
    streamState('connecting');
    const headers = { 'Authorization': 'Bearer ' + state.token, 'Accept': 'text/event-stream' };
    // What the page has seen (0: nothing): the server replays the rest of
    // its history, and a record seen twice is dropped by its jseq.
    headers['Last-Event-ID'] = String(state.lastSeq);
    let why = 'ended';
    try {
      const resp = await fetch('/xdi/journal/stream', {
        headers, signal: ctrl.signal, credentials: 'omit', cache: 'no-store',
      });
      if (resp.status === 401) {
        state.stream = null;
        loggedOut('Your session ended: log on again.');
        return;
      }
      if (!resp.ok || !resp.body) throw new Error('HTTP ' + resp.status);
      streamState('open');
      state.fresh = true;
      await readSse(resp.body, ctrl);
    } catch (e) {
      if (ctrl.signal.aborted) return;
      why = e.message;
    }
    if (state.stream !== ctrl) return;
    state.stream = null;
    if (!state.token) return;
    // Reconnect with a growing delay; the poll keeps the tables fresh.
    streamState('reconnecting', why);
    const delay = state.backoff;
    state.backoff = Math.min(state.backoff * 2, 15000);
    setTimeout(openStream, delay);
  }

  async function readSse(body, ctrl) {
    const reader = body.getReader();
    const decoder = new TextDecoder('utf-8');
    let buf = '';
    let id = '';
    let data = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done || ctrl.signal.aborted) return;
      buf += decoder.decode(value, { stream: true });
      // Lines end with LF, CRLF or CR (a CR at the very end may be half
      // of a CRLF: keep it for the next chunk).
      let start = 0;
      for (;;) {
        const m = /\r\n|\n|\r(?!$)/g;
        m.lastIndex = start;
        const hit = m.exec(buf);
        if (!hit) break;
        const line = buf.slice(start, hit.index);
        start = hit.index + hit[0].length;
        if (line === '') {                     // end of one event
          if (data.length) dispatch(id, data.join('\n'));
          data = [];
          continue;
        }
        if (line[0] === ':') {                 // comment (keep-alive, notes)
          if (/server was restarted/.test(line)) restarted();
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let v = colon < 0 ? '' : line.slice(colon + 1);
        if (v[0] === ' ') v = v.slice(1);
        if (field === 'data') data.push(v);
        else if (field === 'id') id = v;
      }
      buf = buf.slice(start);
    }
  }

  function dispatch(id, text) {
    let rec;
    try {
      rec = JSON.parse(text);
    } catch (e) {
      return;                                  // not a record: skip it
    }
    state.backoff = 1000;
    const seq = seqOf(rec, id);
    // The replay after a reconnect starts after the last record seen; a
    // first record at or below it comes from a restarted server.
    if (state.fresh && seq && seq <= state.lastSeq) restarted();
    state.fresh = false;
    addRecord(rec, seq, true);
  }

  // The server was restarted (its numbering begins again, its jobs and
  // sessions are new): forget what the page holds and read it all anew.
  function restarted() {
    state.lastSeq = 0;
    state.records = [];
    lastAsked.command.clear();
    lastAsked.job.clear();
    $('feed').replaceChildren();
    $('journal').replaceChildren();
    countJournal();
    scheduleSystems();
    scheduleJobs();
    scheduleHost();
  }

  /* ---- the agent feed --------------------------------------------------- */

  // What the selected system's agent did: its info records first of all,
  // with its errors, its session's start and end, and what the host sent
  // it (exec command, exec job) so a request and its answer read together.
  const FEED_EVENTS = new Set(['info', 'agent_error', 'accept', 'logout', 'disconnect', 'takeover']);
  const FEED_SENDS = new Set(['exec command', 'exec job', 'shutdown']);

  function isFeed(rec) {
    if (!state.selected || rec.system !== state.selected) return false;
    return FEED_EVENTS.has(rec.event) ||
      (rec.event === 'send' && typeof rec.name === 'string' &&
       (FEED_SENDS.has(rec.name) || rec.name.startsWith('replace')));
  }

  function feedText(rec) {
    switch (rec.event) {
      case 'info':
        if (rec.kind === 'EOT' && rec.eotinfo) {
          const e = rec.eotinfo;
          return 'EOTINFO ' + e.job_name + (e.step_name ? '.' + e.step_name : '') +
            ' max CC ' + e.max_cc + ' notes ' + e.notes;
        }
        return rec.text !== undefined ? rec.text : '';
      case 'agent_error':
        return 'error ' + rec.error + ' (' + (rec.error_name || '') + ') on ' +
          (rec.object_name || rec.object) + (rec.text ? ': ' + rec.text : '');
      case 'accept':
        return 'logged in, agent-ID ' + rec.agent_id + ' from ' + rec.peer;
      case 'logout':
        return 'logged out';
      case 'disconnect':
        return 'disconnected (' + (rec.cause || '') + ')';
      case 'takeover':
        return 'taken over by connection ' + rec.by_conn;
      case 'send':
        return '→ ' + rec.name + (rec._what || rec.job ? ' ' + (rec._what || rec.job) : '') +
          (rec.outcome && rec.outcome !== 'written' ? ' (' + rec.outcome + ')' : '');
      default:
        return '';
    }
  }

  function feedItem(rec) {
    const tag = rec.event === 'info' ? rec.kind : rec.event === 'send' ? 'HOST' : rec.event.toUpperCase();
    const cls = rec.event === 'info' ? 'in verdict-' + (rec.verdict || '') :
                rec.event === 'agent_error' ? 'err' : rec.event === 'send' ? 'out' : 'sess';
    return el('li', {
      'data-test': 'feed-item', 'data-event': rec.event, 'data-kind': rec.kind || '',
      'data-seq': rec._seq || '', class: cls,
    },
      el('span', { class: 'ts', title: rec.ts }, clock(rec.ts)),
      el('span', { class: 'tag' }, tag || ''),
      el('span', { class: 'text', 'data-test': 'feed-text' }, feedText(rec)),
      rec.verdict && rec.event === 'info' ? el('span', { class: 'verdict' }, rec.verdict) : null);
  }

  function renderFeed() {
    const items = state.records.filter(isFeed).slice(-MAX_FEED).map(feedItem);
    $('feed').replaceChildren(...items);
    scrollEnd($('feed'));
  }

  function appendLimited(list, item, max) {
    const atEnd = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
    list.append(item);
    while (list.children.length > max) list.firstChild.remove();
    if (atEnd) scrollEnd(list);
  }

  function scrollEnd(list) {
    list.scrollTop = list.scrollHeight;
  }

  /* ---- the journal ------------------------------------------------------ */

  const QUIET_FIELDS = new Set(['ts', 'event', 'conn', 'peer', 'agent_id', 'system', 'seq',
                                'naccb', 'object', 'jseq', '_seq', '_what']);

  function summary(rec) {
    switch (rec.event) {
      case 'info':
        return rec.kind + ' ' + (rec.verdict || '') + ' ' + JSON.stringify(feedText(rec));
      case 'send':
        return rec.name + (rec._what ? ' ' + JSON.stringify(rec._what) : '') + ' ' +
          (rec.outcome || '');
      case 'control':
        return (rec.user || '?') + ' from ' + (rec.client || '?') + ': ' + (rec.action || '') +
          (rec.command ? ' ' + JSON.stringify(rec.command) : '') + (rec.job ? ' ' + rec.job : '') +
          (rec.table ? ' ' + rec.table : '') + (rec.outcome ? ' (' + rec.outcome + ')' : '');
      default: {
        const parts = [];
        for (const [k, v] of Object.entries(rec)) {
          if (QUIET_FIELDS.has(k) || v === null || typeof v === 'object') continue;
          parts.push(k + '=' + v);
          if (parts.length >= 6) break;
        }
        return parts.join(' ');
      }
    }
  }

  function journalItem(rec) {
    const copy = Object.assign({}, rec);
    delete copy._seq;
    delete copy._what;
    return el('li', { 'data-test': 'journal-item', 'data-event': rec.event,
                      'data-system': rec.system || '', 'data-seq': rec._seq || '' },
      el('details', {},
        el('summary', {},
          el('span', { class: 'seq' }, rec._seq || ''),
          el('span', { class: 'ts', title: rec.ts }, clock(rec.ts)),
          el('span', { class: 'ev ev-' + rec.event }, rec.event),
          el('span', { class: 'sys' }, rec.system || ''),
          el('span', { class: 'text' }, summary(rec))),
        el('pre', {}, JSON.stringify(copy, null, 2))));
  }

  function matchesJournal(rec) {
    const f = state.journalFilter;
    return (!f.system || rec.system === f.system) && (!f.kind || rec.event === f.kind);
  }

  function renderJournal(records) {
    const list = (records || state.records.filter(matchesJournal)).slice(-MAX_JOURNAL);
    $('journal').replaceChildren(...list.map(journalItem));
    countJournal();
    scrollEnd($('journal'));
  }

  function countJournal() {
    const n = $('journal').children.length;
    $('journal-count').textContent = n + ' record' + (n === 1 ? '' : 's') + ' shown';
  }

  function fillKinds() {
    const sel = $('journal-kind');
    const cur = sel.value;
    const kinds = Array.from(state.kinds).sort();
    sel.replaceChildren(el('option', { value: '' }, 'all'),
                        ...kinds.map((k) => el('option', { value: k }, k)));
    sel.value = kinds.includes(cur) ? cur : '';
  }

  // A new filter: the server filters its whole history (older records
  // than the page holds), live records are filtered here.
  async function journalFilterChanged() {
    state.journalFilter = { system: $('journal-system').value, kind: $('journal-kind').value };
    const f = state.journalFilter;
    if (!f.system && !f.kind) {
      renderJournal();
      return;
    }
    try {
      const data = await api('GET', '/xdi/journal' +
                             query({ system: f.system, kind: f.kind }));
      const recs = (Array.isArray(data.records) ? data.records : []).map((r) => {
        r._seq = seqOf(r);
        return r;
      });
      renderJournal(recs.filter(matchesJournal));
    } catch (e) {
      renderJournal();
    }
  }

  /* ---- wiring ----------------------------------------------------------- */

  function init() {
    $('logon-form').addEventListener('submit', logon);
    $('logoff').addEventListener('click', logoff);
    $('form-command').addEventListener('submit', sendCommand);
    $('form-job').addEventListener('submit', sendJob);
    $('form-replace').addEventListener('submit', sendReplace);
    $('replace-entries').addEventListener('input', () => {
      $('replace-send').textContent = $('replace-entries').value.trim()
        ? 'Send these entries' : 'Send current table';
    });
    $('form-shutdown').addEventListener('submit', sendShutdown);
    $('action-system').addEventListener('change', (ev) => select(ev.target.value));
    $('host-down').addEventListener('click', (ev) => hostAction('down', ev.currentTarget));
    $('host-up').addEventListener('click', (ev) => hostAction('up', ev.currentTarget));
    $('host-reload').addEventListener('click', (ev) => hostAction('reload', ev.currentTarget));
    $('host-reset').addEventListener('click', (ev) => {
      if (armed(ev.currentTarget, 'Confirm reset'))
        hostAction('reset', ev.currentTarget,
                   $('reset-rotate').checked ? { rotate_journal: true } : {});
    });
    $('jobs-filter').addEventListener('submit', (ev) => {
      ev.preventDefault();
      refreshJobs().catch((e) => showResult('jobs', false, e.data || { message: [e.message] }));
    });
    $('jobs-system').addEventListener('change', () => refreshJobs().catch(() => {}));
    $('jobs-status').addEventListener('change', () => refreshJobs().catch(() => {}));
    $('journal-system').addEventListener('change', journalFilterChanged);
    $('journal-kind').addEventListener('change', journalFilterChanged);
    $('journal-pause').addEventListener('change', () => {
      if (!$('journal-pause').checked) journalFilterChanged();
    });
    $('journal-clear').addEventListener('click', () => {
      $('journal').replaceChildren();
      countJournal();
    });
    $('server-host').textContent = location.host;
    if (state.token) start();
    else loggedOut('');
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
