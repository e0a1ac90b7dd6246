// The front-end's catalogue: Django's `djangojs` domain (frontend/locale), embedded by the
// page in <script id="i18n-catalog"> in the shape of django.views.i18n.JSONCatalog.
// Source strings are Romanian; a missing translation falls back to them.

let catalog = {};
let language = 'ro';

export function initI18n(data) {
  catalog = (data && data.catalog) || {};
  language = (data && data.language) || 'ro';
}

export function currentLanguage() {
  return language;
}

export function gettext(msgid) {
  const value = catalog[msgid];
  if (typeof value === 'string' && value !== '') return value;
  if (Array.isArray(value) && value[0]) return value[0];
  return msgid;
}

/** Django's interpolate(): '%(name)s' from an object, or '%s' from an array. */
export function interpolate(fmt, values) {
  let i = 0;
  return fmt.replace(/%%|%s|%\((\w+)\)s/g, (token, key) => {
    if (token === '%%') return '%';
    if (key !== undefined) return String(values[key]);
    return String(values[i++]);
  });
}

export function loadEmbeddedCatalog(doc = document) {
  const node = doc.getElementById('i18n-catalog');
  initI18n(node ? JSON.parse(node.textContent) : null);
}
