// leaks.js: what the dashboards and the leak page share about leak records (issue 9's
// GET/PATCH /api/v1/leaks...): the status badge, the resolve / ignore / reopen buttons.
import { api } from './api.js';
import { el } from './dom.js';

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

// Buttons that change the leak's status; onChange(leak) gets the server's answer.
export function statusActions(leak, onChange) {
  const act = (status, label) => el('button', { type: 'button', class: 'small', dataset: { action: status },
    'aria-label': `${label}: ${leak.title}`,
    onclick: async (ev) => {
      ev.currentTarget.disabled = true;
      const answer = await api(`/leaks/${leak.id}`, { method: 'PATCH', json: { status } });
      onChange(answer?.leak || answer || { ...leak, status });
    } }, label);
  const chosen = leak.user_status || (leak.status === 'ignored' || leak.status === 'resolved' ? leak.status : null);
  return el('span', { class: 'actions' }, chosen ? act('open', 'Reopen')
    : [act('resolved', 'Resolve'), act('ignored', 'Ignore')]);
}
