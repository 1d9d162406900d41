// main.js: the page shell's script — asks who is signed in (GET /api/v1/session), shows
// the sign-in form when nobody is, and otherwise hands the page to the view of its path:
// / and /apps/{app} (dashboards), /upload, /reports/{id}, /leaks/{id}.
import { api, setCsrf, ApiError } from './api.js';
import { el, mount, notice } from './dom.js';

const views = [
  [/^\/$/, () => import('./dashboard.js'), () => ({ app: null })],
  [/^\/apps\/([^/]+)$/, () => import('./dashboard.js'), (m) => ({ app: decodeURIComponent(m[1]) })],
  [/^\/upload$/, () => import('./upload.js'), () => ({})],
  [/^\/reports\/(\d+)$/, () => import('./report.js'), (m) => ({ id: m[1] })],
  [/^\/leaks\/(\d+)$/, () => import('./leak.js'), (m) => ({ id: m[1] })],
];

const main = document.getElementById('main');

function markCurrentNav() {
  for (const a of document.querySelectorAll('header nav a')) {
    const here = a.getAttribute('href') === location.pathname;
    if (here) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
}

function showWho(who) {
  const box = document.getElementById('who');
  if (!who) { mount(box); return; }
  const out = el('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out');
  mount(box, el('span', { class: 'muted' }, 'Signed in as '), el('strong', {}, who.customer), ' ', out);
}

async function signOut() {
  try { await api('/session', { method: 'DELETE' }); } catch { /* the session is gone either way */ }
  setCsrf(null);
  showWho(null);
  showSignIn();
}

function showSignIn(message) {
  document.title = 'Sign in · leaktriage';
  const error = el('div', { id: 'signin-error', role: 'alert', class: 'alert-slot' });
  const input = el('input', { id: 'api-key', name: 'key', type: 'password', autocomplete: 'off', required: true,
    spellcheck: 'false', 'aria-describedby': 'api-key-help' });
  const form = el('form', { class: 'card narrow', id: 'signin' },
    el('h1', {}, 'Sign in'),
    el('div', { class: 'field' }, el('label', { for: 'api-key' }, 'API key'), input,
      el('p', { id: 'api-key-help', class: 'help' },
        'Paste a key from ', el('code', {}, 'leaktriage admin create-key'),
        '. It is sent once to open a session and is not kept by this page.')),
    el('button', { type: 'submit', class: 'primary' }, 'Sign in'), error);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    mount(error);
    try {
      await api('/session', { method: 'POST', json: { key: input.value.trim() } });
      input.value = '';
      start();
    } catch (e) {
      const text = e instanceof ApiError && e.status === 401 ? 'That API key is unknown or revoked.' : e.message;
      mount(error, notice(text, 'error'));
      input.focus();
    }
  });
  mount(main, form, message ? notice(message) : null);
  input.focus();
}

async function route() {
  markCurrentNav();
  for (const [re, load, params] of views) {
    const m = location.pathname.match(re);
    if (!m) continue;
    const view = await load();
    await view.render(main, params(m));
    return;
  }
  mount(main, el('h1', {}, 'Page not found'), el('p', {}, el('a', { href: '/' }, 'All apps')));
}

async function start() {
  let who;
  try {
    who = await api('/session');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { showWho(null); showSignIn(); return; }
    mount(main, notice(`The server did not answer: ${e.message}`, 'error'));
    return;
  }
  setCsrf(who.csrf_token);
  showWho(who);
  try {
    await route();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { showSignIn('Your session ended: sign in again.'); return; }
    mount(main, notice(e.message, 'error'));
  }
}

start();
