// Officers' work queue, citizens' tracking and the filing form, on the permits API
// (/api/permits/...; over HTTP only). Each page embeds the API's URLs (#permits-urls).

import './styles.css';
import { loadEmbeddedCatalog, gettext, interpolate, currentLanguage } from './lib/i18n.js';
import { setLocale, formatDate } from './lib/format.js';
import { h, clear, fetchJSON, postJSON } from './lib/dom.js';
import './lib/msgids.js';

export const DRAFT_KEY = 'gisapp.applicationDraft';
const noop = (s) => s;
// permits.workflow.State labels (the list API gives the code only)
const STATE_LABELS = {
  draft: noop('ciornă'),
  submitted: noop('depusă'),
  registered: noop('înregistrată'),
  in_review: noop('în analiză'),
  completion_requested: noop('completare solicitată'),
  issued: noop('act emis'),
  rejected: noop('respinsă'),
  withdrawn: noop('retrasă'),
};

export function boot() {
  loadEmbeddedCatalog();
  setLocale(currentLanguage());
  return JSON.parse(document.getElementById('permits-urls').textContent);
}

export function errorText(data) {
  if (!data) return gettext('Eroare.');
  if (typeof data === 'string') return data;
  if (data.detail) return data.detail;
  return Object.entries(data)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(' ') : typeof v === 'object' ? JSON.stringify(v) : v}`)
    .join('; ');
}

/** Days from `today` (YYYY-MM-DD) to `due`: negative when overdue, null without a deadline. */
export function daysUntil(due, today) {
  if (!due) return null;
  return Math.round((Date.parse(`${due}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86400000);
}

export const DUE_SOON_DAYS = 3;

/** 'overdue' | 'due-soon' | '' for an open application (closed ones have no urgency). */
export function urgency(application, today) {
  const open = !['draft', 'issued', 'rejected', 'withdrawn'].includes(application.state);
  const days = daysUntil(application.due_date, today);
  if (!open || days === null) return '';
  if (days < 0) return 'overdue';
  if (days <= DUE_SOON_DAYS) return 'due-soon';
  return '';
}

function todayInRomania() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Bucharest' }).format(new Date());
}

/** The next page of a paginated API answer, as a same-origin path (the API's absolute
 * URL may name the upstream's scheme or host behind a proxy). */
export function nextPage(data, base = globalThis.location?.href) {
  if (!data || Array.isArray(data) || !data.next) return null;
  const url = new URL(data.next, base);
  return `${url.pathname}${url.search}`;
}

function queueRow(a, urls, today) {
  const level = urgency(a, today);
  const days = daysUntil(a.due_date, today);
  const label = a.registration_number || gettext('neînregistrată');
  return h(
    'tr',
    { dataset: { state: a.state, id: a.id }, class: level || null },
    h(
      'td',
      {},
      urls.detail ? h('a', { href: `${urls.detail}${a.id}/` }, label) : label,
      a.registration_date ? h('span', { class: 'muted' }, ` / ${a.registration_date}`) : null,
    ),
    h('td', {}, a.kind_name || a.kind),
    h(
      'td',
      {},
      a.state_label || (STATE_LABELS[a.state] ? gettext(STATE_LABELS[a.state]) : a.state),
      a.needs_reanalysis ? h('strong', {}, ` · ${gettext('de reanalizat')}`) : null,
    ),
    h(
      'td',
      {},
      a.due_date ? formatDate(a.due_date) : '–',
      level === 'overdue'
        ? h('strong', { class: 'badge overdue' }, ` ${interpolate(gettext('depășit cu %(n)s zile'), { n: -days })}`)
        : null,
      level === 'due-soon'
        ? h('strong', { class: 'badge due-soon' }, ` ${interpolate(gettext('mai sunt %(n)s zile'), { n: days })}`)
        : null,
    ),
    h(
      'td',
      {},
      (a.cadastral_numbers || []).map((nr, i) => [
        i ? ', ' : '',
        h('a', { href: `${urls.map}?q=${encodeURIComponent((a.parcels || [])[i] || nr)}` }, nr),
      ]),
    ),
  );
}

export async function renderQueue(urls, filters, box) {
  clear(box).append(h('p', {}, gettext('Se încarcă…')));
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v)).toString();
  let data;
  try {
    data = await fetchJSON(`${urls.applications}${query ? `?${query}` : ''}`);
  } catch (error) {
    clear(box).append(h('p', { class: 'error' }, error.detail || gettext('Lista nu a putut fi încărcată.')));
    return;
  }
  const items = Array.isArray(data) ? data : data.results || [];
  clear(box);
  if (!items.length) {
    box.append(h('p', {}, gettext('Nicio cerere.')));
    return;
  }
  const today = todayInRomania();
  // the API gives the queue deadline first, a page at a time
  const rows = h('tbody', {}, items.map((a) => queueRow(a, urls, today)));
  box.append(
    h(
      'table',
      { class: 'queue' },
      h('caption', { class: 'visually-hidden' }, gettext('Cereri')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [gettext('Nr. înregistrare'), gettext('Tip'), gettext('Stare'), gettext('Termen'), gettext('Imobile')].map(
            (t) => h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      rows,
    ),
  );
  let next = nextPage(data);
  if (!next) return;
  const more = h('button', { type: 'button', class: 'more', dataset: { testid: 'queue-more' } }, gettext('Mai multe cereri'));
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const page = await fetchJSON(next);
      rows.append(...(page.results || []).map((a) => queueRow(a, urls, today)));
      next = nextPage(page);
    } catch (error) {
      more.after(h('p', { class: 'error' }, error.detail || gettext('Lista nu a putut fi încărcată.')));
    }
    more.disabled = false;
    if (!next) more.remove();
  });
  box.append(more);
}

export async function track(urls, number, key, box) {
  const body = { registration_number: number, access_key: key };
  const response = await postJSON(urls.track, body);
  const data = await response.json().catch(() => null);
  if (response.status === 404 && urls.register_track) {
    // not an online application: perhaps a paper request from the front desk
    const paper = await postJSON(urls.register_track, body);
    if (paper.ok) {
      clear(box);
      box.append(registeredRequest(await paper.json()));
      box.append(await archivedActs(urls, number, key));
      return;
    }
  }
  clear(box);
  if (!response.ok) {
    box.append(h('p', { class: 'error', role: 'alert' }, errorText(data)));
    return;
  }
  box.append(
    h('h2', {}, `${data.kind_name} – ${data.registration_number || ''}`),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, gettext('Stare')),
      h('dd', { dataset: { field: 'state' } }, data.state_label),
      h('dt', {}, gettext('Termen')),
      h('dd', {}, data.due_date || '–'),
    ),
    Array.isArray(data.events) && data.events.length
      ? h(
          'ol',
          { class: 'history' },
          data.events.map((e) => h('li', {}, `${e.at ? e.at.slice(0, 16).replace('T', ' ') : ''} – ${e.action_label}${e.state_label ? ` (${e.state_label})` : ''}`)),
        )
      : null,
    data.act && data.state === 'issued' && urls.applications ? actDownload(urls, data, key) : null,
  );
  box.append(await archivedActs(urls, number, key));
}

/** A paper request's line in the register book, as its sender may see it. */
export function registeredRequest(data) {
  return h(
    'div',
    { dataset: { testid: 'track-register' } },
    h('h2', {}, `${data.kind_name || gettext('Cerere')} – ${data.registration_number}`),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, gettext('Stare')),
      h('dd', { dataset: { field: 'state' } }, data.status_label),
      h('dt', {}, gettext('Înregistrată la')),
      h('dd', {}, data.registered_at ? formatDate(data.registered_at) : '–'),
      h('dt', {}, gettext('Termen')),
      h('dd', {}, data.due_date || '–'),
    ),
    data.answers && data.answers.length
      ? h(
          'ul',
          { class: 'history' },
          data.answers.map((a) => h('li', {}, `${gettext('Răspuns')} ${a.registration_number} – ${formatDate(a.date)}`)),
        )
      : null,
  );
}

/** The archived acts answering the request (none is not an error). */
async function archivedActs(urls, number, key) {
  const box = h('div', { dataset: { testid: 'track-archive' } });
  if (!urls.archive_track) return box;
  const response = await postJSON(urls.archive_track, { registration_number: number, access_key: key });
  if (!response.ok) return box;
  const { results } = await response.json();
  if (!results.length) return box;
  box.append(
    h('h3', {}, gettext('Acte emise (arhivă)')),
    h(
      'ul',
      {},
      results.map((act) => h('li', {}, archivedActDownload(urls, act, number, key))),
    ),
  );
  return box;
}

/** An archived act's searchable PDF: number and key travel in headers, never in a URL. */
function archivedActDownload(urls, act, number, key) {
  const status = h('span', { role: 'status', class: 'muted' });
  const button = h('button', { type: 'button', dataset: { testid: 'track-archived-act' } }, `${act.label} (PDF)`);
  button.addEventListener('click', async () => {
    status.textContent = '';
    const response = await fetch(`${urls.archive_acts}${act.id}/pdf/`, {
      headers: { 'X-Registration-Number': number, 'X-Access-Key': key },
    });
    if (!response.ok) {
      status.textContent = gettext('Actul nu poate fi descărcat acum.');
      return;
    }
    const link = h('a', { href: URL.createObjectURL(await response.blob()), download: `${act.label.replace(/[^0-9A-Za-z.-]+/g, '-')}.pdf` });
    document.body.append(link);
    link.click();
    link.remove();
  });
  return h('span', {}, button, ' ', status);
}

/** The issued act (its dossier PDF) for the applicant: the access key travels in a header,
 * never in a URL, so the file is fetched here and handed to the browser as a download. */
function actDownload(urls, data, key) {
  const status = h('span', { role: 'status', class: 'muted' });
  const button = h('button', { type: 'button', dataset: { testid: 'track-act' } }, `${gettext('Descarcă actul emis (PDF)')} – ${data.act.number}`);
  button.addEventListener('click', async () => {
    status.textContent = '';
    const response = await fetch(`${urls.applications}${data.id}/dossier/`, { headers: { 'X-Access-Key': key } });
    if (!response.ok) {
      status.textContent = gettext('Actul nu poate fi descărcat acum.');
      return;
    }
    const link = h('a', { href: URL.createObjectURL(await response.blob()), download: `${data.act.number.replace(/\//g, '-')}.pdf` });
    document.body.append(link);
    link.click();
    link.remove();
  });
  return h('p', {}, button, ' ', status);
}

export function readDraft(storage = window.sessionStorage) {
  try {
    return JSON.parse(storage.getItem(DRAFT_KEY) || 'null');
  } catch {
    return null;
  }
}

/** The permits API's draft payload from the map's draft and the form's fields. */
export function applicationPayload(draft, form) {
  const payload = {
    kind: form.kind,
    description: form.description || '',
    applicant: { kind: 'pf', name: form.name, email: form.email || '', phone: form.phone || '' },
    parcels: draft ? draft.parcels : [],
    crs: draft ? draft.crs : 'EPSG:3844',
  };
  if (draft && draft.footprint) payload.footprint = draft.footprint;
  if (draft && draft.access_point) payload.access_point = draft.access_point;
  return payload;
}

export function start(page) {
  const urls = boot();
  if (page === 'queue') {
    const box = document.getElementById('queue');
    const filterForm = document.getElementById('queue-filter');
    const filters = () => Object.fromEntries(new FormData(filterForm).entries());
    filterForm.addEventListener('submit', (event) => {
      event.preventDefault();
      renderQueue(urls, filters(), box);
    });
    fetchJSON(urls.kinds)
      .then((kinds) => {
        const select = document.getElementById('queue-kind');
        for (const k of Array.isArray(kinds) ? kinds : kinds.results || []) select.append(h('option', { value: k.code }, k.name));
      })
      .catch(() => {});
    renderQueue(urls, filters(), box);
  } else if (page === 'track') {
    document.getElementById('track-form').addEventListener('submit', (event) => {
      event.preventDefault();
      track(
        urls,
        document.getElementById('track-number').value.trim(),
        document.getElementById('track-key').value.trim(),
        document.getElementById('track-result'),
      );
    });
  }
}
