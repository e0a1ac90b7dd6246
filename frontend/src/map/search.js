// Search box: cadastral number (with UAT), address, road + km, registration number; for
// officers also the digital archive (an act by its number or by words in it).

import { h, clear, fetchJSON } from '../lib/dom.js';
import { gettext, interpolate } from '../lib/i18n.js';
import { parseRegistrationNumber } from '../lib/km.js';

export function setupSearch(form, input, resultsPane, { config, onResult, showPane }) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (!q) return;
    clear(resultsPane).append(h('p', {}, gettext('Se caută…')));
    showPane();
    let results = [];
    try {
      const data = await fetchJSON(`${config.api.search}?q=${encodeURIComponent(q)}`);
      results = data.results;
    } catch (error) {
      clear(resultsPane).append(h('p', { class: 'error' }, error.detail || gettext('Căutarea a eșuat.')));
      return;
    }
    const registration = parseRegistrationNumber(q);
    const [applications, acts] = await Promise.all([
      registration ? searchApplications(config, registration) : [],
      config.officer ? searchArchive(config, q) : [],
    ]);
    results = results.concat(applications);
    renderResults(resultsPane, q, results.concat(acts), onResult);
    // a single place found goes straight to the map; archive hits are a list to read
    const usable = results.filter((r) => r.kind !== 'error');
    if (usable.length === 1 && !acts.length) onResult(usable[0]);
  });
}

/** The permits hook for registration numbers: nothing when the API is not there. */
async function searchApplications(config, { prefix, number, year }) {
  try {
    const data = await fetchJSON(
      `${config.api.applications}?registration=${encodeURIComponent(`${prefix ? `${prefix}-` : ''}${number}/${year}`)}`,
    );
    const items = Array.isArray(data) ? data : data.results || [];
    const page = config.api.application_page;
    return items.map((a) => ({
      kind: 'application',
      label: interpolate(gettext('Cererea nr. %(nr)s'), { nr: a.registration_number || `${number}/${year}` }),
      detail: [a.kind_name || a.kind, a.state_label].filter(Boolean).join(' · '),
      ref: a.parcel || null,
      geometry: a.geometry || null,
      page: page && a.id ? `${page}${a.id}/` : null,
    }));
  } catch {
    return [];
  }
}

/** An archived act as a search result: to its first parcel, else to the point an officer
 * placed it at (EPSG:3844, the map's projection), else to its page. */
export function archiveResult(act) {
  const where = act.parcels && act.parcels.length ? act.parcels[0] : null;
  return {
    kind: 'archive',
    label: act.label,
    detail: [act.address, act.page ? interpolate(gettext('pagina %(p)s'), { p: act.page }) : null].filter(Boolean).join(' · '),
    ref: where,
    geometry: !where && act.location ? { type: 'Point', coordinates: act.location } : null,
    page: act.detail_url || null,
  };
}

/** The archive hook (officers): nothing when the API is absent or refuses. */
async function searchArchive(config, q) {
  try {
    const data = await fetchJSON(`${config.api.archive || '/api/arhiva/'}?q=${encodeURIComponent(q)}`);
    return (data.results || []).map(archiveResult);
  } catch {
    return [];
  }
}

function renderResults(pane, q, results, onResult) {
  clear(pane);
  pane.append(h('h2', { class: 'pane-title' }, interpolate(gettext('Rezultate pentru „%(q)s”'), { q })));
  if (!results.length) {
    pane.append(h('p', {}, gettext('Niciun rezultat.')));
    return;
  }
  const list = h('ul', { class: 'results' });
  for (const result of results) {
    if (result.kind === 'error') {
      list.append(h('li', { class: 'error' }, result.label));
      continue;
    }
    list.append(
      h(
        'li',
        {},
        h(
          'button',
          { type: 'button', class: 'linkish', dataset: { kind: result.kind }, onclick: () => onResult(result) },
          result.label,
        ),
        result.detail ? h('span', { class: 'muted' }, ` ${result.detail}`) : null,
      ),
    );
  }
  pane.append(list);
}
