import proj4 from 'proj4';
import { fromLonLat } from 'ol/proj.js';
import { afterEach, describe, expect, it } from 'vitest';
import { registerProjection } from '../src/lib/projection.js';
import { initI18n } from '../src/lib/i18n.js';
import {
  apiDetail,
  archiveUrls,
  placeUrl,
  placementChoices,
  placementErrorText,
  placementSuccessText,
  requestedAct,
  storageCoordinate,
  uatName,
} from '../src/map/placement.js';

const CARD = {
  parcel: {
    ref: '900001:50038',
    cadastral_number: '50038',
    uat: { siruta: 900001, name: 'Mureșeni' },
    geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] },
  },
  road: null,
};
const POINT = [371234.56, 481234.57];

afterEach(() => initI18n(null));

describe('placement choices after a map click', () => {
  it('on a parcel: link to it (UAT named) or place at the point', () => {
    const choices = placementChoices(CARD, POINT);
    expect(choices.map((c) => c.kind)).toEqual(['parcel', 'point']);
    expect(choices[0].label).toBe('Leagă de imobilul 50038 (Mureșeni)');
    expect(choices[0].body).toEqual({ parcel: '900001:50038' });
    expect(choices[0].geometry.type).toBe('Polygon');
    expect(choices[1].label).toBe('Amplasează în punctul ales');
    expect(choices[1].body).toEqual({ x: 371234.56, y: 481234.57 });
  });

  it('outside every parcel, or when identify failed: only the point', () => {
    for (const identified of [{ parcel: null, road: null }, null, { parcel: {} }]) {
      const choices = placementChoices(identified, POINT);
      expect(choices.map((c) => c.kind)).toEqual(['point']);
      expect(choices[0].body).toEqual({ x: POINT[0], y: POINT[1] });
    }
  });

  it('a parcel without a UAT name falls back to its SIRUTA', () => {
    const [choice] = placementChoices({ parcel: { ref: '1017:7', cadastral_number: '7' } }, POINT);
    expect(choice.label).toBe('Leagă de imobilul 7 (1017)');
  });

  it('labels follow the catalogue (English)', () => {
    initI18n({
      language: 'en',
      catalog: {
        'Leagă de imobilul %(number)s (%(uat)s)': 'Link to property %(number)s (%(uat)s)',
        'Amplasează în punctul ales': 'Place at the chosen point',
      },
    });
    expect(placementChoices(CARD, POINT).map((c) => c.label)).toEqual([
      'Link to property 50038 (Mureșeni)',
      'Place at the chosen point',
    ]);
  });
});

describe('coordinates for the API', () => {
  it('keep the storage CRS to the centimetre', () => {
    expect(storageCoordinate([371234.5649, 481234.5751], 'EPSG:3844', 'EPSG:3844')).toEqual([
      371234.56, 481234.58,
    ]);
  });

  it('are transformed to Stereo 70 (the server\'s definition) from another view projection', () => {
    // frontend/test.sh passes the definition the server serves (projection.test.js checks it)
    registerProjection(proj4, { code: 'EPSG:3844', proj4: process.env.EPSG3844_PROJ4 });
    const cluj = fromLonLat([23.5899, 46.7712]); // Web Mercator, as OpenLayers' default view
    const [e, n] = storageCoordinate(cluj, 'EPSG:3857', 'EPSG:3844');
    expect(Math.hypot(e - 392442, n - 586697)).toBeLessThan(1);
    expect(storageCoordinate([-0.001, 0], 'EPSG:4326', 'EPSG:4326')).toEqual([0, 0]);
  });
});

describe('links and queue items', () => {
  it('reads only a positive integer from ?amplasare=', () => {
    expect(requestedAct('?amplasare=42')).toBe(42);
    expect(requestedAct('?q=x&amplasare=7')).toBe(7);
    for (const bad of ['', '?amplasare=', '?amplasare=0', '?amplasare=-3', '?amplasare=4x', '?amplasare=1e3']) {
      expect(requestedAct(bad)).toBeNull();
    }
  });

  it('builds the API URLs, overridable by the map configuration', () => {
    expect(placeUrl(archiveUrls({}).acts, 12)).toBe('/api/arhiva/acte/12/amplasare/');
    expect(archiveUrls({ api: { archive_unplaced: '/x/' } }).unplaced).toBe('/x/');
    expect(archiveUrls(null).page).toBe('/arhiva/neamplasate/');
  });

  it('shows the UAT whatever shape it comes in', () => {
    expect(uatName({ uat: { siruta: 1, name: 'Mureșeni' } })).toBe('Mureșeni');
    expect(uatName({ uat: 'Vale' })).toBe('Vale');
    expect(uatName({ uat_name: 'Deal' })).toBe('Deal');
    expect(uatName({ uat: null })).toBe('');
  });
});

describe('messages', () => {
  it('a refused placement says why and that nothing changed', () => {
    const bad = placementErrorText(400, { non_field_errors: ['Indicați fie parcel, fie x și y.'] });
    expect(bad).toBe(
      'Amplasarea a fost refuzată: Indicați fie parcel, fie x și y. Nimic nu a fost modificat.',
    );
    expect(placementErrorText(400, { parcel: 'Folosiți forma SIRUTA:nr_cadastral.' })).toContain(
      'refuzată: Folosiți forma',
    );
    expect(placementErrorText(403, { detail: 'CSRF Failed' })).toMatch(/^Nu aveți dreptul/);
    expect(placementErrorText(401, null)).toMatch(/^Nu aveți dreptul/);
    expect(placementErrorText(404, { detail: 'Not found.' })).toMatch(/^Actul sau imobilul nu mai există/);
    expect(placementErrorText(0, null)).toMatch(/^Serverul nu a putut fi contactat/);
    expect(placementErrorText(500, null)).toBe(
      'Amplasarea a eșuat (eroare 500). Nimic nu a fost modificat.',
    );
    for (const status of [0, 400, 401, 403, 404, 500]) {
      expect(placementErrorText(status, null)).toMatch(/Nimic nu a fost modificat\.$/);
    }
  });

  it('flattens DRF error bodies without field names', () => {
    expect(apiDetail({ detail: 'Nu.' })).toBe('Nu.');
    expect(apiDetail({ x: ['A.'], y: ['B.', 'C.'] })).toBe('A. B. C.');
    expect(apiDetail(['A.', { detail: 'B.' }])).toBe('A. B.');
    expect(apiDetail(null)).toBe('');
  });

  it('success names the parcel or the point', () => {
    const act = { id: 3, label: 'Autorizație de construire nr. 5/2001' };
    const [parcel, point] = placementChoices(CARD, POINT);
    expect(placementSuccessText(act, parcel)).toBe(
      'Autorizație de construire nr. 5/2001 a fost legat de imobilul 50038 (Mureșeni).',
    );
    expect(placementSuccessText(act, point)).toMatch(
      /^Autorizație de construire nr\. 5\/2001 a fost amplasat în punctul E 371.234,56 · N 481.234,57\.$/,
    );
  });
});
