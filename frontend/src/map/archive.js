// The digital archive on the officers' parcel card: the acts ever issued on the parcel
// (GET /api/arhiva/?parcel=<siruta>:<nr>), each with its searchable PDF and how it was
// linked to the parcel. Nothing is shown when the archive API refuses or is absent.

import { h, clear, fetchJSON } from '../lib/dom.js';
import { gettext } from '../lib/i18n.js';

const METHODS = {
  exact: 'număr cadastral',
  address: 'potrivire de adresă',
  manual: 'amplasat manual',
};

export function renderArchivedActs(items) {
  return [
    h('h4', {}, gettext('Acte arhivate')),
    items.length
      ? h(
          'ul',
          {},
          items.map((act) =>
            h(
              'li',
              { dataset: { act: String(act.id) } },
              act.detail_url ? h('a', { href: act.detail_url }, act.label) : act.label,
              act.act_date ? ` / ${act.act_date}` : '',
              act.link ? h('span', { class: 'muted' }, ` (${gettext(METHODS[act.link.method] || act.link.method)})`) : '',
              act.pdf_url ? [' ', h('a', { href: act.pdf_url, download: '' }, 'PDF')] : '',
            ),
          ),
        )
      : h('p', {}, gettext('Niciun act arhivat.')),
  ];
}

export async function loadArchivedActs(container, ref, url = '/api/arhiva/') {
  if (!container) return;
  let data;
  try {
    data = await fetchJSON(`${url}?parcel=${encodeURIComponent(ref)}`);
  } catch {
    return; // no archive API or no access: show nothing
  }
  clear(container);
  container.append(...renderArchivedActs(data.results || []));
}
