// upload.js: /upload — pick an app (or type a new name), drop or choose a file, optional
// labels; the upload goes by XMLHttpRequest so its progress shows as percent, bytes, speed
// and time left, with cancel; then the analysis is followed live and its report opens.
import { api, csrfToken } from './api.js';
import { el, mount, bytes, notice } from './dom.js';
import { followAnalysis, failureNotice } from './progress.js';

const LABELS = [
  ['version', 'Version', '1.4.2'],
  ['branch', 'Branch', 'main'],
  ['commit', 'Commit', 'a1b2c3d'],
  ['host', 'Host', 'web-3'],
  ['environment', 'Environment', 'production'],
];
const ACCEPT = '.heapsnapshot,.gz,.zst,.xz,.bz2,.lz4,.zip,.tar,.tgz,.7z';

function field(id, label, input, help) {
  return el('div', { class: 'field' }, el('label', { for: id }, label), input,
    help ? el('p', { id: `${id}-help`, class: 'help' }, help) : null);
}

function fileDrop(state, onPick) {
  const input = el('input', { type: 'file', id: 'file', accept: ACCEPT, class: 'visually-hidden' });
  const name = el('p', { id: 'file-name', class: 'muted' }, 'No file chosen');
  const zone = el('div', { class: 'drop', id: 'drop' },
    input,
    el('label', { for: 'file', class: 'drop-label' },
      el('strong', {}, 'Drop a heap snapshot here'), ' or ', el('span', { class: 'linkish' }, 'choose a file'),
      el('span', { class: 'help block' }, '.heapsnapshot, or gzip, zstd, xz, bzip2, lz4 of one, or a zip/tar holding one')),
    name);
  const pick = (file) => {
    state.file = file;
    name.textContent = file ? `${file.name} (${bytes(file.size)})` : 'No file chosen';
    onPick();
  };
  input.addEventListener('change', () => pick(input.files[0] || null));
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer.files.length) pick(e.dataTransfer.files[0]);
  });
  return zone;
}

function progressText(loaded, total, started) {
  const seconds = (performance.now() - started) / 1000;
  const speed = seconds > 0 ? loaded / seconds : 0;
  const left = speed > 0 ? (total - loaded) / speed : Infinity;
  const pct = total ? Math.floor((100 * loaded) / total) : 0;
  const eta = Number.isFinite(left) ? (left < 60 ? `${Math.ceil(left)} s left` : `${Math.ceil(left / 60)} min left`)
    : 'estimating…';
  return { pct, text: `${pct}% · ${bytes(loaded)} of ${bytes(total)} · ${bytes(speed)}/s · ${eta}` };
}

// Sends the form; resolves with the server's answer, rejects with an Error ('cancelled' on abort).
function send(app, form, box, cancelButton) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const bar = box.querySelector('progress');
    const label = box.querySelector('#upload-text');
    const started = performance.now();
    xhr.upload.addEventListener('progress', (e) => {
      if (!e.lengthComputable) return;
      const p = progressText(e.loaded, e.total, started);
      bar.value = p.pct;
      box.dataset.percent = String(p.pct);
      label.textContent = p.text;
    });
    xhr.addEventListener('load', () => {
      let doc = null;
      try { doc = JSON.parse(xhr.responseText); } catch { doc = null; }
      if (xhr.status === 200 || xhr.status === 202) resolve(doc);
      else reject(new Error(doc?.error?.message || `the server answered ${xhr.status}`));
    });
    xhr.addEventListener('error', () => reject(new Error('the connection failed')));
    xhr.addEventListener('abort', () => reject(new Error('cancelled')));
    cancelButton.onclick = () => xhr.abort();
    xhr.open('POST', `/api/v1/apps/${encodeURIComponent(app)}/snapshots`);
    if (csrfToken()) xhr.setRequestHeader('X-CSRF-Token', csrfToken());
    xhr.send(form);
  });
}

function buildForm(state, apps) {
  const appInput = el('input', { id: 'app', name: 'app', list: 'app-list', required: true, autocomplete: 'off',
    pattern: '[A-Za-z0-9._\\-]{1,100}', 'aria-describedby': 'app-help', value: state.app || '' });
  const submit = el('button', { type: 'submit', class: 'primary', id: 'upload-button', disabled: true }, 'Upload');
  const ready = () => { submit.disabled = !state.file; };
  const labels = LABELS.map(([name, label, example]) => field(`label-${name}`, label,
    el('input', { id: `label-${name}`, name, placeholder: example, maxlength: 200, autocomplete: 'off' })));
  return el('form', { id: 'upload-form', class: 'card' },
    field('app', 'App', appInput, 'Pick one of your apps or type a new name (letters, digits, ".", "_", "-").'),
    el('datalist', { id: 'app-list' }, apps.map((a) => el('option', { value: a.name }))),
    fileDrop(state, ready),
    el('fieldset', {}, el('legend', {}, 'Labels (optional)'), el('div', { class: 'label-grid' }, labels)),
    el('div', { class: 'actions' }, submit));
}

async function submitUpload(form, state, status) {
  const app = form.querySelector('#app').value.trim();
  const data = new FormData();
  for (const [name] of LABELS) {
    const v = form.querySelector(`#label-${name}`).value.trim();
    if (v) data.append(name, v);
  }
  data.append('snapshot', state.file, state.file.name);
  const cancel = el('button', { type: 'button', id: 'cancel' }, 'Cancel');
  const box = el('section', { id: 'upload-progress', 'aria-live': 'polite' },
    el('h2', {}, `Uploading ${state.file.name} to ${app}`),
    el('progress', { max: 100, value: 0, 'aria-label': 'Upload progress' }),
    el('p', { id: 'upload-text' }, 'Starting…'), cancel);
  form.querySelector('fieldset').disabled = true;
  form.querySelector('#upload-button').disabled = true;
  mount(status, box);
  try {
    const answer = await send(app, data, box, cancel);
    const analysis = el('section', { id: 'analysis-progress', 'aria-live': 'polite' });
    mount(status, analysis);
    const a = await followAnalysis(analysis, answer.analysis_id);
    if (a.state === 'done') { location.assign(`/reports/${a.id}`); return; }
    mount(status, failureNotice(a));
  } catch (e) {
    mount(status, notice(e.message === 'cancelled' ? 'Upload cancelled: nothing was stored.'
      : `The upload failed: ${e.message}`, e.message === 'cancelled' ? 'info' : 'error'));
  }
  form.querySelector('fieldset').disabled = false;
  form.querySelector('#upload-button').disabled = !state.file;
}

export async function render(main, _params) {
  document.title = 'Upload · leaktriage';
  const state = { file: null, app: new URLSearchParams(location.search).get('app') };
  const apps = (await api('/apps')).apps || [];
  const form = buildForm(state, apps);
  const status = el('div', { id: 'upload-status' });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (state.file && form.reportValidity()) submitUpload(form, state, status);
  });
  mount(main, el('h1', {}, 'Upload a heap snapshot'), form, status);
}
