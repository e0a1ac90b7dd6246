// Tools: measure distance and area (planar, in Stereo 70 like the cadastre), draw a
// footprint or an access point and analyse them, hand a draft application over to the
// permits module, print the current view to PDF at a chosen scale.

import Draw from 'ol/interaction/Draw.js';
import { Style, Stroke, Fill, Circle as CircleStyle } from 'ol/style.js';
import { h, clear, postJSON, fetchJSON } from '../lib/dom.js';
import { gettext, interpolate } from '../lib/i18n.js';
import { formatArea, formatLength, formatScale } from '../lib/format.js';

const DRAFT_KEY = 'gisapp.applicationDraft';
const sketchStyle = new Style({
  stroke: new Stroke({ color: '#0050b4', width: 2, lineDash: [6, 4] }),
  fill: new Fill({ color: 'rgba(0, 80, 180, 0.15)' }),
  image: new CircleStyle({ radius: 6, fill: new Fill({ color: '#0050b4' }) }),
});

export function measureText(geometry) {
  const type = geometry.getType();
  if (type === 'LineString') return formatLength(geometry.getLength());
  if (type === 'Polygon') {
    const ring = geometry.getLinearRing(0);
    const perimeter = ring ? formatLength(ringLength(ring.getCoordinates())) : '';
    return `${formatArea(geometry.getArea())} (${gettext('perimetru')} ${perimeter})`;
  }
  return '';
}

function ringLength(coords) {
  let total = 0;
  for (let i = 1; i < coords.length; i++) {
    total += Math.hypot(coords[i][0] - coords[i - 1][0], coords[i][1] - coords[i - 1][1]);
  }
  return total;
}

export function setupTools(container, { config, parts, getSelectedParcel, setStatus }) {
  const { map, sketch, geojson } = parts;
  sketch.setStyle(sketchStyle);
  let draw = null;
  let drawEndedAt = -Infinity;
  const drafts = { footprint: null, access: null };
  const output = h('div', { class: 'tool-output', 'aria-live': 'polite', dataset: { testid: 'tool-output' } });

  function stop() {
    if (draw) map.removeInteraction(draw);
    draw = null;
    for (const b of container.querySelectorAll('button[aria-pressed]')) b.setAttribute('aria-pressed', 'false');
  }

  function start(kind, button) {
    stop();
    const type = { distance: 'LineString', area: 'Polygon', footprint: 'Polygon', access: 'Point' }[kind];
    draw = new Draw({ source: sketch.getSource(), type, style: sketchStyle });
    button.setAttribute('aria-pressed', 'true');
    map.getTargetElement().focus();
    draw.on('drawstart', (event) => {
      if (kind === 'distance' || kind === 'area') {
        event.feature.getGeometry().on('change', (e) => {
          output.textContent = measureText(e.target);
        });
      }
    });
    draw.on('drawend', (event) => {
      drawEndedAt = performance.now();
      const geometry = event.feature.getGeometry();
      event.feature.set('kind', kind);
      if (kind === 'distance' || kind === 'area') {
        const label = kind === 'distance' ? gettext('Distanță') : gettext('Suprafață');
        output.textContent = `${label}: ${measureText(geometry)}`;
      } else {
        if (drafts[kind]) sketch.getSource().removeFeature(drafts[kind]);
        drafts[kind] = event.feature;
        analyse();
      }
      // one shape per activation; keep the tool active for measuring again
      if (kind === 'footprint' || kind === 'access') stop();
    });
    map.addInteraction(draw);
    setStatus(gettext('Desenați pe hartă; dublu clic încheie, Esc renunță.'));
  }

  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && draw) {
      draw.abortDrawing();
      stop();
      setStatus('');
    }
  });

  function geometryOf(feature) {
    return feature ? geojson.writeGeometryObject(feature.getGeometry(), { decimals: 2 }) : null;
  }

  async function analyse() {
    const parcel = getSelectedParcel();
    const body = { crs: config.projection.code, proposed: {} };
    if (drafts.footprint) body.proposed.footprint = geometryOf(drafts.footprint);
    if (drafts.access) body.proposed.access_point = geometryOf(drafts.access);
    if (parcel) body.parcels = [{ uat: parcel.uat.siruta, cadastral_number: parcel.cadastral_number }];
    else if (drafts.footprint) body.geometry = geometryOf(drafts.footprint);
    else {
      output.textContent = gettext('Alegeți întâi un imobil (clic pe hartă) sau desenați o amprentă.');
      return;
    }
    output.textContent = gettext('Se analizează…');
    const response = await postJSON(config.api.analysis, body);
    const data = await response.json();
    clear(output);
    if (!response.ok) {
      output.append(h('p', { class: 'error' }, data.detail || JSON.stringify(data)));
      return;
    }
    output.append(
      h('h4', {}, gettext('Analiza amplasamentului')),
      drafts.access && data.road && data.road.access
        ? h('p', {}, interpolate(gettext('Acces la %(road)s, %(km)s, partea %(side)s.'), {
            road: data.road.number,
            km: data.road.access.km,
            side: gettext(data.road.access.side),
          }))
        : null,
      h(
        'ul',
        { class: 'findings' },
        data.findings.map((f) => h('li', { class: `finding ${f.severity}` }, f.message)),
      ),
      h('button', { type: 'button', onclick: () => startApplication(parcel, data) }, gettext('Începe o cerere')),
    );
  }

  async function startApplication(parcel, analysis) {
    const draft = {
      created: new Date().toISOString(),
      crs: config.projection.code,
      parcels: parcel ? [{ uat: parcel.uat.siruta, cadastral_number: parcel.cadastral_number }] : [],
      footprint: geometryOf(drafts.footprint),
      access_point: geometryOf(drafts.access),
      findings: analysis.findings,
    };
    sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
    // Hand-over to the permits module when it exists; it reads the draft from
    // sessionStorage['gisapp.applicationDraft'].
    try {
      const response = await fetch(config.api.application_form, { method: 'HEAD', credentials: 'same-origin' });
      if (response.ok) {
        window.location.assign(config.api.application_form);
        return;
      }
    } catch {
      /* fall through */
    }
    setStatus(gettext('Modulul de cereri nu este încă disponibil; schița a fost păstrată în acest browser.'));
  }

  // print form
  const scaleSelect = h(
    'select',
    { id: 'print-scale' },
    config.print_scales.map((s) => h('option', { value: String(s), selected: s === 1000 }, formatScale(s))),
  );
  const titleInput = h('input', { id: 'print-title', type: 'text', maxlength: '120', value: gettext('Plan de situație') });
  const printLink = h('div', { class: 'print-result', 'aria-live': 'polite' });
  const printButton = h('button', { type: 'submit', id: 'print-button' }, gettext('Tipărește PDF'));
  const printForm = h(
    'form',
    { class: 'stack-form', id: 'print-form' },
    h('label', { for: 'print-scale' }, gettext('Scara')),
    scaleSelect,
    h('label', { for: 'print-title' }, gettext('Titlu')),
    titleInput,
    printButton,
    printLink,
  );
  printForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const parcel = getSelectedParcel();
    printButton.disabled = true;
    printLink.textContent = gettext('Se generează PDF-ul…');
    try {
      const response = await postJSON(config.api.print, {
        center: map.getView().getCenter().map((v) => Math.round(v * 100) / 100),
        scale: Number(scaleSelect.value),
        title: titleInput.value,
        ...(parcel ? { parcel: parcel.ref } : {}),
      });
      if (!response.ok) throw new Error(`${response.status}`);
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const name = (response.headers.get('Content-Disposition') || '').match(/filename="([^"]+)"/);
      const link = h('a', { href: url, download: name ? name[1] : 'harta.pdf' }, gettext('Descarcă PDF-ul'));
      clear(printLink).append(link);
      link.click();
    } catch (error) {
      printLink.textContent = interpolate(gettext('Tipărirea a eșuat (%(e)s).'), { e: error.message });
    } finally {
      printButton.disabled = false;
    }
  });

  const button = (kind, label) => {
    const b = h('button', { type: 'button', 'aria-pressed': 'false', dataset: { tool: kind } }, label);
    b.addEventListener('click', () => (b.getAttribute('aria-pressed') === 'true' ? stop() : start(kind, b)));
    return b;
  };
  clear(container).append(
    h('h2', { class: 'pane-title' }, gettext('Instrumente')),
    h(
      'div',
      { class: 'tool-buttons', role: 'group', 'aria-label': gettext('Măsurare') },
      button('distance', gettext('Măsoară distanța')),
      button('area', gettext('Măsoară suprafața')),
    ),
    h(
      'div',
      { class: 'tool-buttons', role: 'group', 'aria-label': gettext('Propunere') },
      button('footprint', gettext('Desenează amprenta')),
      button('access', gettext('Punct de acces')),
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            stop();
            sketch.getSource().clear();
            drafts.footprint = drafts.access = null;
            clear(output);
          },
        },
        gettext('Șterge desenele'),
      ),
    ),
    output,
    h('h3', {}, gettext('Tipărire')),
    printForm,
  );
  // Map clicks belong to the drawing while a tool is active and just after it finished
  // (the closing click also reaches the map).
  const busy = () => draw !== null || performance.now() - drawEndedAt < 500;
  return { stop, busy };
}

export { fetchJSON };
