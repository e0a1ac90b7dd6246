import { describe, expect, it } from 'vitest';
import { checkFiling, filingPayload, kindNeeds, serverErrors, toggleParcel } from '../src/lib/filing.js';
import { availableActions } from '../src/lib/workflow.js';
import { daysUntil, urgency } from '../src/permits.js';

const CU = {
  code: 'cu',
  family: 'urbanism',
  needs_subject: true,
  asks_purpose: true,
  asks_building: true,
  asks_access: false,
  documents: [
    { code: 'cerere', name: 'Cerere', mandatory: true },
    { code: 'taxa', name: 'Taxa', mandatory: true },
    { code: 'mediu', name: 'Mediu', mandatory: false },
  ],
};
const PETITION = { code: 'petitie', family: 'general', needs_subject: false, documents: [{ code: 'cerere', mandatory: false }] };
const LIMITS = { maxBytes: 1000, maxCount: 3 };
const NOWHERE = { parcels: [], footprint: null, access_point: null };
const PARCEL = { parcels: [{ uat: 900001, cadastral_number: '50038' }], footprint: null, access_point: null };

describe('what a kind asks for', () => {
  it('reads the kind data', () => {
    expect(kindNeeds(CU)).toMatchObject({ map: true, purpose: true, building: true, general: false });
    expect(kindNeeds(PETITION)).toMatchObject({ map: false, purpose: false, general: true });
  });
});

describe('checks before sending', () => {
  const pdf = (name = 'a.pdf', size = 10) => ({ name, size });
  it('asks for the subject, purpose, applicant and mandatory documents', () => {
    const errors = checkFiling(CU, { name: '', email: '' }, NOWHERE, {}, LIMITS);
    expect(Object.keys(errors).sort()).toEqual(
      ['applicant.email', 'applicant.name', 'documents.cerere', 'documents.taxa', 'parcels', 'purpose'].sort(),
    );
  });
  it('passes a complete CU and refuses bad files by name and size', () => {
    const form = { name: 'Ana', email: 'a@b.ro', purpose: 'construire' };
    expect(checkFiling(CU, form, PARCEL, { cerere: [pdf()], taxa: [pdf('t.JPG')] }, LIMITS)).toEqual({});
    const errors = checkFiling(CU, form, PARCEL, { cerere: [pdf('x.exe')], taxa: [pdf('t.pdf', 5000)] }, LIMITS);
    expect(Object.keys(errors).sort()).toEqual(['documents.cerere', 'documents.taxa']);
    const many = { cerere: [pdf(), pdf()], taxa: [pdf(), pdf()] };
    expect(checkFiling(CU, form, PARCEL, many, LIMITS).documents).toBeTruthy();
  });
  it('a petition needs its text, no map and no document', () => {
    expect(Object.keys(checkFiling(PETITION, { name: 'A', phone: '07' }, NOWHERE, {}, LIMITS))).toEqual(['description']);
    expect(checkFiling(PETITION, { name: 'A', phone: '07', description: 'x' }, NOWHERE, {}, LIMITS)).toEqual({});
  });
});

describe('the filing request', () => {
  it('sends only what the kind asks, numbers as numbers or null', () => {
    const payload = filingPayload(CU, { name: ' Ana ', purpose: 'construire', built_area: '120,5', levels: '2', height: '' }, PARCEL, 'EPSG:3844');
    expect(payload).toMatchObject({ kind: 'cu', crs: 'EPSG:3844', purpose: 'construire', built_area: '120.5', levels: 2, height: null });
    expect(payload.applicant.name).toBe('Ana');
    expect(payload.parcels).toEqual([{ uat: 900001, cadastral_number: '50038' }]);
    const petition = filingPayload(PETITION, { name: 'A', description: 'Text' }, PARCEL, 'EPSG:3844');
    expect('parcels' in petition || 'purpose' in petition || 'built_area' in petition).toBe(false);
  });
  it('reads the server errors by field, nested or flat', () => {
    expect(serverErrors({ errors: { purpose: ['x'] } })).toEqual({ purpose: ['x'] });
    expect(serverErrors({ application: { applicant: { email: ['bad'] } } })).toEqual({ 'applicant.email': ['bad'] });
    expect(serverErrors({ application: { applicant: { non_field_errors: ['contact'] } } })).toEqual({ applicant: ['contact'] });
  });
  it('a second click on a parcel removes it', () => {
    const p = { uat: 1, cadastral_number: '7' };
    expect(toggleParcel(toggleParcel([], p), { uat: '1', cadastral_number: '7' })).toEqual([]);
  });
});

describe('work queue and actions', () => {
  it('marks overdue and due-soon open applications only', () => {
    expect(daysUntil('2026-03-02', '2026-02-27')).toBe(3);
    expect(urgency({ state: 'in_review', due_date: '2026-02-26' }, '2026-02-27')).toBe('overdue');
    expect(urgency({ state: 'registered', due_date: '2026-03-02' }, '2026-02-27')).toBe('due-soon');
    expect(urgency({ state: 'registered', due_date: '2026-03-20' }, '2026-02-27')).toBe('');
    expect(urgency({ state: 'issued', due_date: '2026-02-01' }, '2026-02-27')).toBe('');
  });
  it('offers the workflow actions of the state', () => {
    const paths = (app) => availableActions(app).map((a) => a.path);
    expect(paths({ state: 'registered', dossiers: [] })).toEqual(['take-in-review', 'withdraw']);
    expect(paths({ state: 'in_review', dossiers: [{ version: 1 }] })).toEqual(['request-completion', 'issue', 'reject', 'withdraw', 'reassemble']);
    expect(paths({ state: 'issued', dossiers: [], act: { extended_until: '2027-01-01' } })).toEqual([]);
    expect(paths({ state: 'rejected', dossiers: [] })).toEqual([]);
  });
});
