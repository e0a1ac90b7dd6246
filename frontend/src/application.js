// Officers' application page (/harta/cereri/<id>/): the subject on a small map, the
// applicant, the analysis, dossier versions, attachments and history, and the workflow
// actions. Everything goes through the permits API, which decides who may do what: a 409
// (another officer acted first) or a 400 is shown as it comes and the page reloads.

import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import { Style, Stroke, Fill, Circle as CircleStyle } from 'ol/style.js';
import { boot } from './permits.js';
import { gettext, interpolate } from './lib/i18n.js';
import { h, clear, csrfToken, fetchJSON, languageHeader } from './lib/dom.js';
import { formatDate, formatNumber } from './lib/format.js';
import { createMap, readConfig } from './map/mapview.js';
import { availableActions } from './lib/workflow.js';

const urls = boot();
const config = readConfig();
const root = document.getElementById('application');
const id = root.dataset.id;
const apiUrl = `${urls.applications}${id}/`;
const message = document.getElementById('app-message');
let app = null;
let mapParts = null;
const subjectLayer = new VectorLayer({
  source: new VectorSource(),
  zIndex: 1002,
  style: new Style({
    stroke: new Stroke({ color: '#e6007e', width: 3 }),
    fill: new Fill({ color: 'rgba(230, 0, 126, 0.12)' }),
    image: new CircleStyle({ radius: 7, fill: new Fill({ color: '#0050b4' }), stroke: new Stroke({ color: '#fff', width: 2 }) }),
  }),
});

function facts(rows) {
  return h(
    'dl',
    { class: 'facts' },
    rows.filter(Boolean).flatMap(([label, value, field]) => [h('dt', {}, label), h('dd', field ? { dataset: { field } } : {}, value ?? '–')]),
  );
}

function when(value) {
  return formatDate(value, { time: true });
}

// --- rendering ------------------------------------------------------------------------------
function renderSummary() {
  document.getElementById('app-title').textContent = `${app.kind_name} ${app.registration_number || gettext('(neînregistrată)')}`;
  const days = app.days_left;
  clear(document.getElementById('app-summary')).append(
    facts([
      [gettext('Număr de înregistrare'), app.registration_number ? `${app.registration_number} / ${formatDate(app.registered_at)}` : null, 'registration-number'],
      [gettext('Stare'), app.state_label, 'state'],
      [
        gettext('Termen'),
        app.due_date
          ? `${formatDate(app.due_date)}${days !== null && app.clock_running ? ` (${days < 0 ? interpolate(gettext('depășit cu %(n)s zile'), { n: -days }) : interpolate(gettext('mai sunt %(n)s zile'), { n: days })})` : ''}`
          : gettext('fără termen legal'),
        'due-date',
      ],
      app.clock_running === false && app.state === 'completion_requested' ? [gettext('Termenul'), gettext('suspendat până la completare')] : null,
      [
        gettext('Imobile'),
        app.parcels.length
          ? app.parcels.map((p, i) => [i ? ', ' : '', h('a', { href: `${urls.map}?q=${encodeURIComponent(`${p.uat}:${p.cadastral_number}`)}` }, `${p.cadastral_number} (UAT ${p.uat})`)])
          : '–',
      ],
      app.location ? [gettext('Adresa amplasamentului'), app.location] : null,
      app.purpose ? [gettext('Scop'), app.purpose + (app.purpose_detail ? ` – ${app.purpose_detail}` : '')] : null,
      [gettext('Obiectul cererii'), app.description || '–'],
      app.built_area ? [gettext('Suprafață construită (m²)'), app.built_area] : null,
      app.floor_area ? [gettext('Suprafață desfășurată (m²)'), app.floor_area] : null,
      app.height ? [gettext('Înălțime (m)'), app.height] : null,
      app.levels !== null && app.levels !== undefined ? [gettext('Niveluri'), String(app.levels)] : null,
      app.proposed_use ? [gettext('Funcțiunea propusă'), app.proposed_use] : null,
      app.act ? [gettext('Act emis'), `${app.act.number} / ${formatDate(app.act.issued_at)}${app.act.valid_until ? ` – ${interpolate(gettext('valabil până la %(d)s'), { d: formatDate(app.act.extended_until || app.act.valid_until) })}` : ''}`, 'act'] : null,
      app.missing_documents.length ? [gettext('Documente lipsă'), app.missing_documents.map((d) => d.name).join('; ')] : null,
    ]),
    ...(app.needs_reanalysis ? [h('p', { class: 'badge due-soon' }, gettext('Cadastrul s-a schimbat după ultima analiză: reanalizați.'))] : []),
  );
  const person = app.applicant || {};
  clear(document.getElementById('app-applicant')).append(
    facts([
      [gettext('Nume / denumire'), person.name],
      [gettext('Tip'), person.kind === 'pj' ? gettext('persoană juridică') : gettext('persoană fizică')],
      [gettext('CNP / CUI'), person.id_code || '–'],
      person.representative ? [gettext('Reprezentant'), person.representative] : null,
      [gettext('Domiciliu / sediu'), person.address || '–'],
      [gettext('E-mail'), person.email || '–'],
      [gettext('Telefon'), person.phone || '–'],
      app.owner ? [gettext('Cont'), app.owner] : null,
    ]),
  );
}

function renderAnalysis() {
  const box = clear(document.getElementById('app-analysis'));
  const a = app.analysis;
  if (!a) {
    box.append(h('p', { class: 'muted' }, app.assembly ? gettext('Analiza este în curs.') : gettext('Nicio analiză încă.')));
    return;
  }
  const pct = (x) => `${formatNumber(x.percent, 1)}% (${formatNumber(x.area_m2, 0)} m²)`;
  box.append(
    facts([
      [gettext('Suprafața amplasamentului'), `${formatNumber(a.subject.area_m2, 0)} m²`],
      [gettext('Situare'), `${gettext(a.intravilan.status)} (${formatNumber(a.intravilan.percent, 1)}%)`],
    ]),
    h('h3', {}, gettext('Zone (UTR)')),
    a.zones.length ? h('ul', {}, a.zones.map((z) => h('li', {}, `${z.code} – ${z.name}: ${pct(z)}`))) : h('p', {}, gettext('În afara zonelor planurilor urbanistice.')),
    h('h3', {}, gettext('Restricții')),
    a.restrictions.length ? h('ul', {}, a.restrictions.map((r) => h('li', {}, `${r.name}: ${pct(r)}`))) : h('p', {}, gettext('Fără restricții.')),
    h('h3', {}, gettext('Drum județean')),
    a.road
      ? h(
          'div',
          { dataset: { field: 'road' } },
          h('p', {}, interpolate(gettext('%(road)s, cel mai apropiat punct la %(km)s, la %(d)s m (partea %(side)s).'), {
            road: a.road.number,
            km: a.road.nearest_km,
            d: formatNumber(a.road.distance_m, 1),
            side: gettext(a.road.side),
          })),
          a.road.access
            ? h('p', {}, interpolate(gettext('Acces la %(km)s, la %(off)s m de ax, partea %(side)s.'), {
                km: a.road.access.km,
                off: formatNumber(a.road.access.offset_m, 1),
                side: gettext(a.road.access.side),
              }))
            : null,
          a.road_bands.length ? h('ul', {}, a.road_bands.map((b) => h('li', {}, `${b.road || a.road.number} – ${gettext(b.band)}: ${pct(b)}`))) : null,
        )
      : h('p', {}, gettext('Niciun drum județean în apropiere.')),
    h('h3', {}, gettext('Constatări')),
    h('ul', { class: 'findings' }, a.findings.map((f) => h('li', { class: `finding ${f.severity}` }, f.message))),
    h('h3', {}, gettext('Avize necesare')),
    h('ul', { class: 'approvals' }, a.approvals.map((x) => h('li', {}, `${x.approval} – ${x.authority}${x.reason ? ` (${x.reason})` : ''}`))),
  );
}

function renderDossiers() {
  const box = clear(document.getElementById('app-dossiers'));
  if (app.assembly) {
    const run = app.assembly;
    box.append(
      h('p', { dataset: { field: 'assembly' } }, `${gettext('Generare')}: ${run.status_label}${run.status === 'running' ? ` (${run.progress}%, ${run.step})` : ''}`),
      run.error && typeof run.error === 'string' ? h('p', { class: 'error' }, run.error) : null,
      run.warnings && run.warnings.length ? h('ul', {}, run.warnings.map((w) => h('li', { class: 'finding warning' }, typeof w === 'string' ? w : JSON.stringify(w)))) : null,
    );
  }
  if (!app.dossiers.length) {
    box.append(h('p', { class: 'muted' }, gettext('Niciun dosar generat.')));
    return;
  }
  box.append(
    h(
      'ul',
      {},
      app.dossiers.map((d) =>
        h(
          'li',
          {},
          h('a', { href: `${apiUrl}dossier/?version=${d.version}`, download: '', dataset: { version: d.version } }, interpolate(gettext('Dosarul GIS, versiunea %(v)s'), { v: d.version })),
          ` – ${when(d.created_at)}, ${interpolate(gettext('%(n)s pagini'), { n: d.pages })}, ${formatNumber(d.size / 1024, 0)} kB`,
          h('span', { class: 'muted' }, ` · ${gettext('cu planul de încadrare și planul de situație')}`),
        ),
      ),
    ),
  );
}

function renderAttachments() {
  const box = clear(document.getElementById('app-attachments'));
  if (!app.attachments.length) {
    box.append(h('p', { class: 'muted' }, gettext('Niciun document.')));
    return;
  }
  box.append(
    h(
      'ul',
      {},
      app.attachments.map((at) =>
        h(
          'li',
          {},
          h('a', { href: `${apiUrl}attachments/${at.id}/`, download: '' }, at.original_name || at.document || gettext('anexă')),
          ` – ${at.document || gettext('alt document')}, ${at.content_type}, ${formatNumber(at.size / 1024, 0)} kB, ${when(at.uploaded_at)}`,
        ),
      ),
    ),
  );
}

function renderHistory() {
  clear(document.getElementById('app-history')).append(
    h(
      'ol',
      { class: 'history' },
      app.events.map((e) =>
        h(
          'li',
          {},
          `${when(e.at)} – ${e.action_label}${e.state_label ? ` (${e.state_label})` : ''}`,
          e.actor ? h('span', { class: 'muted' }, ` · ${e.actor}`) : null,
          e.reason ? h('span', {}, ` – ${e.reason}`) : null,
          e.public === false ? h('span', { class: 'muted' }, ` · ${gettext('intern')}`) : null,
        ),
      ),
    ),
  );
}

// --- map -------------------------------------------------------------------------------------
async function renderMap() {
  if (!mapParts) {
    mapParts = createMap(config, { target: 'app-map' });
    mapParts.map.addLayer(subjectLayer);
  }
  const source = subjectLayer.getSource();
  source.clear();
  const from4326 = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: mapParts.projection });
  for (const name of ['footprint', 'access_point']) {
    if (app[name]) source.addFeature(from4326.readFeature({ type: 'Feature', geometry: app[name], properties: { name } }));
  }
  await Promise.all(
    app.parcels.map((p) =>
      fetchJSON(`${urls.parcel}${p.uat}/${encodeURIComponent(p.cadastral_number)}/`)
        .then((card) => source.addFeature(mapParts.geojson.readFeature({ type: 'Feature', geometry: card.geometry, properties: {} })))
        .catch(() => {}),
    ),
  );
  if (source.getFeatures().length) {
    mapParts.view.fit(source.getExtent(), { padding: [30, 30, 30, 30], minResolution: 0.25 });
  }
}

// --- actions ----------------------------------------------------------------------------------
function showMessage(kind, text) {
  clear(message).append(h('p', { class: kind }, text));
  message.dataset.kind = kind;
}

async function act(action, body) {
  const response = await fetch(`${apiUrl}${action.path}/`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(), ...languageHeader() },
    body: JSON.stringify({ ...body, revision: app.revision }),
  });
  const data = await response.json().catch(() => ({}));
  if (response.status === 409) {
    await load(); // first the current state, then the message about it
    showMessage('conflict', `${gettext('Alt funcționar a acționat între timp; pagina arată acum starea actuală.')} ${data.detail || ''}`);
    return;
  }
  if (response.status === 400) {
    const text = data.detail || Object.entries(data).map(([k, v]) => `${k}: ${[].concat(v).join(' ')}`).join('; ');
    showMessage('error', `${gettext('Acțiunea nu s-a făcut:')} ${text}`);
    return;
  }
  if (response.status === 403 || response.status === 404) {
    showMessage('error', data.detail || gettext('Nu aveți dreptul să faceți această acțiune.'));
    return;
  }
  if (!response.ok) {
    showMessage('error', interpolate(gettext('Eroare %(s)s.'), { s: response.status }));
    return;
  }
  showMessage('ok', interpolate(gettext('Făcut: %(a)s.'), { a: gettext(action.label) }));
  app = data;
  render();
}

function actionForm(action) {
  const fields = action.fields.map((f) => {
    const inputId = `act-${action.path}-${f.name}`;
    const attrs = { id: inputId, name: f.name, required: f.required || false };
    let input;
    if (f.type === 'textarea') input = h('textarea', { ...attrs, rows: 2, maxlength: 5000 });
    else if (f.type === 'number') input = h('input', { ...attrs, type: 'number', min: f.min, max: f.max, value: f.value ?? '' });
    else input = h('input', { ...attrs, type: 'text', maxlength: 300 });
    return [h('label', { for: inputId }, gettext(f.label)), input];
  });
  const form = h(
    'form',
    { class: 'stack-form action', dataset: { action: action.path } },
    h('h3', {}, gettext(action.label)),
    fields,
    h('button', { type: 'submit' }, gettext(action.label)),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form).entries());
    const body = {};
    for (const f of action.fields) {
      const raw = (values[f.name] || '').trim();
      if (!raw) continue;
      if (f.type === 'number') body[f.name] = Number(raw);
      else if (f.type === 'lines') body[f.name] = raw.split(/[;\n]/).map((s) => s.trim()).filter(Boolean);
      else body[f.name] = raw;
    }
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      await act(action, body);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function renderActions() {
  const box = clear(document.getElementById('app-actions'));
  const actions = availableActions(app);
  if (!actions.length) {
    box.append(h('p', { class: 'muted' }, gettext('Nicio acțiune posibilă în această stare.')));
    return;
  }
  for (const action of actions) box.append(actionForm(action));
}

function render() {
  renderSummary();
  renderActions();
  renderAnalysis();
  renderDossiers();
  renderAttachments();
  renderHistory();
  renderMap();
  root.removeAttribute('aria-busy');
  document.body.dataset.applicationRevision = String(app.revision);
}

async function load() {
  try {
    app = await fetchJSON(apiUrl);
  } catch (error) {
    showMessage('error', error.status === 404 ? gettext('Cererea nu există sau nu este a compartimentului dumneavoastră.') : error.detail || gettext('Cererea nu a putut fi încărcată.'));
    root.removeAttribute('aria-busy');
    return;
  }
  render();
}

load();
