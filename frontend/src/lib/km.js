// Kilometre positions along county roads, in the road administrators' notation (km 12+350).
// Same grammar as layers.roads.parse_km / format_km on the server.

const KM_PATTERN = /^\s*(?:km\s*)?(\d+)\s*(?:\+\s*(\d{1,3}))?\s*$/i;
const ROAD_PATTERN =
  /^\s*(DJ|DN|DC)\s*(\d{1,3}[A-Z]?)\b\s*[,;]?\s*(?:(?:la\s+)?(km\s*\d+(?:\s*\+\s*\d{1,3})?|\d+\s*\+\s*\d{1,3}))?\s*$/i;

/** 'km 12+350', '12+350' or '12' -> 12.35; throws on anything else. */
export function parseKm(text) {
  const match = KM_PATTERN.exec(String(text));
  if (!match) {
    throw new RangeError(`Poziție kilometrică nerecunoscută: ${text} (ex.: km 12+350)`);
  }
  const metres = match[2] === undefined ? 0 : Number(match[2]);
  return Number(match[1]) + metres / 1000;
}

/** 1.2345 -> 'km 1+235' (metres rounded). */
export function formatKm(km) {
  const metres = Math.round(km * 1000);
  const whole = Math.floor(metres / 1000);
  return `km ${whole}+${String(metres - whole * 1000).padStart(3, '0')}`;
}

/** 'DJ 107 km 1+350' -> {road: 'DJ 107', km: 1.35}; 'dj107' -> {road: 'DJ 107', km: null};
 * null when the text does not name a road. */
export function parseRoadQuery(text) {
  const match = ROAD_PATTERN.exec(String(text));
  if (!match) return null;
  const road = `${match[1].toUpperCase()} ${match[2].toUpperCase()}`;
  return { road, km: match[3] ? parseKm(match[3]) : null };
}

/** "1234/2025", "nr. 1234 din 2025" or "U-1234/2025" -> {prefix?, number, year}; else null. */
export function parseRegistrationNumber(text) {
  const match = /^\s*(?:nr\.?\s*)?(?:([a-z][a-z0-9]{0,11})\s*-\s*)?(\d{1,9})\s*(?:\/|din)\s*(\d{4})\s*$/i.exec(
    String(text),
  );
  if (!match) return null;
  const parsed = { number: Number(match[2]), year: Number(match[3]) };
  return match[1] ? { prefix: match[1].toUpperCase(), ...parsed } : parsed;
}
