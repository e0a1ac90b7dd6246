// The officers' parcel card and road card, rendered from the identify / parcel JSON.

import { h, clear, fetchJSON } from '../lib/dom.js';
import { gettext, interpolate } from '../lib/i18n.js';
import { formatArea, formatNumber, formatStereo70 } from '../lib/format.js';
import { loadArchivedActs } from './archive.js';

const BANDS = {
  ampriza: 'ampriză',
  siguranta: 'zonă de siguranță',
  protectie: 'zonă de protecție',
};
const INTRAVILAN = {
  intravilan: 'intravilan',
  extravilan: 'extravilan',
  'parțial intravilan': 'parțial intravilan',
};

function row(label, ...value) {
  return [h('dt', {}, label), h('dd', {}, ...value)];
}

export function renderRoadCard(road) {
  return h(
    'section',
    { class: 'card road-card', dataset: { testid: 'road-card' } },
    h('h3', {}, interpolate(gettext('Drumul %(road)s'), { road: road.number })),
    h(
      'dl',
      { class: 'facts' },
      row(gettext('Poziția la clic'), h('strong', { dataset: { field: 'km' } }, road.km)),
      row(gettext('Traseu'), road.name || '–'),
      row(gettext('Administrator'), road.administrator || '–'),
      row(
        gettext('Distanța față de ax'),
        `${formatNumber(road.offset_m, 1)} m, ${gettext(road.side)}`,
      ),
      row(gettext('Punctul pe ax'), formatStereo70(road.point)),
    ),
  );
}

function zoneBlock(zone) {
  const rules = [
    interpolate(gettext('POT maxim %(v)s%%'), { v: formatNumber(zone.pot_max, 0) }),
    interpolate(gettext('CUT maxim %(v)s'), { v: formatNumber(zone.cut_max, 2) }),
  ];
  if (zone.height_max !== null && zone.height_max !== undefined) {
    rules.push(interpolate(gettext('H maxim %(v)s m'), { v: formatNumber(zone.height_max, 1) }));
  }
  if (zone.height_regime) rules.push(zone.height_regime);
  return h(
    'div',
    { class: 'zone' },
    h(
      'p',
      {},
      h('strong', { dataset: { field: 'utr' } }, zone.code),
      ` – ${zone.name} `,
      h('span', { class: 'muted' }, `(${formatNumber(zone.percent, 0)}%)`),
    ),
    h('p', { class: 'rules' }, rules.join(' · ')),
    h(
      'p',
      { class: 'muted' },
      zone.plan,
      zone.decision ? `, HCL ${zone.decision}` : '',
      zone.decision_date ? ` / ${zone.decision_date}` : '',
    ),
    zone.allowed_uses ? h('p', {}, h('em', {}, gettext('Admise: ')), zone.allowed_uses) : null,
    zone.conditioned_uses
      ? h('p', {}, h('em', {}, gettext('Cu condiții: ')), zone.conditioned_uses)
      : null,
    zone.forbidden_uses ? h('p', {}, h('em', {}, gettext('Interzise: ')), zone.forbidden_uses) : null,
  );
}

function roadBlock(card) {
  const road = card.road;
  if (!road) return h('p', {}, gettext('Niciun drum județean în apropiere.'));
  const bands = road.bands_reached.map((b) => gettext(BANDS[b] || b)).join(', ');
  return h(
    'p',
    { dataset: { field: 'road-position' } },
    interpolate(gettext('%(road)s, %(km)s, la %(d)s m de ax (%(side)s).'), {
      road: road.number,
      km: road.nearest_km,
      d: formatNumber(road.distance_m, 1),
      side: gettext(road.side),
    }),
    ' ',
    card.in_road_zone
      ? h('strong', {}, interpolate(gettext('În zona drumului: %(bands)s.'), { bands }))
      : gettext('În afara zonei drumului.'),
  );
}

export function renderParcelCard(card, { officer = false } = {}) {
  const landUse = card.land_uses.length
    ? card.land_uses.map((l) => `${l.category} ${gettext(l.label)} ${formatArea(l.area_m2)}`).join('; ')
    : '–';
  const section = h(
    'section',
    { class: 'card parcel-card', dataset: { testid: 'parcel-card', ref: card.ref } },
    h(
      'h3',
      {},
      gettext('Imobilul'),
      ' ',
      h('span', { dataset: { field: 'cadastral-number' } }, card.cadastral_number),
    ),
    h(
      'dl',
      { class: 'facts' },
      row(gettext('UAT'), `${card.uat.name} (${card.uat.siruta})`),
      card.land_book_number ? row(gettext('Carte funciară'), card.land_book_number) : null,
      card.address ? row(gettext('Adresă'), card.address) : null,
      row(
        gettext('Suprafață'),
        formatArea(card.measured_area_m2),
        card.legal_area_m2 !== null
          ? h('span', { class: 'muted' }, ` (${gettext('din acte')} ${formatArea(card.legal_area_m2)})`)
          : null,
      ),
      row(gettext('Situare'), gettext(INTRAVILAN[card.intravilan] || card.intravilan)),
      row(gettext('Folosință'), landUse),
      officer && card.buildings
        ? row(
            gettext('Construcții'),
            card.buildings.length
              ? card.buildings
                  .map((b) => `${b.label} ${gettext(b.destination)} ${formatArea(b.built_area_m2)}, ${b.levels} niv.`)
                  .join('; ')
              : '–',
          )
        : null,
    ),
    h('h4', {}, gettext('UTR și reguli')),
    card.zones.length ? card.zones.map(zoneBlock) : h('p', {}, gettext('În afara unui PUG în vigoare.')),
    h('h4', {}, gettext('Restricții')),
    card.restrictions.length
      ? h(
          'ul',
          {},
          card.restrictions.map((r) =>
            h('li', {}, `${r.name} (${formatNumber(r.percent, 0)}%) – ${r.approval || ''} ${r.authority ? `(${r.authority})` : ''}`),
          ),
        )
      : h('p', {}, gettext('Fără restricții.')),
    h('h4', {}, gettext('Drum județean')),
    roadBlock(card),
    h('h4', {}, gettext('Avize necesare')),
    h('ul', { class: 'approvals' }, card.approvals.map((a) => h('li', {}, `${a.approval} – ${a.authority}`))),
    officer ? h('div', { class: 'applications', dataset: { testid: 'applications' } }) : null,
    officer ? h('div', { class: 'archived-acts', dataset: { testid: 'archived-acts' } }) : null,
  );
  if (officer) loadArchivedActs(section.querySelector('.archived-acts'), card.ref);
  return section;
}

/** The permits hook: open and past applications on the parcel, when the permits API is
 * there (GET <applications>?parcel=<siruta>:<nr>); nothing at all when it 404s. Each row
 * links to the officers' application page (`pageBase` + id + '/'). */
export async function loadApplications(container, ref, url = '/api/permits/applications/', pageBase = null) {
  if (!container) return;
  let data;
  try {
    data = await fetchJSON(`${url}?parcel=${encodeURIComponent(ref)}`);
  } catch {
    return; // no permits API (404) or no access: show nothing
  }
  const [, number] = ref.split(':');
  // Only applications that name this parcel (whatever the API's own filtering does).
  const items = (Array.isArray(data) ? data : data.results || []).filter((a) => {
    if (Array.isArray(a.parcels)) return a.parcels.includes(ref);
    if (a.parcel) return a.parcel === ref;
    if (Array.isArray(a.cadastral_numbers)) return a.cadastral_numbers.includes(number);
    return false;
  });
  clear(container);
  container.append(h('h4', {}, gettext('Cereri pe acest imobil')));
  if (!items.length) {
    container.append(h('p', {}, gettext('Nicio cerere.')));
    return;
  }
  container.append(
    h(
      'ul',
      {},
      items.map((a) => {
        const label = a.registration_number || gettext('ciornă');
        const href = a.url || (pageBase && a.id ? `${pageBase}${a.id}/` : null);
        return h(
          'li',
          { dataset: { state: a.state } },
          href ? h('a', { href }, label) : label,
          a.registration_date ? ` / ${a.registration_date}` : '',
          a.kind_name || a.kind ? ` – ${a.kind_name || a.kind}` : '',
          a.state_label || a.status ? ` (${a.state_label || a.status})` : '',
        );
      }),
    ),
  );
}
