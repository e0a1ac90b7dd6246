// Entry point of the officers' web map (/harta/).

import './styles.css';
import { loadEmbeddedCatalog, gettext, currentLanguage } from './lib/i18n.js';
import { setLocale, formatStereo70 } from './lib/format.js';
import { h, clear, fetchJSON } from './lib/dom.js';
import './lib/msgids.js';
import { createMap, readConfig, onKeyboardIdentify } from './map/mapview.js';
import { renderLayerTree } from './map/layertree.js';
import { renderParcelCard, renderRoadCard, loadApplications } from './map/card.js';
import { setupSearch } from './map/search.js';
import { setupTools } from './map/tools.js';
import { setupTabs, setupPanelToggle, addTab } from './map/panel.js';
import { loadArchivedActs } from './map/archive.js';
import { setupPlacement, requestedAct } from './map/placement.js';

loadEmbeddedCatalog();
setLocale(currentLanguage());
const config = readConfig();
config.api.application_form = document.getElementById('map').dataset.applyUrl || config.api.application_form;
const statusbar = document.getElementById('status');
const parts = createMap(config, { target: 'map', statusElement: statusbar });
const panel = document.getElementById('panel');
// The archive's unplaced acts, placed by clicking on the map: officers only.
const placementPane = config.officer
  ? addTab(panel, { id: 'tab-unplaced', paneId: 'pane-unplaced', label: gettext('Acte neamplasate') })
  : null;
const showTab = setupTabs(panel);
const toggle = setupPanelToggle(document.getElementById('panel-toggle'), panel, parts.map);
const infoPane = document.getElementById('pane-info');
let selectedParcel = null;

renderLayerTree(document.getElementById('pane-layers'), config, parts);

function setStatus(text) {
  statusbar.textContent = text;
}

function showCard(data) {
  clear(infoPane);
  selectedParcel = data.parcel || null;
  if (data.parcel) {
    infoPane.append(renderParcelCard(data.parcel, { officer: config.officer }));
    parts.showGeometry(data.parcel.geometry);
    loadApplications(infoPane.querySelector('.applications'), data.parcel.ref, config.api.applications, config.api.application_page);
  }
  if (data.road) infoPane.append(renderRoadCard(data.road));
  if (!data.parcel && !data.road) {
    parts.showGeometry(null);
    infoPane.append(h('p', {}, gettext('Nimic de identificat în acest punct.')));
  }
  showTab('tab-info');
  if (toggle.narrow.matches) toggle.open();
  window.__gisapp.cardShown = performance.now();
  document.body.dataset.cardCount = String(Number(document.body.dataset.cardCount || 0) + 1);
}

let identifySeq = 0;
async function identify(coordinate) {
  const seq = ++identifySeq;
  window.__gisapp.identifyStart = performance.now();
  const [x, y] = coordinate;
  setStatus(formatStereo70(coordinate));
  try {
    const data = await fetchJSON(
      `${config.api.identify}?x=${x.toFixed(2)}&y=${y.toFixed(2)}&res=${parts.view.getResolution().toFixed(3)}`,
    );
    if (seq === identifySeq) showCard(data);
  } catch (error) {
    setStatus(error.detail || gettext('Identificarea a eșuat.'));
  }
}

// 'click' and not 'singleclick': the latter waits 250 ms to rule out a double-click.
parts.map.on('click', (event) => {
  if (placement && placement.busy()) {
    placement.pick(event.coordinate);
    return;
  }
  if (tools.busy()) return;
  identify(event.coordinate);
});
onKeyboardIdentify(parts.map, (coordinate) =>
  placement && placement.busy() ? placement.pick(coordinate) : identify(coordinate),
);

async function onResult(result) {
  if (result.kind === 'parcel' || (['application', 'archive'].includes(result.kind) && result.ref)) {
    const [siruta, number] = result.ref.split(':');
    parts.showGeometry(result.geometry, { fit: true });
    try {
      const card = await fetchJSON(`${config.api.parcel}${siruta}/${encodeURIComponent(number)}/`);
      showCard({ parcel: card, road: null });
      parts.showGeometry(card.geometry);
    } catch (error) {
      setStatus(error.detail || gettext('Imobilul nu a putut fi încărcat.'));
    }
  } else if (result.geometry) {
    parts.showGeometry(result.geometry, { fit: true });
    setStatus(result.label);
  } else if (result.page) {
    window.location.assign(result.page); // a request with no place (petition, audience)
  }
  document.body.dataset.lastResult = result.label;
}

setupSearch(
  document.getElementById('search-form'),
  document.getElementById('search-input'),
  document.getElementById('pane-results'),
  { config, onResult, showPane: () => showTab('tab-results') },
);
const tools = setupTools(document.getElementById('pane-tools'), {
  config,
  parts,
  getSelectedParcel: () => selectedParcel,
  setStatus,
});

// After a placement: redraw the archive layer and the acts of the parcel card on show.
function archiveChanged({ choice }) {
  const layer = parts.byName.arhiva_acte;
  if (layer) layer.getSource().refresh();
  if (choice.kind === 'parcel' && selectedParcel && selectedParcel.ref === choice.ref) {
    loadArchivedActs(infoPane.querySelector('.archived-acts'), choice.ref);
  }
}

const placement = placementPane
  ? setupPlacement(placementPane, {
      config,
      parts,
      setStatus,
      showPane: () => {
        showTab('tab-unplaced');
        if (toggle.narrow.matches) toggle.open();
      },
      onArm: () => tools.stop(),
      onPlaced: archiveChanged,
    })
  : null;

// /harta/?amplasare=<id> (links from the archive's unplaced page): placement armed.
const wanted = requestedAct(window.location.search);
if (placement && wanted) placement.armById(wanted);

// /harta/?q=... (links from the work queue): search on arrival.
const initial = new URLSearchParams(window.location.search).get('q');
if (initial) {
  document.getElementById('search-input').value = initial;
  document.getElementById('search-form').requestSubmit();
}
