// Entry point of the citizen portal (/portal/): find a parcel, read its status. The status
// is rendered by the server (the same template as /portal/imobil/<siruta>/<nr>/).

import './styles.css';
import { loadEmbeddedCatalog, gettext, currentLanguage } from './lib/i18n.js';
import { setLocale } from './lib/format.js';
import { h, clear, fetchJSON } from './lib/dom.js';
import { createMap, readConfig, onKeyboardIdentify } from './map/mapview.js';
import { setupPanelToggle } from './map/panel.js';

loadEmbeddedCatalog();
setLocale(currentLanguage());
const config = readConfig();
const parts = createMap(config, { target: 'map' });
const panel = document.getElementById('panel');
const toggle = setupPanelToggle(document.getElementById('panel-toggle'), panel, parts.map);
const statusBox = document.getElementById('parcel-status');
const resultsBox = document.getElementById('portal-results');
const urls = document.getElementById('map').dataset;

async function showFragment(url) {
  statusBox.setAttribute('aria-busy', 'true');
  const response = await fetch(url, { credentials: 'same-origin' });
  const html = await response.text();
  // Server-rendered, auto-escaped template output (frontend/_parcel_status.html).
  const doc = new DOMParser().parseFromString(html, 'text/html');
  clear(statusBox).append(...doc.body.childNodes);
  statusBox.removeAttribute('aria-busy');
  const geometry = statusBox.querySelector('script[type="application/json"]');
  parts.showGeometry(geometry ? JSON.parse(geometry.textContent) : null);
  if (toggle.narrow.matches) toggle.open();
  window.__gisapp.cardShown = performance.now();
}

function identify([x, y]) {
  window.__gisapp.identifyStart = performance.now();
  showFragment(`${urls.statusAt}?x=${x.toFixed(2)}&y=${y.toFixed(2)}&fragment=1`);
}
parts.map.on('click', (event) => identify(event.coordinate));
onKeyboardIdentify(parts.map, identify);

function statusUrl(ref) {
  const [siruta, number] = ref.split(':');
  return `${urls.statusBase}${siruta}/${encodeURIComponent(number)}/?fragment=1`;
}

async function choose(result) {
  parts.showGeometry(result.geometry, { fit: true });
  await showFragment(statusUrl(result.ref));
  parts.showGeometry(result.geometry);
}

document.getElementById('portal-search').addEventListener('submit', async (event) => {
  event.preventDefault();
  const q = document.getElementById('portal-q').value.trim();
  if (!q) return;
  const data = await fetchJSON(`${config.api.search}?q=${encodeURIComponent(q)}`);
  const parcels = data.results.filter((r) => r.kind === 'parcel');
  clear(resultsBox);
  if (!parcels.length) {
    resultsBox.append(h('p', {}, gettext('Nu a fost găsit niciun teren.')));
    return;
  }
  resultsBox.append(
    h(
      'ul',
      { class: 'results' },
      parcels.map((r) =>
        h(
          'li',
          {},
          h('button', { type: 'button', class: 'linkish', onclick: () => choose(r) }, r.label),
          r.detail ? h('span', { class: 'muted' }, ` ${r.detail}`) : null,
        ),
      ),
    ),
  );
  if (parcels.length === 1) choose(parcels[0]);
});

// Results rendered by the server (no-JS path): open them in place.
resultsBox.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-ref]');
  if (!link) return;
  event.preventDefault();
  showFragment(statusUrl(link.dataset.ref));
});
