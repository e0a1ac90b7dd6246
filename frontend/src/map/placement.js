// Placing the archive's unplaced acts on the officers' map. A pane lists the queue
// (GET /api/arhiva/neamplasate/); choosing an act arms a placement mode (crosshair cursor,
// Esc cancels); a click on the map (or Enter: the map centre) asks what is there (the
// identify endpoint) and offers "link to this parcel" when the click fell on one, and
// "place at the clicked point" always; the choice is posted to
// POST /api/arhiva/acte/<id>/amplasare/ in the storage CRS (EPSG:3844). The server
// decides (officers only); the pane only reflects its answer, and a refusal changes
// nothing on the page.

import { transform } from 'ol/proj.js';
import { h, clear, fetchJSON, postJSON } from '../lib/dom.js';
import { gettext, interpolate } from '../lib/i18n.js';
import { formatStereo70 } from '../lib/format.js';

/** /harta/?amplasare=<id> opens the map with the placement of that act armed. */
export const PLACEMENT_PARAM = 'amplasare';

/** The archive's URLs: from the map configuration when it names them, else where the
 * project mounts the archive (like archive.js). */
export function archiveUrls(config) {
  const api = (config && config.api) || {};
  return {
    unplaced: api.archive_unplaced || '/api/arhiva/neamplasate/',
    acts: api.archive_acts || '/api/arhiva/acte/',
    page: api.archive_unplaced_page || '/arhiva/neamplasate/',
  };
}

export function placeUrl(actsBase, id) {
  return `${actsBase}${encodeURIComponent(id)}/amplasare/`;
}

/** The act asked for in the page's query string, or null (only a positive integer). */
export function requestedAct(search) {
  const value = new URLSearchParams(search || '').get(PLACEMENT_PARAM);
  if (!value || !/^[0-9]{1,12}$/.test(value)) return null;
  const id = Number(value);
  return id > 0 ? id : null;
}

/** A map coordinate in the storage CRS, to the centimetre (the view is normally in the
 * storage CRS already; any other view projection is transformed through proj4/OL). */
export function storageCoordinate(coordinate, viewCode, storageCode) {
  const [x, y] = viewCode === storageCode ? coordinate : transform(coordinate, viewCode, storageCode);
  const cm = (v) => Math.round(v * 100) / 100 || 0; // never -0
  return [cm(x), cm(y)];
}

/** The UAT name of a queue item, whatever shape the API gives it (object, name or none). */
export function uatName(act) {
  const uat = act && act.uat;
  if (!uat) return act && act.uat_name ? act.uat_name : '';
  return typeof uat === 'string' ? uat : uat.name || '';
}

/**
 * What the officer may choose after a click at `point` (storage CRS), given the identify
 * answer there: link to the parcel under the click when there is one, and always place
 * at the point. Each choice carries its label and the body of the placement request.
 */
export function placementChoices(identified, point) {
  const choices = [];
  const parcel = identified && identified.parcel;
  if (parcel && parcel.ref) {
    const uat = (parcel.uat && (parcel.uat.name || parcel.uat.siruta)) || parcel.ref.split(':')[0];
    choices.push({
      kind: 'parcel',
      ref: parcel.ref,
      number: parcel.cadastral_number,
      uat: String(uat),
      geometry: parcel.geometry || null,
      label: interpolate(gettext('Leagă de imobilul %(number)s (%(uat)s)'), {
        number: parcel.cadastral_number,
        uat,
      }),
      body: { parcel: parcel.ref },
    });
  }
  choices.push({
    kind: 'point',
    point: [point[0], point[1]],
    label: gettext('Amplasează în punctul ales'),
    body: { x: point[0], y: point[1] },
  });
  return choices;
}

/** The words of an API error answer, without field names (DRF: detail, a list, or
 * {field: [messages]}). */
export function apiDetail(data) {
  if (!data) return '';
  if (typeof data === 'string') return data;
  if (Array.isArray(data)) return data.map(apiDetail).filter(Boolean).join(' ');
  if (typeof data === 'object') {
    if (data.detail) return apiDetail(data.detail);
    return Object.values(data).map(apiDetail).filter(Boolean).join(' ');
  }
  return String(data);
}

/** The officer's message for a placement the server refused (HTTP status, 0 when the
 * server could not be reached) or that failed: nothing was changed. */
export function placementErrorText(status, data) {
  const detail = apiDetail(data);
  let text;
  if (status === 400) {
    text = detail
      ? interpolate(gettext('Amplasarea a fost refuzată: %(detail)s'), { detail })
      : gettext('Amplasarea a fost refuzată.');
  } else if (status === 401 || status === 403) {
    text = gettext(
      'Nu aveți dreptul să amplasați acte: autentificați-vă din nou cu un cont de funcționar.',
    );
  } else if (status === 404) {
    text = gettext('Actul sau imobilul nu mai există (poate a fost eliminat între timp).');
  } else if (!status) {
    text = gettext('Serverul nu a putut fi contactat.');
  } else {
    text = interpolate(gettext('Amplasarea a eșuat (eroare %(status)s).'), { status });
  }
  return `${text} ${gettext('Nimic nu a fost modificat.')}`;
}

/** The message after a placement the server accepted. */
export function placementSuccessText(act, choice) {
  if (choice.kind === 'parcel') {
    return interpolate(gettext('%(act)s a fost legat de imobilul %(number)s (%(uat)s).'), {
      act: act.label,
      number: choice.number,
      uat: choice.uat,
    });
  }
  return interpolate(gettext('%(act)s a fost amplasat în punctul %(point)s.'), {
    act: act.label,
    point: formatStereo70(choice.point),
  });
}

/**
 * The "Acte neamplasate" pane of the officers' map. `container` is the pane; `parts` the
 * map (createMap); `onArm` runs when a placement is armed (stop the drawing tools);
 * `onPlaced({act, choice, result})` after the server accepted a placement.
 * Map clicks are routed here by the caller while `busy()`: `pick(coordinate)`.
 */
export function setupPlacement(
  container,
  { config, parts, setStatus = () => {}, showPane = () => {}, onArm = () => {}, onPlaced = () => {} },
) {
  const urls = archiveUrls(config);
  const viewCode = parts.view.getProjection().getCode();
  const storageCode = config.projection.code;
  const mapElement = parts.map.getTargetElement();
  const state = { mode: 'idle', act: null, seq: 0, acts: [] };

  const message = h('div', {
    class: 'placement-message',
    role: 'status',
    'aria-live': 'polite',
    dataset: { testid: 'placement-message' },
  });
  const confirm = h('div', {
    class: 'placement-confirm',
    hidden: true,
    dataset: { testid: 'placement-confirm' },
  });
  const list = h('div', { class: 'unplaced', dataset: { testid: 'unplaced-list' } });
  const reload = h('button', { type: 'button', class: 'linkish' }, gettext('Reîncarcă lista'));
  reload.addEventListener('click', () => load());

  clear(container).append(
    h('h2', { class: 'pane-title' }, gettext('Acte neamplasate')),
    h(
      'p',
      { class: 'hint' },
      gettext('Alegeți un act, apoi faceți clic pe hartă în locul la care se referă (Enter: centrul hărții, Esc renunță).'),
    ),
    message,
    confirm,
    list,
    h(
      'p',
      { class: 'muted' },
      reload,
      ' · ',
      h('a', { href: urls.page }, gettext('Lista din arhivă')),
    ),
  );

  function say(text, kind = '') {
    message.className = `placement-message ${kind}`.trim();
    message.textContent = text;
  }

  function setMode(mode) {
    state.mode = mode;
    container.dataset.state = mode;
    mapElement.classList.toggle('placing', mode === 'armed' || mode === 'confirm');
    for (const b of list.querySelectorAll('button[data-place]')) {
      const armed = mode !== 'idle' && state.act && b.dataset.place === String(state.act.id);
      b.setAttribute('aria-pressed', String(Boolean(armed)));
      b.closest('li').classList.toggle('armed', Boolean(armed));
    }
  }

  function renderList() {
    clear(list);
    if (!state.acts.length) {
      list.append(h('p', {}, gettext('Toate actele sunt amplasate.')));
      return;
    }
    list.append(
      h(
        'ul',
        { class: 'unplaced-list' },
        state.acts.map((act) => {
          const where = [act.address || '', uatName(act)].filter(Boolean).join(' · ');
          const button = h(
            'button',
            { type: 'button', 'aria-pressed': 'false', dataset: { place: String(act.id) } },
            gettext('Amplasează pe hartă'),
          );
          button.addEventListener('click', () =>
            state.mode !== 'idle' && state.act && state.act.id === act.id ? cancel() : arm(act),
          );
          return h(
            'li',
            { dataset: { act: String(act.id) } },
            h('strong', {}, act.detail_url ? h('a', { href: act.detail_url }, act.label) : act.label),
            h('div', { class: 'muted' }, where || gettext('fără adresă')),
            button,
          );
        }),
      ),
    );
  }

  async function load() {
    try {
      const data = await fetchJSON(urls.unplaced);
      state.acts = data.results || [];
    } catch (error) {
      say(
        interpolate(gettext('Lista actelor neamplasate nu a putut fi încărcată (%(e)s).'), {
          e: error.status || error.message,
        }),
        'error',
      );
      return;
    }
    renderList();
    if (state.act) setMode(state.mode);
  }

  function showConfirm(...children) {
    clear(confirm).append(...children.filter(Boolean));
    confirm.hidden = false;
  }

  function cancelButton() {
    return h(
      'button',
      { type: 'button', dataset: { choice: 'cancel' }, onclick: () => cancel() },
      gettext('Renunță'),
    );
  }

  function arm(act) {
    cancel();
    onArm();
    state.act = act;
    say('');
    setMode('armed');
    showConfirm(
      h('p', {}, h('strong', {}, interpolate(gettext('Se amplasează: %(act)s'), { act: act.label }))),
      h('p', { class: 'muted' }, gettext('Faceți clic pe hartă în locul actului.')),
      h('div', { class: 'tool-buttons' }, cancelButton()),
    );
    setStatus(
      interpolate(gettext('Faceți clic pe hartă unde se află %(act)s; Esc renunță.'), { act: act.label }),
    );
    showPane();
    mapElement.focus({ preventScroll: true });
  }

  function cancel() {
    state.seq += 1;
    const wasActive = state.mode !== 'idle';
    state.act = null;
    setMode('idle');
    clear(confirm);
    confirm.hidden = true;
    if (wasActive) {
      parts.showGeometry(null);
      setStatus('');
    }
  }

  async function pick(coordinate) {
    if (state.mode !== 'armed' && state.mode !== 'confirm') return false;
    const seq = ++state.seq;
    const point = storageCoordinate(coordinate, viewCode, storageCode);
    const act = state.act;
    setMode('identifying');
    parts.showGeometry({ type: 'Point', coordinates: point });
    showConfirm(h('p', {}, gettext('Se caută imobilul din punctul ales…')));
    let identified = null;
    try {
      identified = await fetchJSON(
        `${config.api.identify}?x=${point[0].toFixed(2)}&y=${point[1].toFixed(2)}` +
          `&res=${parts.view.getResolution().toFixed(3)}`,
      );
    } catch {
      identified = null; // the point is still a valid choice
    }
    if (seq !== state.seq) return true; // cancelled or picked again meanwhile
    const choices = placementChoices(identified, point);
    const parcelChoice = choices.find((c) => c.kind === 'parcel');
    if (parcelChoice && parcelChoice.geometry) parts.showGeometry(parcelChoice.geometry);
    const buttons = choices.map((choice) =>
      h(
        'button',
        { type: 'button', dataset: { choice: choice.kind }, onclick: () => choose(act, choice) },
        choice.label,
      ),
    );
    showConfirm(
      h('p', {}, h('strong', {}, act.label)),
      h('p', { class: 'muted', dataset: { field: 'placement-point' } }, formatStereo70(point)),
      parcelChoice ? null : h('p', {}, gettext('Punctul nu se află pe un imobil.')),
      h('div', { class: 'tool-buttons' }, buttons, cancelButton()),
      h('p', { class: 'muted' }, gettext('Un alt clic pe hartă alege alt punct.')),
    );
    setMode('confirm');
    buttons[0].focus({ preventScroll: true });
    return true;
  }

  async function choose(act, choice) {
    if (state.mode !== 'confirm') return;
    setMode('saving');
    for (const b of confirm.querySelectorAll('button')) b.disabled = true;
    let response = null;
    let data = null;
    try {
      response = await postJSON(placeUrl(urls.acts, act.id), choice.body);
      data = await response.json().catch(() => null);
    } catch {
      response = null;
    }
    cancel();
    if (!response || !response.ok) {
      say(placementErrorText(response ? response.status : 0, data), 'error');
      return;
    }
    state.acts = state.acts.filter((a) => a.id !== act.id);
    renderList();
    say(placementSuccessText(act, choice), 'ok');
    if (choice.kind === 'parcel' && choice.geometry) parts.showGeometry(choice.geometry);
    else if (choice.kind === 'point') parts.showGeometry({ type: 'Point', coordinates: choice.point });
    onPlaced({ act, choice, result: data });
  }

  /** Arm the placement of act `id` (from the queue, else from its detail: it may be
   * beyond the first page of the queue or already placed). */
  async function armById(id) {
    await loaded;
    let act = state.acts.find((a) => a.id === id);
    if (!act) {
      try {
        act = await fetchJSON(`${urls.acts}${encodeURIComponent(id)}/`);
      } catch {
        say(interpolate(gettext('Actul %(id)s nu există sau nu vă este accesibil.'), { id }), 'error');
        showPane();
        return false;
      }
    }
    arm(act);
    if (act.placement && act.placement !== 'unplaced') {
      say(gettext('Actul este deja amplasat; noua amplasare se adaugă celei existente.'));
    }
    return true;
  }

  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && (state.mode === 'armed' || state.mode === 'confirm' || state.mode === 'identifying')) {
      cancel();
    }
  });

  const loaded = load();
  return {
    busy: () => state.mode !== 'idle',
    pick,
    cancel,
    armById,
    reload: load,
    loaded,
  };
}
