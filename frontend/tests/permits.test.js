import { describe, expect, it } from 'vitest';
import { applicationPayload, errorText, nextPage, readDraft } from '../src/permits.js';

const draft = {
  crs: 'EPSG:3844',
  parcels: [{ uat: 900001, cadastral_number: '50038' }],
  footprint: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] },
  access_point: null,
};

describe('hand-over from the map to the permits API', () => {
  it('builds the draft payload in the map CRS', () => {
    const payload = applicationPayload(draft, { kind: 'cu', name: 'Ana', email: 'a@b.ro' });
    expect(payload).toMatchObject({
      kind: 'cu',
      crs: 'EPSG:3844',
      parcels: [{ uat: 900001, cadastral_number: '50038' }],
      applicant: { kind: 'pf', name: 'Ana', email: 'a@b.ro', phone: '' },
    });
    expect(payload.footprint.type).toBe('Polygon');
    expect('access_point' in payload).toBe(false);
  });

  it('works without a draft', () => {
    expect(applicationPayload(null, { kind: 'petitie', name: 'X' }).parcels).toEqual([]);
  });

  it('reads the draft from storage and tolerates garbage', () => {
    const storage = (value) => ({ getItem: () => value });
    expect(readDraft(storage(JSON.stringify(draft))).parcels[0].cadastral_number).toBe('50038');
    expect(readDraft(storage('{nope'))).toBeNull();
    expect(readDraft(storage(null))).toBeNull();
  });

  it('turns API errors into one line', () => {
    expect(errorText({ detail: 'Nu.' })).toBe('Nu.');
    expect(errorText({ applicant: ['Indicați un e-mail.'] })).toBe('applicant: Indicați un e-mail.');
  });
});

describe('the paginated queue', () => {
  it('follows the next page on this origin, whatever host the API named', () => {
    const base = 'https://gis.cj-alba.ro/harta/cereri/';
    const data = { next: 'http://127.0.0.1:8001/api/permits/applications/?page=2&state=registered' };
    expect(nextPage(data, base)).toBe('/api/permits/applications/?page=2&state=registered');
    expect(nextPage({ next: null, results: [] }, base)).toBeNull();
    expect(nextPage([], base)).toBeNull();
  });
});
