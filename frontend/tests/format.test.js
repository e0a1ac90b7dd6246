import { describe, expect, it } from 'vitest';
import {
  formatArea,
  formatLength,
  formatLonLat,
  formatNumber,
  formatScale,
  formatStereo70,
} from '../src/lib/format.js';

// Intl output uses narrow no-break spaces for grouping in some locales: normalise them.
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('Romanian formatting (default)', () => {
  it('formats Stereo 70 coordinates easting first, decimal comma', () => {
    expect(plain(formatStereo70([587904.123, 325824.5]))).toBe('E 587.904,12 · N 325.824,50');
  });

  it('formats lengths and areas with units', () => {
    expect(plain(formatLength(12.345))).toBe('12,35 m');
    expect(plain(formatLength(1234.5))).toBe('1,235 km');
    expect(plain(formatArea(815.6))).toBe('815,60 m²');
    expect(plain(formatArea(12500))).toBe('1,2500 ha');
  });

  it('formats scales and degrees', () => {
    expect(plain(formatScale(1000))).toBe('1:1.000');
    expect(plain(formatLonLat([26.1025, 44.4268], 4))).toBe('44,4268° N, 26,1025° E');
  });
});

describe('English formatting', () => {
  it('uses the English separators when asked', () => {
    expect(formatNumber(1234.5, 1, 'en-GB')).toBe('1,234.5');
    expect(formatStereo70([392442, 586697], 0, 'en-GB')).toBe('E 392,442 · N 586,697');
    expect(formatLonLat([-3.5, -10.25], 2, 'en-GB')).toBe('10.25° S, 3.50° W');
  });
});
