// progress.js: an analysis followed live (GET /api/v1/analyses/{id}, polled): its phase in
// words and its percent, until it is done (then onDone) or failed (then its error).
import { api } from './api.js';
import { el, mount, notice } from './dom.js';

const phases = {
  reading: 'Reading the snapshot',
  dominators: 'Computing dominators and retained sizes',
  findings: 'Looking for leaks',
  storing: 'Saving the report',
};
const POLL_MS = 300;

// Renders into box and resolves with the final analysis (state done or failed).
export async function followAnalysis(box, id) {
  const bar = el('progress', { max: 100, value: 0, id: 'analysis-bar', 'aria-labelledby': 'analysis-label' });
  const label = el('p', { id: 'analysis-label' }, 'Waiting for a worker…');
  mount(box, el('h2', {}, 'Analysing'), bar, label);
  for (;;) {
    const a = await api(`/analyses/${id}`);
    if (a.state === 'done' || a.state === 'failed') {
      bar.value = a.state === 'done' ? 100 : bar.value;
      return a;
    }
    bar.value = a.percent || 0;
    box.dataset.percent = String(Math.round(a.percent || 0));
    label.textContent = a.state === 'queued' ? 'Queued: waiting for a worker…'
      : `${phases[a.phase] || 'Working'}… ${Math.round(a.percent || 0)}%`;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

// The message for a failed analysis: a file that is not a snapshot says so plainly.
export function failureNotice(a) {
  const why = a.error || 'the analysis failed';
  const bad = /snapshot|json|archive|format|expected|gzip|truncated|not a/i.test(why);
  return notice(bad ? `This file is not a V8 heap snapshot leaktriage can read: ${why}`
    : `The analysis failed: ${why}`, 'error');
}
