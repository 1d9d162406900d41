// api.js: the pages' only way to the server — the public JSON API under /api/v1, with the
// session cookie (sent by the browser) and, on requests that change data, the session's
// CSRF token in X-CSRF-Token. The API key is never kept by the pages.

let csrf = null;

export function setCsrf(token) { csrf = token || null; }
export function csrfToken() { return csrf; }

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(path, { method = 'GET', json } = {}) {
  const headers = { Accept: 'application/json' };
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const r = await fetch(`/api/v1${path}`, { method, headers, body, credentials: 'same-origin' });
  const text = await r.text();
  let doc = null;
  try { doc = text ? JSON.parse(text) : null; } catch { doc = null; }
  if (!r.ok) {
    throw new ApiError(r.status, doc?.error?.code || `http_${r.status}`, doc?.error?.message || `HTTP ${r.status}`);
  }
  return doc;
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
