// 督办工作台: a single page over duband's HTTP/JSON API (POST
// /duban.v1.<Service>/<Method>). Every list comes from the server, which
// decides what the signed-in account may see; the page shows what it gets
// and the server's refusals.
'use strict';

const STATE = {
  TASK_STATE_DRAFT: '草稿', TASK_STATE_ASSIGNED: '已交办', TASK_STATE_ACCEPTED: '已签收',
  TASK_STATE_IN_PROGRESS: '推进中', TASK_STATE_COMPLETION_REQUESTED: '申请办结',
  TASK_STATE_COMPLETION_LEADER_REVIEW: '待领导审核', TASK_STATE_COMPLETED: '已办结',
  TASK_STATE_ARCHIVED: '已归档', TASK_STATE_EXTENSION_REQUESTED: '申请延期',
  TASK_STATE_EXTENSION_LEADER_REVIEW: '延期待领导审核', TASK_STATE_SUSPENDED: '已中止',
  TASK_STATE_CANCELLED: '已撤销', TASK_STATE_SENT_BACK: '已退回交办',
};
const COMMAND = {
  TASK_COMMAND_CREATE: '创建', TASK_COMMAND_ASSIGN: '交办', TASK_COMMAND_ACCEPT: '签收',
  TASK_COMMAND_SEND_BACK: '退回交办', TASK_COMMAND_TRANSFER: '转办', TASK_COMMAND_REPORT_PROGRESS: '报送进展',
  TASK_COMMAND_REQUEST_COMPLETION: '申请办结', TASK_COMMAND_APPROVE_COMPLETION: '审核通过',
  TASK_COMMAND_RETURN_COMPLETION: '退回', TASK_COMMAND_REQUEST_EXTENSION: '申请延期',
  TASK_COMMAND_APPROVE_EXTENSION: '同意延期', TASK_COMMAND_DENY_EXTENSION: '不同意延期',
  TASK_COMMAND_SUSPEND: '中止', TASK_COMMAND_RESUME: '恢复', TASK_COMMAND_CANCEL: '撤销',
  TASK_COMMAND_ARCHIVE: '归档', TASK_COMMAND_WARNING: '预警',
};
const OBLIGATION = {
  OBLIGATION_STATE_PENDING: '待报送', OBLIGATION_STATE_SUBMITTED: '已报送待审',
  OBLIGATION_STATE_ACCEPTED: '已采用', OBLIGATION_STATE_RETURNED: '被退回', OBLIGATION_STATE_MISSED: '逾期未报',
};
const SUPERVISION = {
  SUPERVISION_STATE_LISTED: '已挂牌', SUPERVISION_STATE_RECTIFYING: '整改中',
  SUPERVISION_STATE_RECTIFICATION_REPORTED: '已报整改', SUPERVISION_STATE_VERIFIED: '已核查',
  SUPERVISION_STATE_CLOSED: '已销号',
};
const CASE_STEPS = [['ACCOUNTABILITY_STATE_SCHEDULED', '已安排'], ['ACCOUNTABILITY_STATE_HELD', '已约谈'],
  ['ACCOUNTABILITY_STATE_FOLLOWED_UP', '已跟踪'], ['ACCOUNTABILITY_STATE_CLOSED', '已办结']];
const LEVEL = { 1: '一级督办', 2: '二级督办', 3: '三级督办' };
const DONE = new Set(['TASK_STATE_COMPLETED', 'TASK_STATE_ARCHIVED', 'TASK_STATE_CANCELLED']);

const session = {
  load() { try { return JSON.parse(sessionStorage.getItem('duban') || 'null'); } catch (e) { return null; } },
  save(s) { sessionStorage.setItem('duban', JSON.stringify(s)); },
  clear() { sessionStorage.removeItem('duban'); },
};
let me = session.load();   // {actor, name, unitId, roles}: the account logged in
const units = new Map();    // id -> name

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

// The session's token travels in the HttpOnly cookie the gateway set at
// Login; it is sent as "Authorization: Bearer" to duband.
function headers(extra) {
  return Object.assign({}, extra || {});
}

// A 401: the session ended (logout elsewhere, idle timeout, lockout).
function sessionEnded() {
  session.clear();
  me = null;
  setTimeout(route, 0);
}

async function rpc(method, body) {
  const r = await fetch('/duban.v1.' + method, {
    method: 'POST', credentials: 'same-origin',
    headers: headers({ 'Content-Type': 'application/json' }), body: JSON.stringify(body || {}),
  });
  let data = {};
  try { data = await r.json(); } catch (e) { /* empty body */ }
  if (r.status === 401 && me) sessionEnded();
  if (!r.ok) throw new ApiError(r.status, data.code || 'unknown', data.message || ('HTTP ' + r.status));
  return data;
}

async function upload(file) {
  const form = new FormData();
  form.append('file', file, file.name);
  const r = await fetch('/duban.v1.EvidenceService/Upload', {
    method: 'POST', credentials: 'same-origin', headers: headers(), body: form,
  });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new ApiError(r.status, data.code, `${file.name}：${data.message || r.status}`);
  return data;
}

async function allTasks(filter) {
  const out = [];
  let token = '';
  do {
    const page = await rpc('TaskService/ListTasks', Object.assign({ pageSize: 500, pageToken: token }, filter));
    out.push(...(page.tasks || []));
    token = page.nextPageToken || '';
  } while (token);
  return out;
}

// Every page of a list: `field` of each answer, following nextPageToken.
async function allPages(method, body, field) {
  const out = [];
  let token = '';
  do {
    const page = await rpc(method, Object.assign({}, body, { pageToken: token }));
    out.push(...(page[field] || []));
    token = page.nextPageToken || '';
  } while (token);
  return out;
}

// Every event of a history, following nextAfterVersion (a JSON string; absent or "0": no more).
async function allEvents(method, body) {
  const events = [];
  let after = '0';
  do {
    const page = await rpc(method, Object.assign({}, body, { afterVersion: after }));
    events.push(...(page.events || []));
    after = page.nextAfterVersion || '0';
  } while (after !== '0');
  return { events };
}

async function loadUnits() {
  if (units.size) return;
  for (const u of await allPages('OrgService/ListUnits', {}, 'units')) units.set(u.id, u.name);
}

const meta = (extra) => Object.assign({ meta: {} }, extra);

// ---------------------------------------------------------------- helpers

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
const unitName = (id) => units.get(id) || id;
const when = (ts) => ts ? new Date(ts).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '';
const day = (ts) => ts ? new Date(ts).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' }) : '';
function toast(text) {
  const t = h('div', {}, text);
  document.getElementById('toast').append(t);
  setTimeout(() => t.remove(), 6000);
}
function errorBox(e) {
  // 404: duband hides what the account may not see (another unit's task) as
  // if it were not there.
  const lead = e.status === 403 ? '无权查看：' : e.status === 404 ? '无权查看或不存在：' : '出错：';
  return h('div', { class: 'error', 'data-error': e.code || 'error' }, lead, e.message);
}
function warningClass(t) {
  if (DONE.has(t.state)) return 'done';
  if (t.warningLevel === 'WARNING_LEVEL_RED') return 'red';
  if (t.warningLevel === 'WARNING_LEVEL_YELLOW') return 'yellow';
  return '';
}
function taskChip(t, supervised) {
  return h('a', { class: `chip ${warningClass(t)} ${supervised ? 'supervised' : ''}`, href: '#/task/' + t.id,
    title: `${t.code} ${t.title}（${STATE[t.state] || t.state}）`, 'data-task': t.id,
    'data-warning': t.warningLevel, 'data-supervised': supervised ? 'yes' : 'no' }, t.code || t.id);
}
async function action(button, fn, after) {
  button.disabled = true;
  try {
    await fn();
    toast('已完成：' + button.textContent);
    if (after) await after(); else await route();
  } catch (e) {
    button.parentElement.append(errorBox(e));
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- login

function loginPage() {
  const err = h('div');
  const form = h('form', { class: 'card login stack', id: 'login-form' },
    h('h2', {}, '登录'),
    h('label', { for: 'account' }, '账号'), h('input', { id: 'account', name: 'account', autocomplete: 'username', required: true }),
    h('label', { for: 'password' }, '密码'), h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password' }),
    h('label', { for: 'totp' }, '动态验证码（已开通双重验证的账号）'), h('input', { id: 'totp', name: 'totp', inputmode: 'numeric', autocomplete: 'one-time-code' }),
    h('button', { class: 'primary', type: 'submit', id: 'login-submit' }, '登录'), err);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.replaceChildren();
    const account = form.account.value.trim();
    try {
      const r = await fetch('/duban.v1.AuthService/Login', {
        method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ accountId: account, password: form.password.value, totpCode: form.totp.value.trim() }),
      });
      const data = await r.json().catch(() => ({}));
      if (!r.ok) {
        throw new ApiError(r.status, data.code, data.message || '登录失败');
      } else {
        const a = data.account || {};
        me = { actor: a.id, name: a.displayName || a.id, unitId: a.unitId || '', roles: a.roles || [],
          mustChangePassword: !!data.mustChangePassword };
      }
      session.save(me);
      startWatch();
      const next = me.unitId ? '#/desk' : '#/office';
      if (location.hash === next) await route(); else location.hash = next;
    } catch (e) {
      me = null;
      err.append(errorBox(e));
    }
  });
  return form;
}

// ---------------------------------------------------------------- pages

async function mapPage() {
  const [camps, tasks, sup] = await Promise.all([
    allPages('PlanService/ListCampaigns', {}, 'campaigns'), allTasks({}), allPages('SupervisionService/ListSupervision', { pageSize: 1000 }, 'items')]);
  const supervised = new Set(sup.filter((i) => i.state !== 'SUPERVISION_STATE_CLOSED').map((i) => i.subjectId));
  const byCampaign = new Map();
  for (const t of tasks) {
    if (!byCampaign.has(t.campaignId)) byCampaign.set(t.campaignId, []);
    byCampaign.get(t.campaignId).push(t);
  }
  const grid = h('div', { class: 'grid' });
  for (const c of camps) {
    const ts = byCampaign.get(c.id) || [];
    if (!ts.length) continue;
    const done = ts.filter((t) => DONE.has(t.state)).length;
    const red = ts.filter((t) => warningClass(t) === 'red').length;
    const yellow = ts.filter((t) => warningClass(t) === 'yellow').length;
    grid.append(h('section', { class: 'card campaign', 'data-campaign': c.id },
      h('h3', {}, c.name),
      h('div', { class: 'muted' }, `任务 ${ts.length} 项 · 办结 ${done} · 红灯 ${red} · 黄灯 ${yellow}`),
      h('div', { class: 'bar' }, h('span', { style: `width:${ts.length ? Math.round(100 * done / ts.length) : 0}%` })),
      (c.targets || []).length ? h('details', {}, h('summary', {}, `目标指标 ${(c.targets || []).length} 项`),
        h('ul', {}, (c.targets || []).map((g) => h('li', {}, `${g.indicator} ${g.targetValue ?? ''}${g.unitOfMeasure || ''}`)))) : null,
      h('div', { class: 'tasks' }, ts.map((t) => taskChip(t, supervised.has(t.id))))));
  }
  return [h('h2', {}, '挂图作战'),
    h('p', { class: 'muted' }, '绿色：正常　黄色：临近或轻度逾期　红色：严重逾期　灰色：已办结　紫框：挂牌督办'), grid];
}

async function deadlinesPage() {
  const info = await rpc('AdminService/ServerInfo', {});
  const now = new Date(info.now);
  const r = await rpc('ReportService/ListObligations', { pageSize: 1000, periodFrom: info.now.slice(0, 10) });
  const byDeadline = new Map();
  for (const o of r.obligations || []) {
    const d = new Date(o.deadline);
    if (d < new Date(now.getTime() - 86400000)) continue;
    const key = day(o.deadline);
    if (!byDeadline.has(key)) byDeadline.set(key, { at: d, items: [] });
    byDeadline.get(key).items.push(o);
  }
  const list = [...byDeadline.entries()].sort((a, b) => a[1].at - b[1].at).slice(0, 8);
  const out = [h('h2', {}, '报送节点'), h('p', { class: 'muted' }, `当前时间 ${when(info.now)}`)];
  if (!list.length) out.push(h('p', {}, '近期没有报送节点。'));
  for (const [key, { items }] of list) {
    const missing = items.filter((o) => ['OBLIGATION_STATE_PENDING', 'OBLIGATION_STATE_RETURNED', 'OBLIGATION_STATE_MISSED'].includes(o.state));
    out.push(h('section', { class: 'card deadline' }, h('h3', {}, `${key} 截止（${items.length} 项，未报 ${missing.length} 项）`),
      h('table', { class: 'wide' }, h('thead', {}, h('tr', {}, h('th', {}, '事项'), h('th', {}, '报送单位'), h('th', {}, '状态'))),
        h('tbody', {}, items.map((o) => h('tr', { class: missing.includes(o) ? 'missing' : '' },
          h('td', {}, `${o.ruleName} ${o.periodLabel}`), h('td', {}, unitName(o.unitId)), h('td', {}, OBLIGATION[o.state] || o.state)))))));
  }
  return out;
}

// Uploads the chosen files; their references for a command.
async function uploadAll(input) {
  const evidence = [];
  for (const f of input.files) evidence.push({ sha256: (await upload(f)).sha256, fileName: f.name });
  return evidence;
}

function fileInput(id) {
  return h('input', { type: 'file', multiple: true, id, class: 'files', title: '佐证材料（照片、PDF、Word/Excel）' });
}

function submitObligationForm(o) {
  const text = h('textarea', { name: 'text', placeholder: '报送内容', id: 'ob-text-' + o.id });
  const files = fileInput('ob-files-' + o.id);
  const b = h('button', { class: 'act', id: 'ob-submit-' + o.id }, '报送');
  b.addEventListener('click', () => action(b, async () => rpc('ReportService/SubmitReport',
    meta({ obligationId: o.id, text: text.value, evidence: await uploadAll(files) }))));
  return h('div', { class: 'stack' }, text, files, b);
}

// A subject's history (obligation, supervision item, case) with its files.
function historyLink(label, method, body, id) {
  const box = h('div', { class: 'history', id });
  const a = h('a', { href: '#', 'data-history': id, onclick: async (ev) => {
    ev.preventDefault();
    try {
      const r = await allEvents(method, body);
      box.replaceChildren(h('ul', {}, (r.events || []).map((e) => h('li', { 'data-kind': e.kind },
        h('span', { class: 'muted' }, when(e.at) + ' '), `${unitName(e.actor)} ${e.kind} ${e.text || ''}`,
        (e.evidence || []).length ? evidenceList(e.evidence) : null))));
    } catch (e) {
      box.replaceChildren(errorBox(e));
    }
  } }, label);
  return h('div', {}, a, box);
}

async function deskPage(unit) {
  const target = unit || me.unitId;
  if (!target) return [h('h2', {}, '单位工作台'), h('p', {}, '此账号不属于某个单位，请使用督办室。')];
  const [tasks, obs, notes] = await Promise.all([
    allTasks({ unit: target }),
    rpc('ReportService/ListObligations', { unit: target, pageSize: 200 }),
    rpc('NotificationService/ListNotifications', { recipient: target, limit: 1000 })]);
  const open = (obs.obligations || []).filter((o) => o.state !== 'OBLIGATION_STATE_ACCEPTED').slice(0, 20);
  const recent = (notes.notifications || []).slice(-20).reverse();
  return [h('h2', { id: 'desk-title', 'data-unit': target }, `${unitName(target)} · 工作台`),
    h('section', { class: 'card' }, h('h3', {}, `我的任务（${tasks.length}）`),
      h('table', { class: 'wide', id: 'desk-tasks' }, h('tbody', {}, tasks.map((t) => h('tr', { 'data-task': t.id },
        h('td', {}, taskChip(t, false)), h('td', {}, h('a', { href: '#/task/' + t.id }, t.title)),
        h('td', {}, STATE[t.state] || t.state), h('td', { class: 'muted' }, '期限 ' + t.dueDate)))))),
    h('section', { class: 'card' }, h('h3', {}, `报送事项（未办结 ${open.length}）`),
      h('table', { class: 'wide' }, h('tbody', {}, open.map((o) => h('tr', {},
        h('td', {}, `${o.ruleName} ${o.periodLabel}`), h('td', {}, '截止 ' + when(o.deadline)),
        h('td', {}, OBLIGATION[o.state] || o.state,
          historyLink('记录', 'ReportService/ObligationHistory', { obligationId: o.id }, 'ob-history-' + o.id)),
        h('td', {}, ['OBLIGATION_STATE_PENDING', 'OBLIGATION_STATE_RETURNED', 'OBLIGATION_STATE_MISSED'].includes(o.state) ? submitObligationForm(o) : ''))))),
    ),
    h('section', { class: 'card' }, h('h3', {}, '通知'),
      h('ul', { id: 'notifications' }, recent.map((n) => h('li', {}, h('span', { class: 'muted' }, when(n.createdAt) + ' '), n.title)))),
  ];
}

async function evidenceLink(ref) {
  const r = await fetch('/evidence/' + ref.sha256, { credentials: 'same-origin', headers: headers() });
  if (!r.ok) {
    const d = await r.json().catch(() => ({}));
    throw new ApiError(r.status, d.code, d.message || r.status);
  }
  const blob = await r.blob();
  const url = URL.createObjectURL(blob);
  if ((ref.contentType || blob.type || '').startsWith('image/')) {
    return h('a', { href: url, target: '_blank' }, h('img', { src: url, alt: ref.fileName, 'data-sha256': ref.sha256 }));
  }
  return h('a', { href: url, download: ref.fileName }, ref.fileName);
}

function evidenceList(refs) {
  const box = h('div', { class: 'evidence' });
  for (const ref of refs || []) {
    const slot = h('span', {}, ref.fileName);
    box.append(slot);
    evidenceLink(ref).then((el) => slot.replaceChildren(el), (e) => slot.replaceChildren(errorBox(e)));
  }
  return box;
}

function reportForm(t) {
  const rows = h('div', {});
  const addRow = () => rows.append(h('div', { class: 'row indicator' },
    h('input', { placeholder: '指标', name: 'indicator' }), h('input', { placeholder: '数值', name: 'value', type: 'number', step: 'any' }),
    h('input', { placeholder: '单位', name: 'uom' })));
  addRow();
  const form = h('form', { class: 'stack', id: 'report-form' },
    h('label', {}, '工作开展情况'), h('textarea', { name: 'workDone', required: true }),
    h('label', {}, '进展及成效'), h('textarea', { name: 'progress' }),
    h('label', {}, '存在困难'), h('textarea', { name: 'difficulties' }),
    h('label', {}, '指标完成值'), rows,
    h('button', { type: 'button', class: 'act secondary', onclick: addRow }, '加一项指标'),
    h('label', {}, '佐证材料（照片、PDF、Word/Excel）'), h('input', { type: 'file', name: 'files', multiple: true, id: 'evidence-files' }),
    h('button', { class: 'primary', type: 'submit', id: 'report-submit' }, '提交报送'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const b = form.querySelector('#report-submit');
    action(b, async () => {
      const evidence = [];
      for (const f of form.files.files) evidence.push({ sha256: (await upload(f)).sha256, fileName: f.name });
      const indicatorValues = [...rows.querySelectorAll('.indicator')]
        .filter((r) => r.querySelector('[name=indicator]').value.trim())
        .map((r) => ({ indicator: r.querySelector('[name=indicator]').value.trim(),
          value: Number(r.querySelector('[name=value]').value || 0), unitOfMeasure: r.querySelector('[name=uom]').value.trim() }));
      await rpc('TaskService/ReportProgress', meta({ taskId: t.id, report: {
        workDone: form.workDone.value, progress: form.progress.value, difficulties: form.difficulties.value,
        indicatorValues, evidence } }));
    });
  });
  return form;
}

function reasonAction(label, id, fn) {
  const reason = h('input', { placeholder: '理由', name: 'reason', id: id + '-reason' });
  const b = h('button', { class: 'act', id }, label);
  b.addEventListener('click', () => action(b, () => fn(reason.value)));
  return h('div', { class: 'row' }, reason, b);
}

function taskActions(t) {
  const box = h('section', { class: 'card', id: 'task-actions' }, h('h3', {}, '办理'));
  const simple = (label, id, method, extra) => {
    const b = h('button', { class: 'act', id }, label);
    b.addEventListener('click', () => action(b, () => rpc(method, meta(Object.assign({ taskId: t.id }, extra || {})))));
    return b;
  };
  switch (t.state) {
    case 'TASK_STATE_ASSIGNED':
      box.append(simple('签收', 'accept', 'TaskService/AcceptTask'));
      break;
    case 'TASK_STATE_ACCEPTED':
    case 'TASK_STATE_IN_PROGRESS': {
      box.append(reportForm(t), simple('申请办结', 'request-completion', 'TaskService/RequestCompletion'));
      const date = h('input', { type: 'date', name: 'newDueDate', id: 'extension-date' });
      const reason = h('input', { placeholder: '延期理由', id: 'extension-reason' });
      const b = h('button', { class: 'act secondary', id: 'request-extension' }, '申请延期');
      b.addEventListener('click', () => action(b, () => rpc('TaskService/RequestExtension',
        meta({ taskId: t.id, newDueDate: date.value, reason: reason.value }))));
      box.append(h('div', { class: 'row' }, date, reason, b));
      break;
    }
    case 'TASK_STATE_COMPLETION_REQUESTED':
    case 'TASK_STATE_COMPLETION_LEADER_REVIEW':
      box.append(simple('审核通过', 'approve', 'TaskService/ReviewCompletion', { decision: 'REVIEW_DECISION_APPROVE' }),
        reasonAction('退回', 'return', (reason) => rpc('TaskService/ReviewCompletion',
          meta({ taskId: t.id, decision: 'REVIEW_DECISION_RETURN', reason }))));
      break;
    case 'TASK_STATE_EXTENSION_REQUESTED':
    case 'TASK_STATE_EXTENSION_LEADER_REVIEW':
      box.append(simple('同意延期', 'approve-extension', 'TaskService/DecideExtension', { decision: 'REVIEW_DECISION_APPROVE' }),
        reasonAction('不同意', 'deny-extension', (reason) => rpc('TaskService/DecideExtension',
          meta({ taskId: t.id, decision: 'REVIEW_DECISION_RETURN', reason }))));
      break;
    default:
      break;
  }
  if (!DONE.has(t.state)) {
    box.append(reasonAction('挂牌督办 / 提级', 'escalate', (reason) => rpc('SupervisionService/Escalate', meta({ taskId: t.id, reason }))));
  }
  return box;
}

async function taskPage(id) {
  const [t, hist] = await Promise.all([rpc('TaskService/GetTask', { taskId: id }), allEvents('TaskService/History', { taskId: id })]);
  const events = (hist.events || []).slice().reverse();
  return [h('h2', { id: 'task-title', 'data-state': t.state, 'data-version': t.version }, `${t.code} ${t.title}`),
    h('section', { class: 'card' },
      h('div', {}, taskChip(t, false), ' ', h('strong', { id: 'task-state' }, STATE[t.state] || t.state),
        t.overdue ? h('span', { class: 'chip red' }, '已逾期') : null),
      h('p', {}, t.text),
      h('div', { class: 'muted' }, `牵头单位：${(t.leadUnitIds || []).map(unitName).join('、')}　责任单位：${(t.responsibleUnitIds || []).map(unitName).join('、') || '—'}　期限：${t.dueDate}`),
      t.lastReason ? h('div', { class: 'muted', id: 'last-reason' }, '最近理由：' + t.lastReason) : null),
    taskActions(t),
    h('section', { class: 'card' }, h('h3', {}, '办理记录'),
      h('table', { class: 'wide', id: 'history' }, h('tbody', {}, events.map((e) => h('tr', {},
        h('td', { class: 'muted' }, when(e.at)), h('td', {}, unitName(e.actor)),
        h('td', {}, COMMAND[e.command] || e.command, e.reviewStep ? `（第${e.reviewStep}步）` : ''),
        h('td', {}, `${STATE[e.fromState] || ''} → ${STATE[e.toState] || ''}`),
        h('td', {}, e.reason || '', e.report && e.report.workDone ? h('div', {}, e.report.workDone) : null,
          e.report && (e.report.indicatorValues || []).length ? h('div', { class: 'muted' },
            e.report.indicatorValues.map((v) => `${v.indicator} ${v.value}${v.unitOfMeasure || ''}`).join('；')) : null,
          e.report && (e.report.evidence || []).length ? evidenceList(e.report.evidence) : null))))))];
}

function supervisionSteps(item) {
  const step = (label, act, needText) => {
    const text = h('input', { placeholder: needText ? '说明（必填）' : '说明' });
    // A rectification report carries its evidence files.
    const files = act === 'REPORT_RECTIFICATION' ? fileInput('sv-files-' + item.id) : null;
    const b = h('button', { class: 'act' }, label);
    b.addEventListener('click', () => action(b, async () => rpc('SupervisionService/Step',
      meta({ itemId: item.id, action: 'SUPERVISION_ACTION_' + act, text: text.value,
        evidence: files ? await uploadAll(files) : [] }))));
    return h('div', { class: 'row' }, text, files, b);
  };
  switch (item.state) {
    case 'SUPERVISION_STATE_LISTED': return [step('开始整改', 'START_RECTIFICATION')];
    case 'SUPERVISION_STATE_RECTIFYING': return [step('报送整改', 'REPORT_RECTIFICATION', true)];
    case 'SUPERVISION_STATE_RECTIFICATION_REPORTED': return [step('核查通过', 'VERIFY'), step('退回整改', 'RETURN', true)];
    case 'SUPERVISION_STATE_VERIFIED': return [step('销号', 'CLOSE')];
    case 'SUPERVISION_STATE_CLOSED': return item.lookbackDate ? [step('回头看通过', 'LOOKBACK_PASSED'), step('回头看重新督办', 'REOPEN', true)] : [];
    default: return [];
  }
}

async function officePage() {
  const [review, leader, ext, all, sup] = await Promise.all([
    allTasks({ state: 'TASK_STATE_COMPLETION_REQUESTED' }), allTasks({ state: 'TASK_STATE_COMPLETION_LEADER_REVIEW' }),
    allTasks({ state: 'TASK_STATE_EXTENSION_REQUESTED' }), allTasks({ overdueOnly: true }),
    allPages('SupervisionService/ListSupervision', { pageSize: 1000 }, 'items')]);
  const items = sup;
  const supervised = new Set(items.filter((i) => i.state !== 'SUPERVISION_STATE_CLOSED').map((i) => i.subjectId));
  const red = all.filter((t) => t.warningLevel === 'WARNING_LEVEL_RED' && !supervised.has(t.id)).slice(0, 30);
  const queue = [...review, ...leader, ...ext];
  const levels = [3, 2, 1].map((lv) => {
    const at = items.filter((i) => i.level === lv);
    return h('section', { class: 'card', 'data-level': lv }, h('h3', {}, h('span', { class: 'level' }, LEVEL[lv]), ` ${at.length} 项`),
      h('table', { class: 'wide' }, h('tbody', {}, at.map((i) => h('tr', { 'data-item': i.id, 'data-subject': i.subjectId },
        h('td', {}, i.id), h('td', {}, i.subjectId ? h('a', { href: '#/task/' + i.subjectId }, i.title) : i.title),
        h('td', {}, unitName(i.responsibleUnitId)), h('td', {}, SUPERVISION[i.state] || i.state, i.overdue ? '（逾期）' : ''),
        h('td', { class: 'muted' }, '期限 ' + i.deadline, i.lookbackDate ? ' · 回头看 ' + i.lookbackDate : ''),
        h('td', {}, supervisionSteps(i), historyLink('记录', 'SupervisionService/History', { itemId: i.id }, 'sv-history-' + i.id)))))));
  });
  return [h('h2', {}, '督办室'),
    h('section', { class: 'card', id: 'review-queue' }, h('h3', {}, `待审核（${queue.length}）`),
      h('table', { class: 'wide' }, h('tbody', {}, queue.map((t) => h('tr', { 'data-task': t.id },
        h('td', {}, taskChip(t, false)), h('td', {}, h('a', { href: '#/task/' + t.id }, t.title)),
        h('td', {}, STATE[t.state]), h('td', {}, (t.leadUnitIds || []).map(unitName).join('、'))))))),
    h('section', { class: 'card', id: 'red-tasks' }, h('h3', {}, `红灯未督办（${red.length}）`),
      h('table', { class: 'wide' }, h('tbody', {}, red.map((t) => h('tr', { 'data-task': t.id },
        h('td', {}, taskChip(t, false)), h('td', {}, t.title),
        h('td', {}, reasonAction('挂牌督办', 'escalate-' + t.id, (reason) => rpc('SupervisionService/Escalate', meta({ taskId: t.id, reason }))))))))),
    h('h3', {}, '督办事项（按级别）'), ...levels];
}

async function rankingsPage() {
  const rankings = await allPages('RankingService/ListRankings', { pageSize: 1000 }, 'rankings');
  const out = [h('h2', {}, '排名')];
  if (!rankings.length) out.push(h('p', {}, '尚无排名。'));
  const boards = [...new Set(rankings.map((x) => x.board))];
  for (const board of boards) {
    const of = rankings.filter((x) => x.board === board);
    const latest = of[of.length - 1];
    const entries = latest.entries || [];
    const canvas = h('canvas', { height: Math.max(160, entries.length * 22) });
    const lasts = new Map();
    for (const x of of) for (const e of x.entries || []) if (e.last) lasts.set(e.unitId, (lasts.get(e.unitId) || 0) + 1);
    const canvas2 = h('canvas', { height: 160 });
    out.push(h('section', { class: 'card ranking', 'data-board': board }, h('h3', {}, `${board} · ${latest.period}`), canvas,
      h('h3', {}, '末位次数'), canvas2));
    const hasScore = entries.some((e) => e.score);
    setTimeout(() => {
      new Chart(canvas, { type: 'bar', data: { labels: entries.map((e) => `${e.rank}. ${unitName(e.unitId)}`),
        datasets: [{ label: hasScore ? '得分' : '名次（越短越好）', data: entries.map((e) => hasScore ? e.score : e.rank),
          backgroundColor: entries.map((e) => e.last ? '#c62828' : '#1565c0') }] },
        options: { indexAxis: 'y', responsive: true, plugins: { legend: { display: false } } } });
      new Chart(canvas2, { type: 'bar', data: { labels: [...lasts.keys()].map(unitName),
        datasets: [{ label: '末位次数', data: [...lasts.values()], backgroundColor: '#c62828' }] },
        options: { responsive: true, plugins: { legend: { display: false } }, scales: { y: { ticks: { precision: 0 } } } } });
    });
  }
  return out;
}

// After the interview: what was followed up, with its evidence files.
function followUpForm(c) {
  const text = h('input', { placeholder: '跟踪落实情况（必填）', id: 'case-followup-' + c.id });
  const files = fileInput('case-files-' + c.id);
  const b = h('button', { class: 'act' }, '跟踪落实');
  b.addEventListener('click', () => action(b, async () => rpc('AccountabilityService/FollowUp',
    meta({ caseId: c.id, followUp: text.value, evidence: await uploadAll(files) }))));
  return h('div', { class: 'row' }, text, files, b);
}

async function casesPage() {
  const cases = await allPages('AccountabilityService/ListCases', { pageSize: 1000 }, 'cases');
  const detail = h('div', {});
  return [h('h2', {}, '约谈问责'),
    h('section', { class: 'card' }, cases.length ? h('table', { class: 'wide', id: 'cases' }, h('tbody', {}, cases.map((c) => {
      const idx = CASE_STEPS.findIndex(([s]) => s === c.state);
      return h('tr', { 'data-case': c.id },
        h('td', {}, h('a', { href: '#', onclick: async (ev) => {
          ev.preventDefault();
          const hist = await allEvents('AccountabilityService/CaseHistory', { caseId: c.id });
          detail.replaceChildren(h('section', { class: 'card' }, h('h3', {}, `${c.id} 办理记录`),
            h('ul', {}, (hist.events || []).map((e) => h('li', {}, `${when(e.at)} ${unitName(e.actor)} ${e.kind} ${e.text || ''}`,
              (e.evidence || []).length ? evidenceList(e.evidence) : null)))));
        } }, c.id)),
        h('td', {}, unitName(c.unitId)), h('td', {}, c.actionName), h('td', { class: 'muted' }, c.reason),
        h('td', {}, h('div', { class: 'steps' }, CASE_STEPS.map(([, label], i) => h('span', { class: i <= idx ? 'on' : '' }, label))),
          c.state === 'ACCOUNTABILITY_STATE_HELD' ? followUpForm(c) : null));
    }))) : h('p', {}, '暂无约谈问责事项。')), detail];
}

async function bulletinPage() {
  const info = await rpc('AdminService/ServerInfo', {});
  const month = (location.hash.split('/')[2]) || info.now.slice(0, 7);
  const b = await rpc('BulletinService/MonthlyBulletin', { period: month });
  const pick = h('input', { type: 'month', value: month, onchange: (ev) => { location.hash = '#/bulletin/' + ev.target.value; } });
  return [h('h2', {}, `${month} 月通报`), pick,
    h('section', { class: 'card' }, h('p', {}, `任务 ${b.tasksTotal} 项，办结 ${b.tasksCompleted}，逾期 ${b.tasksOverdue}；应报 ${b.obligationsDue} 次，按时 ${b.obligationsOnTime} 次。`)),
    h('section', { class: 'card' }, h('h3', {}, '滞后单位'),
      h('table', { class: 'wide', id: 'bulletin-units' }, h('thead', {}, h('tr', {}, ['单位', '逾期任务', '红灯', '黄灯', '漏报', '迟报', '督办'].map((x) => h('th', {}, x)))),
        h('tbody', {}, (b.units || []).map((u) => h('tr', {}, h('td', {}, u.unitName), h('td', {}, u.overdueTasks), h('td', {}, u.redTasks),
          h('td', {}, u.yellowTasks), h('td', {}, u.obligationsMissed), h('td', {}, u.submittedLate), h('td', {}, u.openSupervision))))),
      (b.leftOut && b.leftOut.units) ? h('p', { class: 'muted' }, `另有 ${b.leftOut.units} 个单位未列入本页（月通报每项最多列 500 条）。`) : null)];
}

async function filePage(sha) {
  const el = await evidenceLink({ sha256: sha, fileName: sha.slice(0, 12) });
  return [h('h2', {}, '佐证材料'), h('section', { class: 'card evidence' }, el)];
}

// ---------------------------------------------------------------- live updates

let watching = null;
function startWatch() {
  if (!me || watching) return;
  const recipient = me.unitId || me.actor;
  const ctl = new AbortController();
  watching = ctl;
  // Live from here on: skip what is already there.
  const latest = async () => {
    let after = 0;
    for (;;) {
      const page = await rpc('NotificationService/ListNotifications', { recipient, afterSeq: after, limit: 1000 });
      const ns = page.notifications || [];
      if (ns.length) after = Number(ns[ns.length - 1].seq);
      if (ns.length < 1000) return after;
    }
  };
  const run = async () => {
    let after = 0;
    try { after = await latest(); } catch (e) { /* the server refuses: no live updates */ return; }
    while (!ctl.signal.aborted) {
      try {
        const r = await fetch('/duban.v1.NotificationService/Watch?message=' + encodeURIComponent(JSON.stringify({ recipient, afterSeq: String(after) })),
          { credentials: 'same-origin', headers: headers(), signal: ctl.signal });
        if (!r.ok || !r.body) throw new Error('watch ' + r.status);
        const reader = r.body.getReader();
        const dec = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
            if (!data || block.startsWith('event:')) continue;
            const n = JSON.parse(data);
            after = Math.max(after, Number(n.seq));
            onNotification(n);
          }
        }
      } catch (e) {
        if (ctl.signal.aborted) return;
      }
      await new Promise((res) => setTimeout(res, 3000));
    }
  };
  run();
}
let refreshTimer = null;
let live = 0;
function onNotification(n) {
  live++;
  document.body.dataset.live = String(live);
  toast('通知：' + n.title);
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => { if (!document.querySelector('form:focus-within, input:focus')) route(); }, 800);
}

// ---------------------------------------------------------------- routing

let routeSeq = 0;
async function route() {
  const seq = ++routeSeq;  // only the latest navigation renders
  const main = document.getElementById('main');
  const nav = document.getElementById('nav');
  if (!me) {
    nav.hidden = true;
    document.getElementById('logout').hidden = true;
    document.getElementById('who').textContent = '';
    main.replaceChildren(loginPage());
    return;
  }
  nav.hidden = false;
  document.getElementById('logout').hidden = false;
  document.getElementById('who').textContent = me.name || me.actor;
  const parts = (location.hash || '#/desk').slice(2).split('/');
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.getAttribute('href') === '#/' + parts[0]);
  try {
    await loadUnits();
    let view;
    switch (parts[0]) {
      case 'map': view = await mapPage(); break;
      case 'deadlines': view = await deadlinesPage(); break;
      case 'desk': view = await deskPage(parts[1] ? decodeURIComponent(parts[1]) : ''); break;
      case 'task': view = await taskPage(decodeURIComponent(parts[1] || '')); break;
      case 'office': view = await officePage(); break;
      case 'rankings': view = await rankingsPage(); break;
      case 'cases': view = await casesPage(); break;
      case 'bulletin': view = await bulletinPage(); break;
      case 'file': view = await filePage(parts[1] || ''); break;
      default: view = await deskPage('');
    }
    if (seq !== routeSeq) return;
    main.replaceChildren(...[].concat(view).flat(Infinity));
  } catch (e) {
    if (seq !== routeSeq) return;
    main.replaceChildren(errorBox(e));
  }
  main.dataset.route = parts.join('/');
}

window.addEventListener('hashchange', route);
document.getElementById('logout').addEventListener('click', async () => {
  await rpc('AuthService/Logout', {}).catch(() => {});   // revokes the session in duband
  await fetch('/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => {});
  session.clear();
  me = null;
  if (watching) { watching.abort(); watching = null; }
  location.hash = '';
  route();
});
document.getElementById('menu-toggle').addEventListener('click', () => document.getElementById('nav').classList.toggle('collapsed'));
if (window.matchMedia('(max-width: 640px)').matches) document.getElementById('nav').classList.add('collapsed');
startWatch();
route();
