// The EPSG:3844 definition the server serves (layers.projection.bound_proj4, passed in by
// frontend/test.sh) against the DOMAIN sanity points, through proj4js as the map uses it.
import proj4 from 'proj4';
import { describe, expect, it } from 'vitest';
import { get as getProjection } from 'ol/proj.js';
import { transform } from 'ol/proj.js';
import { fromLonLat, registerProjection, toLonLat } from '../src/lib/projection.js';

const definition = process.env.EPSG3844_PROJ4;
const CODE = 'EPSG:3844';
const SANITY = [
  { name: 'Bucharest', lonLat: [26.1025, 44.4268], en: [587904, 325824] },
  { name: 'Cluj-Napoca', lonLat: [23.5899, 46.7712], en: [392442, 586697] },
];

describe('EPSG:3844 from the server', () => {
  it('is provided by the test runner (frontend/test.sh)', () => {
    expect(definition, 'run the unit tests with frontend/test.sh').toMatch(/\+proj=sterea/);
    expect(definition).toMatch(/\+towgs84=/);
  });

  it.each(SANITY)('$name lands within 1 m of the published coordinates', ({ lonLat, en }) => {
    registerProjection(proj4, { code: CODE, proj4: definition });
    const [e, n] = fromLonLat(proj4, CODE, lonLat);
    expect(Math.hypot(e - en[0], n - en[1])).toBeLessThan(1);
    const back = toLonLat(proj4, CODE, [e, n]);
    expect(Math.abs(back[0] - lonLat[0])).toBeLessThan(1e-7) // about 1 cm;
    expect(Math.abs(back[1] - lonLat[1])).toBeLessThan(1e-7) // about 1 cm;
  });

  it('the other rotation sign convention would be tens of metres off', () => {
    const flipped = definition.replace(/\+towgs84=([^ ]+)/, (_, v) => {
      const p = v.split(',').map(Number);
      return `+towgs84=${[p[0], p[1], p[2], -p[3], -p[4], -p[5], p[6]].join(',')}`;
    });
    proj4.defs('TEST:FLIPPED', flipped);
    const [e, n] = proj4('EPSG:4326', 'TEST:FLIPPED', SANITY[0].lonLat);
    expect(Math.hypot(e - SANITY[0].en[0], n - SANITY[0].en[1])).toBeGreaterThan(10);
  });

  it('is registered in OpenLayers with north-east axes (WMS 1.3.0 BBOX order)', () => {
    const projection = registerProjection(proj4, { code: CODE, proj4: definition });
    expect(projection).toBe(getProjection(CODE));
    expect(projection.getAxisOrientation()).toBe('neu');
    expect(projection.getUnits()).toBe('m');
    // OpenLayers' own transform stays [easting, northing].
    const [e, n] = transform(SANITY[1].lonLat, 'EPSG:4326', CODE);
    expect(Math.hypot(e - SANITY[1].en[0], n - SANITY[1].en[1])).toBeLessThan(1);
  });

  it('refuses a definition without datum shift', () => {
    expect(() =>
      registerProjection(proj4, { code: 'TEST:NOSHIFT', proj4: '+proj=sterea +lat_0=46' }),
    ).toThrow(/datum shift/);
  });
});
