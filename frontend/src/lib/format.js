// Numbers, coordinates, lengths and areas in the page's language (Romanian by default).

let locale = 'ro-RO';

export function setLocale(language) {
  locale = language === 'en' ? 'en-GB' : 'ro-RO';
}

export function formatNumber(value, decimals = 0, lang = locale) {
  return new Intl.NumberFormat(lang, {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
    useGrouping: 'always',
  }).format(value);
}

/** Stereo 70 coordinates [x = easting, y = northing] -> 'E 371 346,86 · N 481 400,00'. */
export function formatStereo70(coord, decimals = 2, lang = locale) {
  const [x, y] = coord;
  return `E ${formatNumber(x, decimals, lang)} · N ${formatNumber(y, decimals, lang)}`;
}

/** Longitude/latitude in degrees -> '45,816265° N, 23,334247° E'. */
export function formatLonLat(lonLat, decimals = 6, lang = locale) {
  const [lon, lat] = lonLat;
  const ns = lat >= 0 ? 'N' : 'S';
  const ew = lon >= 0 ? 'E' : 'V';
  return (
    `${formatNumber(Math.abs(lat), decimals, lang)}° ${ns}, ` +
    `${formatNumber(Math.abs(lon), decimals, lang)}° ${lang.startsWith('ro') ? ew : ew === 'V' ? 'W' : 'E'}`
  );
}

/** Metres -> '12,35 m' or '1,235 km'. */
export function formatLength(metres, lang = locale) {
  if (metres >= 1000) return `${formatNumber(metres / 1000, 3, lang)} km`;
  return `${formatNumber(metres, 2, lang)} m`;
}

/** Square metres -> '815,60 m²' or '1,2500 ha' (over a hectare). */
export function formatArea(squareMetres, lang = locale) {
  if (squareMetres >= 10000) return `${formatNumber(squareMetres / 10000, 4, lang)} ha`;
  return `${formatNumber(squareMetres, 2, lang)} m²`;
}

/** Scale denominator -> '1:1 000' (grouping of the language). */
export function formatScale(denominator, lang = locale) {
  return `1:${formatNumber(Math.round(denominator), 0, lang)}`;
}

/** An ISO date ('2026-11-26') or date-time as the page's language writes a date; a
 * date-time is shown in Romania's time zone (the registry's), with the hour if asked. */
export function formatDate(value, { time = false } = {}, lang = locale) {
  if (!value) return '';
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(dateOnly ? `${value}T12:00:00Z` : value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(lang, {
    timeZone: dateOnly ? 'UTC' : 'Europe/Bucharest',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    ...(time && !dateOnly ? { hour: '2-digit', minute: '2-digit' } : {}),
  }).format(date);
}
