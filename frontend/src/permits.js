// Officers' work queue, citizens' tracking and the filing form, on the permits API
// (/api/permits/...; over HTTP only). Each page embeds the API's URLs (#permits-urls).

import './styles.css';
import { loadEmbeddedCatalog, gettext, interpolate, currentLanguage } from './lib/i18n.js';
import { setLocale } from './lib/format.js';
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

export async function renderQueue(urls, state, box) {
  clear(box).append(h('p', {}, gettext('Se încarcă…')));
  let data;
  try {
    data = await fetchJSON(`${urls.applications}${state ? `?state=${encodeURIComponent(state)}` : ''}`);
  } catch (error) {
    clear(box).append(h('p', { class: 'error' }, error.detail || gettext('Lista nu a putut fi încărcată.')));
    return;
  }
  const items = Array.isArray(data) ? data : data.results || [];
  items.sort((a, b) => String(a.due_date || '9999').localeCompare(String(b.due_date || '9999')));
  clear(box);
  if (!items.length) {
    box.append(h('p', {}, gettext('Nicio cerere.')));
    return;
  }
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
      h(
        'tbody',
        {},
        items.map((a) =>
          h(
            'tr',
            { dataset: { state: a.state } },
            h('td', {}, a.registration_number || h('span', { class: 'muted' }, gettext('neînregistrată'))),
            h('td', {}, a.kind),
            h('td', {}, STATE_LABELS[a.state] ? gettext(STATE_LABELS[a.state]) : a.state, a.needs_reanalysis ? h('strong', {}, ` · ${gettext('de reanalizat')}`) : null),
            h('td', {}, a.due_date || '–'),
            h(
              'td',
              {},
              (a.cadastral_numbers || []).map((nr, i) => [
                i ? ', ' : '',
                h('a', { href: `${urls.map}?q=${encodeURIComponent(nr)}` }, nr),
              ]),
            ),
          ),
        ),
      ),
    ),
  );
}

export async function track(urls, number, key, box) {
  const response = await postJSON(urls.track, { registration_number: number, access_key: key });
  const data = await response.json().catch(() => null);
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
  );
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

async function setupApply(urls) {
  const draft = readDraft();
  const draftBox = document.getElementById('apply-draft');
  if (draft) {
    draftBox.append(
      h(
        'ul',
        {},
        (draft.parcels || []).map((p) => h('li', {}, interpolate(gettext('Imobilul %(nr)s (UAT %(uat)s)'), { nr: p.cadastral_number, uat: p.uat }))),
        draft.footprint ? h('li', {}, gettext('amprenta construcției propuse')) : null,
        draft.access_point ? h('li', {}, gettext('punctul de acces la drum')) : null,
      ),
    );
  } else {
    draftBox.append(h('p', { class: 'muted' }, gettext('Nicio schiță de pe hartă: cererea va fi fără imobil.')));
  }
  const select = document.getElementById('apply-kind');
  try {
    const kinds = await fetchJSON(urls.kinds);
    for (const k of Array.isArray(kinds) ? kinds : kinds.results || []) {
      select.append(h('option', { value: k.code }, k.name));
    }
  } catch {
    select.append(h('option', { value: '' }, gettext('Modulul de cereri nu este disponibil.')));
  }
  const result = document.getElementById('apply-result');
  document.getElementById('apply-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = Object.fromEntries(new FormData(event.target).entries());
    const response = await postJSON(urls.applications, applicationPayload(draft, form));
    const data = await response.json().catch(() => null);
    clear(result);
    if (!response.ok) {
      result.append(h('p', { class: 'error', role: 'alert' }, errorText(data)));
      return;
    }
    sessionStorage.removeItem(DRAFT_KEY);
    result.append(
      h('p', {}, gettext('Cererea a fost salvată ca ciornă. Păstrați cheia de acces: nu se mai afișează.')),
      h('p', {}, h('strong', { dataset: { field: 'access-key' } }, data.access_key)),
      h('p', { class: 'muted' }, interpolate(gettext('Identificator: %(id)s'), { id: data.id })),
    );
  });
}

export function start(page) {
  const urls = boot();
  if (page === 'queue') {
    const box = document.getElementById('queue');
    const select = document.getElementById('queue-state');
    document.getElementById('queue-filter').addEventListener('submit', (event) => {
      event.preventDefault();
      renderQueue(urls, select.value, box);
    });
    renderQueue(urls, select.value, box);
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
  } else if (page === 'apply') {
    setupApply(urls);
  }
}
