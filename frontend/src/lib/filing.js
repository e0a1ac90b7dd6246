// The filing form's logic, without the DOM: what a kind of request asks for, the checks
// done before sending (the server repeats them all, by content for files), and the JSON
// part of the one multipart request that files the application.

export const ACCEPTED_TYPES = {
  'application/pdf': ['.pdf'],
  'image/jpeg': ['.jpg', '.jpeg'],
  'image/png': ['.png'],
};
export const ACCEPT_ATTRIBUTE = '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png';
export const OTHER_DOCUMENT = '';
// Messages are msgids (makemessages finds them here); the page translates them.
const gettext_noop = (s) => s;

/** What the kind's data ask of the form. */
export function kindNeeds(kind) {
  if (!kind) return { map: false, purpose: false, building: false, access: false, general: false, documents: [] };
  return {
    map: Boolean(kind.needs_subject || kind.asks_access),
    purpose: Boolean(kind.asks_purpose),
    building: Boolean(kind.asks_building),
    access: Boolean(kind.asks_access),
    general: kind.family === 'general',
    documents: kind.documents || [],
  };
}

function extensionOf(name) {
  const match = /\.[^.]+$/.exec(name || '');
  return match ? match[0].toLowerCase() : '';
}

/** A file the server would refuse for its name or size (its content is checked there). */
export function fileProblem(file, { maxBytes }) {
  const ext = extensionOf(file.name);
  const known = Object.values(ACCEPTED_TYPES).flat();
  if (!known.includes(ext)) return 'type';
  if (file.size === 0) return 'empty';
  if (file.size > maxBytes) return 'size';
  return null;
}

/**
 * Errors by field before sending: the same keys as the server's (`applicant.name`,
 * `documents.<code>`, ...), values are message ids for gettext().
 * `form` holds the fields, `subject` {parcels, footprint, access_point}, `files` maps a
 * document code ('' for others) to a list of {name, size}.
 */
export function checkFiling(kind, form, subject, files, { maxBytes, maxCount }) {
  const needs = kindNeeds(kind);
  const errors = {};
  const add = (field, message) => {
    (errors[field] = errors[field] || []).push(message);
  };
  if (!kind) add('kind', gettext_noop('Alegeți tipul cererii.'));
  if (!(form.name || '').trim()) add('applicant.name', gettext_noop('Indicați numele solicitantului.'));
  if (!(form.email || '').trim() && !(form.phone || '').trim()) {
    add('applicant.email', gettext_noop('Indicați un e-mail sau un telefon de contact.'));
  }
  if (kind && kind.needs_subject && !subject.parcels.length && !subject.footprint) {
    add('parcels', gettext_noop('Alegeți imobilul pe hartă sau desenați amplasamentul.'));
  }
  if (needs.access && !subject.access_point && !subject.parcels.length) {
    add('access_point', gettext_noop('Indicați pe hartă punctul de acces la drum.'));
  }
  if (needs.purpose && !form.purpose) add('purpose', gettext_noop('Alegeți scopul certificatului de urbanism.'));
  if (needs.general && !(form.description || '').trim()) add('description', gettext_noop('Scrieți conținutul cererii.'));
  let count = 0;
  for (const [code, list] of Object.entries(files)) {
    for (const file of list) {
      count += 1;
      const problem = fileProblem(file, { maxBytes });
      if (problem === 'type') add(`documents.${code || 'altele'}`, gettext_noop('Se acceptă doar PDF, JPEG sau PNG.'));
      if (problem === 'empty') add(`documents.${code || 'altele'}`, gettext_noop('Fișierul este gol.'));
      if (problem === 'size') add(`documents.${code || 'altele'}`, gettext_noop('Fișierul depășește dimensiunea maximă.'));
    }
  }
  if (count > maxCount) add('documents', gettext_noop('Prea multe documente.'));
  for (const doc of needs.documents) {
    if (doc.mandatory && !(files[doc.code] || []).length) add(`documents.${doc.code}`, gettext_noop('Document obligatoriu.'));
  }
  return errors;
}

function decimalOrNull(value) {
  const text = String(value ?? '').trim().replace(',', '.');
  return text === '' ? null : text;
}

/** The `application` JSON of the filing request. */
export function filingPayload(kind, form, subject, crs) {
  const needs = kindNeeds(kind);
  const payload = {
    kind: kind.code,
    description: (form.description || '').trim(),
    applicant: {
      kind: form.applicant_kind || 'pf',
      name: (form.name || '').trim(),
      id_code: (form.id_code || '').trim(),
      address: (form.address || '').trim(),
      email: (form.email || '').trim(),
      phone: (form.phone || '').trim(),
    },
    crs,
  };
  if (needs.map) {
    payload.parcels = subject.parcels.map((p) => ({ uat: p.uat, cadastral_number: p.cadastral_number }));
    if (subject.footprint) payload.footprint = subject.footprint;
    if (needs.access && subject.access_point) payload.access_point = subject.access_point;
    payload.location = (form.location || '').trim();
  }
  if (needs.purpose) {
    payload.purpose = form.purpose || '';
    payload.purpose_detail = (form.purpose_detail || '').trim();
  }
  if (needs.building) {
    payload.built_area = decimalOrNull(form.built_area);
    payload.floor_area = decimalOrNull(form.floor_area);
    payload.height = decimalOrNull(form.height);
    const levels = String(form.levels ?? '').trim();
    payload.levels = levels === '' ? null : Number(levels);
    payload.proposed_use = (form.proposed_use || '').trim();
  }
  return payload;
}

/** A DRF error body as errors by field: `{errors: {...}}` from the filing service, or the
 * serializer's nested shape `{application: {applicant: {email: [...]}}}`. */
export function serverErrors(body) {
  if (!body || typeof body !== 'object') return {};
  if (body.errors) return body.errors;
  const out = {};
  const walk = (value, path) => {
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      out[path || 'detail'] = value;
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, path));
    } else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        const name = key === 'application' || key === 'non_field_errors' ? path : path ? `${path}.${key}` : key;
        walk(inner, name);
      }
    } else if (typeof value === 'string') {
      out[path || 'detail'] = [value];
    }
  };
  walk(body, '');
  return out;
}

/** Toggle a parcel in the picked list (a click on a picked parcel removes it). */
export function toggleParcel(parcels, parcel) {
  const same = (p) => String(p.uat) === String(parcel.uat) && p.cadastral_number === parcel.cadastral_number;
  return parcels.some(same) ? parcels.filter((p) => !same(p)) : [...parcels, parcel];
}
