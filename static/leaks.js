// leaks.js: what the dashboards and the leak page share about leak records (issue 9's
// GET/PATCH /api/v1/leaks...): the status badge, the resolve / ignore / reopen buttons.
import { api } from './api.js';
import { el, append } from './dom.js';

const KIND_WORDS = {
  recursive_chain: 'Recursive async chain',
  closure_chain: 'Closure chain',
  retainer_cluster: 'Objects held the same way',
  detached_dom: 'Detached DOM',
  large_retainer: 'Large retainer',
  leaked_since_baseline: 'Leaked since baseline',
};
export const kindWords = (k) => KIND_WORDS[k] || k;

export const STATUSES = ['new', 'recurring', 'regressed', 'resolved', 'ignored'];
export const KINDS = ['recursive_chain', 'closure_chain', 'retainer_cluster', 'detached_dom', 'leaked_since_baseline'];

export function statusBadge(status) {
  return el('span', { class: `status ${status}` }, status);
}

// Buttons that change the leak's status (PATCH /api/v1/leaks/{id}): Reopen clears a
// user's choice (leak.choice); otherwise Resolve (unless it is resolved already) and Ignore.
// onChange(leak) gets the server's answer; a failure shows next to the buttons.
export function statusActions(leak, onChange) {
  const box = el('span', { class: 'actions' });
  const act = (status, label) => el('button', { type: 'button', class: 'small', dataset: { action: status },
    'aria-label': `${label}: ${leak.title}`,
    onclick: async (ev) => {
      const button = ev.currentTarget;
      button.disabled = true;
      try {
        onChange((await api(`/leaks/${leak.id}`, { method: 'PATCH', json: { status } })).leak);
      } catch (e) {
        button.disabled = false;
        box.append(el('span', { class: 'error small', role: 'alert' }, ` ${e.message}`));
      }
    } }, label);
  if (leak.choice) return append(box, [act('open', 'Reopen')]);
  return append(box, [leak.status === 'resolved' ? null : act('resolved', 'Resolve'), act('ignored', 'Ignore')]);
}
