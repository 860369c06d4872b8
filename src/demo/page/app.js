/*
 * The demo chat page: shows one demo person's private chat with the bot, sends what they type or
 * press, and follows the bot live over server-sent events. Every string from the bot reaches the
 * page through textContent or tmbotRender (DOM nodes from an allowlist), never through innerHTML.
 */
'use strict';

const params = new URLSearchParams(location.search);
const token = params.get('token') || '';
// The cookie set with the page carries the token from here on; keep it out of the address bar.
if (params.has('token')) history.replaceState(null, '', '/');

const $ = (id) => document.getElementById(id);
const state = { people: [], person: 'admin', messages: new Map(), replyTo: undefined };

async function api(path, body) {
  const res = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-demo-token': token, ...(body && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

function currentPerson() {
  return state.people.find((p) => p.key === state.person);
}

function showToast(text) {
  const toast = $('toast');
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(showToast.timer);
  // The browser page's own timers: this file runs in the chat page, not in the daemon (no Clock there).
  showToast.timer = setTimeout(() => (toast.hidden = true), 3000);
}

function showAlert(text) {
  $('alert-text').textContent = text;
  $('alert').hidden = false;
  $('alert-ok').focus();
}

function inlineKeyboard(message) {
  const box = document.createElement('div');
  box.className = 'inline-kb';
  for (const row of message.markup.rows) {
    const line = document.createElement('div');
    line.className = 'row';
    for (const b of row) {
      const href = b.url ? window.tmbotRender.safeHref(b.url) : undefined;
      const el = document.createElement(href ? 'a' : 'button');
      el.textContent = b.text;
      if (href) {
        el.href = href;
        el.rel = 'noopener noreferrer';
        el.target = '_blank';
      } else {
        el.type = 'button';
        el.addEventListener('click', () => press(message.id, b.data));
      }
      line.appendChild(el);
    }
    box.appendChild(line);
  }
  return box;
}

function messageNode(m) {
  const li = document.createElement('li');
  li.className = `msg ${m.from}`;
  li.dataset.id = String(m.id);
  if (m.photo) {
    const img = document.createElement('img');
    img.src = `/api/file?id=${encodeURIComponent(m.photo.fileId)}`;
    img.alt = 'photo from the bot';
    img.width = m.photo.width || 320;
    img.height = m.photo.height || 200;
    li.appendChild(img);
  }
  if (m.document) {
    const a = document.createElement('a');
    a.className = 'doc';
    a.href = `/api/file?id=${encodeURIComponent(m.document.fileId)}`;
    a.download = m.document.name;
    a.textContent = `📄 ${m.document.name} (${m.document.size} bytes)`;
    li.appendChild(a);
  }
  if (m.text !== undefined) {
    const body = document.createElement('div');
    body.className = 'text';
    body.appendChild(window.tmbotRender.renderEntities(m.text, m.entities));
    li.appendChild(body);
  }
  if (m.markup && m.markup.kind === 'inline') li.appendChild(inlineKeyboard(m));
  if (m.edited) {
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = 'edited';
    li.appendChild(meta);
  }
  return li;
}

/** The last reply keyboard, removal or ForceReply the bot sent decides what is under the input. */
function renderKeyboard() {
  const box = $('reply-keyboard');
  box.replaceChildren();
  state.replyTo = undefined;
  $('reply-to').hidden = true;
  const sent = [...state.messages.values()].filter(
    (m) => m.from === 'bot' && m.markup && m.markup.kind !== 'inline',
  );
  const last = sent[sent.length - 1];
  if (!last) return;
  if (last.markup.kind === 'force_reply' && !last.deleted) {
    state.replyTo = last.id;
    $('reply-to').textContent = `Replying to the bot's message: ${(last.text || '').slice(0, 80)}`;
    $('reply-to').hidden = false;
    $('text').focus();
  }
  if (last.markup.kind !== 'reply') return;
  for (const row of last.markup.rows) {
    const line = document.createElement('div');
    line.className = 'row';
    for (const label of row) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      b.addEventListener('click', () => send(label));
      line.appendChild(b);
    }
    box.appendChild(line);
  }
}

function render() {
  const list = $('messages');
  list.replaceChildren();
  for (const m of state.messages.values()) if (!m.deleted) list.appendChild(messageNode(m));
  $('start').hidden = state.messages.size > 0;
  renderKeyboard();
  list.scrollTop = list.scrollHeight;
  const p = currentPerson();
  if (p) $('who').textContent = `you are ${p.name}, ${p.role}`;
}

async function loadChat() {
  const chat = await api(`/api/chat?person=${encodeURIComponent(state.person)}`);
  state.messages = new Map(chat.messages.map((m) => [m.id, m]));
  render();
  document.body.dataset.person = chat.person;
}

async function send(text) {
  const body = { person: state.person, text };
  if (state.replyTo !== undefined) body.replyTo = state.replyTo;
  await api('/api/send', body);
}

async function press(messageId, data) {
  try {
    await api('/api/press', { person: state.person, messageId, data });
  } catch {
    showToast('That button is no longer there.');
  }
}

function onLive(event) {
  const e = JSON.parse(event.data);
  const p = currentPerson();
  if (!p || e.chat !== p.id) return;
  if (e.kind === 'message') state.messages.set(e.message.id, e.message);
  else if (e.kind === 'delete') state.messages.delete(e.id);
  else if (e.kind === 'answer') {
    if (e.text && e.alert) showAlert(e.text);
    else if (e.text) showToast(e.text);
    return;
  }
  render();
}

async function refreshCode() {
  try {
    const c = await api('/api/code');
    $('code').textContent = c.code;
    $('code-left').textContent = `changes in ${c.secondsLeft} s`;
    // Browser-side refresh of the shown code (page code, outside the daemon's Clock).
    setTimeout(refreshCode, Math.max(1, c.secondsLeft) * 1000);
  } catch {
    $('code').textContent = '------';
  }
}

function peoplePicker() {
  const box = $('people');
  for (const p of state.people) {
    const label = document.createElement('label');
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'person';
    input.value = p.key;
    input.checked = p.key === state.person;
    input.addEventListener('change', () => {
      state.person = p.key;
      delete document.body.dataset.person;
      void loadChat();
    });
    const role = document.createElement('span');
    role.className = 'role';
    role.textContent = p.role;
    label.append(input, ` ${p.name}`, role);
    box.appendChild(label);
  }
}

async function main() {
  const info = await api('/api/people');
  state.people = info.people;
  $('bot-name').textContent = info.bot;
  peoplePicker();
  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('text').value;
    if (text.trim() === '') return;
    $('text').value = '';
    void send(text);
  });
  $('start-button').addEventListener('click', () => void send('/start'));
  $('alert-ok').addEventListener('click', () => ($('alert').hidden = true));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') $('alert').hidden = true;
  });
  const live = new EventSource('/api/events');
  live.addEventListener('message', onLive);
  // Follow first, then read: nothing the bot sends in between is missed.
  await new Promise((resolve) => live.addEventListener('open', resolve, { once: true }));
  await loadChat();
  void refreshCode();
  document.body.dataset.ready = 'true';
}

void main();
