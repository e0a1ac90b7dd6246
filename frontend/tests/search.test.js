import { describe, expect, it } from 'vitest';
import { archiveResult } from '../src/map/search.js';

describe('archiveResult', () => {
  const act = { id: 7, label: 'Autorizație de construire nr. 123/1998', address: 'Str. Lungă 4', detail_url: '/arhiva/acte/7/' };

  it('goes to the first linked parcel', () => {
    const r = archiveResult({ ...act, parcels: ['1017:50001', '1017:50002'], location: null, page: 2 });
    expect(r).toMatchObject({ kind: 'archive', ref: '1017:50001', geometry: null, page: '/arhiva/acte/7/' });
    expect(r.detail).toBe('Str. Lungă 4 · pagina 2');
  });

  it('goes to the point an officer placed it at when it has no parcel', () => {
    const r = archiveResult({ ...act, parcels: [], location: [400100.5, 500200.25] });
    expect(r.ref).toBeNull();
    expect(r.geometry).toEqual({ type: 'Point', coordinates: [400100.5, 500200.25] });
  });

  it('falls back to the act page when it is not placed', () => {
    const r = archiveResult({ ...act, address: '', parcels: [], location: null });
    expect(r).toMatchObject({ ref: null, geometry: null, page: '/arhiva/acte/7/', detail: '' });
  });
});
