// Citizen filing page (/portal/cerere-noua/): the kind's form, the parcels picked and the
// footprint / access point drawn on a small map, documents, e-mail verification, and one
// multipart request that registers the application (or saves nothing and says why).

import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import Draw from 'ol/interaction/Draw.js';
import { Style, Stroke, Fill, Circle as CircleStyle } from 'ol/style.js';
import { boot, readDraft, DRAFT_KEY } from './permits.js';
import { gettext, interpolate } from './lib/i18n.js';
import { h, clear, csrfToken, fetchJSON, postJSON, languageHeader } from './lib/dom.js';
import { formatDate } from './lib/format.js';
import { createMap, readConfig, onKeyboardIdentify } from './map/mapview.js';
import {
  ACCEPT_ATTRIBUTE,
  OTHER_DOCUMENT,
  checkFiling,
  filingPayload,
  kindNeeds,
  serverErrors,
  toggleParcel,
} from './lib/filing.js';

const urls = boot();
const config = readConfig();
const form = document.getElementById('apply-form');
const kindSelect = document.getElementById('apply-kind');
const summary = document.getElementById('apply-summary');
const result = document.getElementById('apply-result');
const limits = { maxBytes: urls.upload_max_mb * 1024 * 1024, maxCount: urls.max_attachments };
const FAMILY_LABELS = {
  urbanism: gettext('Urbanism'),
  drumuri: gettext('Drumuri județene'),
  general: gettext('Cereri generale'),
};
let kinds = [];
let kind = null;
const subject = { parcels: [], footprint: null, access_point: null };
const parcelGeometries = new Map();
let mapParts = null;

// --- kinds ---------------------------------------------------------------------------
async function loadKinds() {
  try {
    const data = await fetchJSON(urls.kinds);
    kinds = Array.isArray(data) ? data : data.results || [];
  } catch {
    showSummary([gettext('Modulul de cereri nu este disponibil.')]);
    return;
  }
  const groups = {};
  for (const k of kinds) {
    if (!groups[k.family]) {
      groups[k.family] = h('optgroup', { label: FAMILY_LABELS[k.family] || k.family });
      kindSelect.append(groups[k.family]);
    }
    groups[k.family].append(h('option', { value: k.code }, k.name));
  }
  const wanted = new URLSearchParams(window.location.search).get('tip');
  if (wanted && kinds.some((k) => k.code === wanted)) kindSelect.value = wanted;
  else if (readDraft()) kindSelect.value = 'cu';
  onKindChange();
}

function onKindChange() {
  kind = kinds.find((k) => k.code === kindSelect.value) || null;
  const needs = kindNeeds(kind);
  document.getElementById('apply-subject').hidden = !needs.map;
  document.getElementById('apply-purpose-box').hidden = !needs.purpose;
  document.getElementById('apply-building').hidden = !needs.building;
  document.getElementById('apply-draw-access').hidden = !needs.access;
  const label = document.getElementById('apply-description-label');
  label.textContent = needs.general ? label.dataset.general : label.dataset.works;
  const help = document.getElementById('apply-kind-help');
  clear(help);
  if (kind) {
    const parts = [];
    if (kind.legal_basis) parts.push(kind.legal_basis);
    parts.push(
      kind.deadline_days
        ? interpolate(gettext('Termen de soluționare: %(days)s zile de la înregistrare.'), { days: kind.deadline_days })
        : gettext('Fără termen legal de soluționare.'),
    );
    if (kind.notes) parts.push(kind.notes);
    help.textContent = parts.join(' · ');
  }
  renderDocuments();
  if (needs.map) ensureMap();
}

// --- documents -------------------------------------------------------------------------
function renderDocuments() {
  const box = clear(document.getElementById('apply-document-list'));
  document.getElementById('apply-limits').textContent = interpolate(
    gettext('PDF, JPEG sau PNG, cel mult %(mb)s MB fiecare, cel mult %(n)s documente.'),
    { mb: urls.upload_max_mb, n: urls.max_attachments },
  );
  const documents = kind ? kind.documents : [];
  const inputs = [...documents, { code: OTHER_DOCUMENT, name: gettext('Alte documente (opțional)'), mandatory: false }];
  for (const doc of inputs) {
    const id = `apply-doc-${doc.code || 'altele'}`;
    const field = `documents.${doc.code || 'altele'}`;
    box.append(
      h(
        'div',
        { class: 'field document' },
        h('label', { for: id }, doc.name, doc.mandatory ? h('span', { class: 'required' }, ` (${gettext('obligatoriu')})`) : null),
        h('input', {
          id,
          type: 'file',
          accept: ACCEPT_ATTRIBUTE,
          multiple: doc.code === OTHER_DOCUMENT,
          required: doc.mandatory,
          dataset: { document: doc.code },
          'aria-describedby': `${id}-error`,
        }),
        h('p', { id: `${id}-error`, class: 'field-error', dataset: { errorFor: field } }),
      ),
    );
  }
}

function chosenFiles() {
  const files = {};
  for (const input of document.querySelectorAll('#apply-document-list input[type=file]')) {
    if (input.files.length) files[input.dataset.document] = [...input.files];
  }
  return files;
}

// --- map: parcels, footprint, access point -----------------------------------------------
const pickedStyle = new Style({
  stroke: new Stroke({ color: '#e6007e', width: 3 }),
  fill: new Fill({ color: 'rgba(230, 0, 126, 0.12)' }),
});
const drawnStyle = new Style({
  stroke: new Stroke({ color: '#0050b4', width: 2 }),
  fill: new Fill({ color: 'rgba(0, 80, 180, 0.2)' }),
  image: new CircleStyle({ radius: 7, fill: new Fill({ color: '#0050b4' }), stroke: new Stroke({ color: '#fff', width: 2 }) }),
});
const picked = new VectorLayer({ source: new VectorSource(), style: pickedStyle, zIndex: 1002 });
let draw = null;

function ensureMap() {
  if (mapParts) {
    mapParts.map.updateSize();
    return;
  }
  mapParts = createMap(config, { target: 'apply-map' });
  mapParts.map.addLayer(picked);
  mapParts.sketch.setStyle(drawnStyle);
  mapParts.map.on('click', (event) => {
    if (!draw) identify(event.coordinate);
  });
  onKeyboardIdentify(mapParts.map, identify);
  for (const button of document.querySelectorAll('[data-draw]')) {
    button.addEventListener('click', () => startDraw(button.dataset.draw, button));
  }
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && draw) stopDraw();
  });
  const draft = readDraft();
  if (draft) adoptDraft(draft);
}

async function identify([x, y]) {
  const res = mapParts.view.getResolution().toFixed(3);
  try {
    const data = await fetchJSON(`${urls.identify}?x=${x.toFixed(2)}&y=${y.toFixed(2)}&res=${res}`);
    if (data.parcel) addParcelCard(data.parcel);
  } catch {
    /* nothing here */
  }
}

function addParcelCard(card) {
  const parcel = { uat: card.uat.siruta, cadastral_number: card.cadastral_number, label: `${card.cadastral_number} ${card.uat.name}` };
  subject.parcels = toggleParcel(subject.parcels, parcel);
  const key = `${parcel.uat}:${parcel.cadastral_number}`;
  if (subject.parcels.some((p) => `${p.uat}:${p.cadastral_number}` === key)) parcelGeometries.set(key, card.geometry);
  else parcelGeometries.delete(key);
  renderSubject();
}

async function addByReference() {
  const input = document.getElementById('apply-parcel-ref');
  const [siruta, number] = input.value.split(':').map((s) => s.trim());
  if (!siruta || !number) return;
  try {
    const card = await fetchJSON(`${urls.parcel}${encodeURIComponent(siruta)}/${encodeURIComponent(number)}/`);
    if (!subject.parcels.some((p) => String(p.uat) === String(card.uat.siruta) && p.cadastral_number === card.cadastral_number)) {
      addParcelCard(card);
    }
    input.value = '';
    mapParts.showGeometry(card.geometry, { fit: true });
    mapParts.showGeometry(null);
  } catch {
    setError('parcels', [gettext('Imobil inexistent în cadastru.')]);
  }
}

function adoptDraft(draft) {
  for (const p of draft.parcels || []) {
    subject.parcels = toggleParcel(subject.parcels, { uat: p.uat, cadastral_number: p.cadastral_number, label: `${p.cadastral_number} (UAT ${p.uat})` });
    fetchJSON(`${urls.parcel}${p.uat}/${encodeURIComponent(p.cadastral_number)}/`)
      .then((card) => {
        parcelGeometries.set(`${p.uat}:${p.cadastral_number}`, card.geometry);
        renderSubject({ fit: true });
      })
      .catch(() => {});
  }
  for (const [name, kindName] of [['footprint', 'footprint'], ['access_point', 'access']]) {
    if (draft[name]) {
      const feature = mapParts.geojson.readFeature({ type: 'Feature', geometry: draft[name], properties: { kind: kindName } });
      mapParts.sketch.getSource().addFeature(feature);
      subject[name] = draft[name];
    }
  }
  renderSubject({ fit: true });
}

function startDraw(what, button) {
  stopDraw();
  const source = mapParts.sketch.getSource();
  if (what === 'clear') {
    source.clear();
    subject.footprint = null;
    subject.access_point = null;
    renderSubject();
    return;
  }
  draw = new Draw({ source, type: what === 'access' ? 'Point' : 'Polygon', style: drawnStyle });
  button.setAttribute('aria-pressed', 'true');
  draw.on('drawend', (event) => {
    event.feature.set('kind', what);
    for (const f of source.getFeatures()) if (f.get('kind') === what) source.removeFeature(f);
    const geometry = mapParts.geojson.writeGeometryObject(event.feature.getGeometry(), { decimals: 2 });
    subject[what === 'access' ? 'access_point' : 'footprint'] = geometry;
    setTimeout(() => {
      stopDraw();
      renderSubject();
    }, 0);
  });
  mapParts.map.addInteraction(draw);
  mapParts.map.getTargetElement().focus();
}

function stopDraw() {
  if (draw) mapParts.map.removeInteraction(draw);
  draw = null;
  for (const b of document.querySelectorAll('[data-draw]')) if (b.hasAttribute('aria-pressed')) b.setAttribute('aria-pressed', 'false');
}

function renderSubject({ fit = false } = {}) {
  const list = clear(document.getElementById('apply-parcels'));
  const source = picked.getSource();
  source.clear();
  for (const p of subject.parcels) {
    const key = `${p.uat}:${p.cadastral_number}`;
    list.append(
      h(
        'li',
        { dataset: { ref: key } },
        interpolate(gettext('Imobilul %(nr)s (UAT %(uat)s)'), { nr: p.cadastral_number, uat: p.uat }),
        ' ',
        h(
          'button',
          { type: 'button', class: 'linkish', onclick: () => { subject.parcels = toggleParcel(subject.parcels, p); parcelGeometries.delete(key); renderSubject(); } },
          gettext('scoate'),
        ),
      ),
    );
    const geometry = parcelGeometries.get(key);
    if (geometry && mapParts) source.addFeature(mapParts.geojson.readFeature({ type: 'Feature', geometry, properties: {} }));
  }
  const drawn = [];
  if (subject.footprint) drawn.push(gettext('amprenta construcției propuse'));
  if (subject.access_point) drawn.push(gettext('punctul de acces la drum'));
  document.getElementById('apply-drawn').textContent = drawn.length ? `${gettext('Desenat')}: ${drawn.join(', ')}` : '';
  if (fit && mapParts && source.getFeatures().length) {
    mapParts.view.fit(source.getExtent(), { padding: [30, 30, 30, 30], minResolution: 0.25 });
  }
}

// --- e-mail verification ------------------------------------------------------------------
async function verify(withCode) {
  const status = document.getElementById('apply-verify-status');
  const email = document.getElementById('apply-email').value.trim();
  const code = document.getElementById('apply-code').value.trim();
  if (!email) {
    status.textContent = gettext('Scrieți întâi adresa de e-mail.');
    return;
  }
  const response = await postJSON(urls.verify, withCode ? { email, code } : { email });
  const data = await response.json().catch(() => ({}));
  status.className = response.ok ? 'ok' : 'error';
  if (response.status === 429) status.textContent = gettext('Prea multe încercări; reveniți mai târziu.');
  else if (!response.ok) status.textContent = data.detail || gettext('Codul nu a putut fi verificat.');
  else if (data.verified) {
    status.textContent = gettext('Adresa de e-mail a fost verificată.');
    status.dataset.verified = email.toLowerCase();
  } else status.textContent = interpolate(gettext('Am trimis un cod la %(email)s.'), { email });
}

// --- errors ----------------------------------------------------------------------------
function setError(field, messages) {
  for (const node of document.querySelectorAll(`[data-error-for="${CSS.escape(field)}"]`)) {
    node.textContent = messages.join(' ');
  }
}

function clearErrors() {
  for (const node of document.querySelectorAll('[data-error-for]')) node.textContent = '';
  for (const node of form.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
  summary.hidden = true;
  clear(summary);
}

function showSummary(lines) {
  clear(summary).append(
    h('p', {}, gettext('Cererea nu a fost depusă și nu s-a salvat nimic. Corectați:')),
    h('ul', {}, lines.map((l) => h('li', {}, l))),
  );
  summary.hidden = false;
  summary.focus();
}

function showErrors(errors, translate) {
  const lines = [];
  for (const [field, messages] of Object.entries(errors)) {
    const texts = messages.map((m) => (translate ? gettext(m) : m));
    setError(field, texts);
    const node = document.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
    const input = node && node.id ? document.querySelector(`[aria-describedby~="${node.id}"]`) : null;
    if (input) input.setAttribute('aria-invalid', 'true');
    lines.push(...texts);
  }
  showSummary(lines);
}

// --- submit ------------------------------------------------------------------------------
async function submit(event) {
  event.preventDefault();
  clearErrors();
  const fields = Object.fromEntries(new FormData(form).entries());
  const files = chosenFiles();
  const errors = checkFiling(kind, fields, subject, files, limits);
  if (Object.keys(errors).length) {
    showErrors(errors, true);
    return;
  }
  const body = new FormData();
  body.append('application', JSON.stringify(filingPayload(kind, fields, subject, config.projection.code)));
  for (const [code, list] of Object.entries(files)) for (const file of list) body.append(`document:${code}`, file, file.name);
  const button = document.getElementById('apply-submit');
  button.disabled = true;
  result.textContent = gettext('Se depune cererea…');
  let response;
  try {
    response = await fetch(urls.file, { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRFToken': csrfToken(), ...languageHeader() }, body });
  } catch {
    result.textContent = '';
    showSummary([gettext('Conexiunea a eșuat. Datele completate au rămas în formular; încercați din nou.')]);
    button.disabled = false;
    return;
  }
  const data = await response.json().catch(() => null);
  button.disabled = false;
  clear(result);
  if (!response.ok) {
    const errs = serverErrors(data);
    showErrors(Object.keys(errs).length ? errs : { detail: [data && data.detail ? data.detail : gettext('Eroare.')] }, false);
    return;
  }
  sessionStorage.removeItem(DRAFT_KEY);
  form.hidden = true;
  result.append(
    h('h2', {}, gettext('Cererea a fost înregistrată')),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, gettext('Număr de înregistrare')),
      h('dd', { dataset: { field: 'registration-number' } }, data.registration_number),
      h('dt', {}, gettext('Data înregistrării')),
      h('dd', {}, formatDate(data.registered_at)),
      h('dt', {}, gettext('Termen de soluționare')),
      h('dd', {}, data.due_date ? formatDate(data.due_date) : gettext('fără termen legal')),
      h('dt', {}, gettext('Cheia de acces')),
      h('dd', {}, h('strong', { dataset: { field: 'access-key' } }, data.access_key)),
    ),
    h('p', {}, gettext('Păstrați numărul și cheia de acces: cu ele urmăriți cererea. Cheia nu se mai afișează.')),
    data.emailed ? h('p', {}, gettext('Le-am trimis și prin e-mail.')) : null,
    h('p', {}, h('a', { href: `${document.querySelector('a[href*="urmarire"]')?.getAttribute('href') || '/portal/urmarire/'}` }, gettext('Urmărește cererea'))),
  );
  result.querySelector('h2').setAttribute('tabindex', '-1');
  result.querySelector('h2').focus();
}

kindSelect.addEventListener('change', () => {
  clearErrors();
  onKindChange();
});
form.addEventListener('submit', submit);
document.getElementById('apply-parcel-add').addEventListener('click', addByReference);
document.getElementById('apply-parcel-ref').addEventListener('keydown', (event) => {
  if (event.key === 'Enter') {
    event.preventDefault();
    addByReference();
  }
});
const sendCode = document.getElementById('apply-send-code');
if (sendCode) {
  sendCode.addEventListener('click', () => verify(false));
  document.getElementById('apply-check-code').addEventListener('click', () => verify(true));
}
loadKinds();
