import { describe, expect, it } from 'vitest';
import { formatKm, parseKm, parseRegistrationNumber, parseRoadQuery } from '../src/lib/km.js';

describe('parseKm', () => {
  it.each([
    ['km 12+350', 12.35],
    ['12+350', 12.35],
    ['12', 12],
    ['KM 0+005', 0.005],
    [' km 1 + 35 ', 1.035],
  ])('%s -> %d', (text, km) => {
    expect(parseKm(text)).toBeCloseTo(km, 9);
  });

  it.each(['', 'km', '12+3500', '12,350', 'abc', '-1+000'])('refuses %j', (text) => {
    expect(() => parseKm(text)).toThrow(/nerecunoscută/);
  });
});

describe('formatKm', () => {
  it('rounds to the metre and pads', () => {
    expect(formatKm(1.2345)).toBe('km 1+235'); // 1234.5 m rounds half up like the server
    expect(formatKm(12.35)).toBe('km 12+350');
    expect(formatKm(0.005)).toBe('km 0+005');
    expect(formatKm(3)).toBe('km 3+000');
    expect(formatKm(0.9996)).toBe('km 1+000');
  });

  it('round-trips with parseKm', () => {
    for (const text of ['km 0+000', 'km 7+042', 'km 123+999']) {
      expect(formatKm(parseKm(text))).toBe(text);
    }
  });
});

describe('parseRoadQuery', () => {
  it('reads road and km in the usual spellings', () => {
    expect(parseRoadQuery('DJ 107 km 1+350')).toEqual({ road: 'DJ 107', km: 1.35 });
    expect(parseRoadQuery('dj107 1+350')).toEqual({ road: 'DJ 107', km: 1.35 });
    expect(parseRoadQuery('DJ 107A, km 12')).toEqual({ road: 'DJ 107A', km: 12 });
    expect(parseRoadQuery('DJ 661')).toEqual({ road: 'DJ 661', km: null });
  });

  it('is null for other searches', () => {
    expect(parseRoadQuery('50038 Mureșeni')).toBeNull();
    expect(parseRoadQuery('Str. Unirii 5')).toBeNull();
    expect(parseRoadQuery('DJ 1234')).toBeNull();
  });
});

describe('parseRegistrationNumber', () => {
  it('reads number/year', () => {
    expect(parseRegistrationNumber('1234/2025')).toEqual({ number: 1234, year: 2025 });
    expect(parseRegistrationNumber('nr. 17 din 2026')).toEqual({ number: 17, year: 2026 });
    expect(parseRegistrationNumber('50038')).toBeNull();
  });
  it('keeps the register prefix as displayed (U-12/2026)', () => {
    expect(parseRegistrationNumber('U-12/2026')).toEqual({ prefix: 'U', number: 12, year: 2026 });
    expect(parseRegistrationNumber(' rg - 7 / 2026')).toEqual({ prefix: 'RG', number: 7, year: 2026 });
    expect(parseRegistrationNumber('DJ 107 km 1+350')).toBeNull();
  });
});
