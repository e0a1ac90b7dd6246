import { afterEach, describe, expect, it } from 'vitest';
import { currentLanguage, gettext, initI18n, interpolate } from '../src/lib/i18n.js';

afterEach(() => initI18n(null));

describe('catalogue', () => {
  it('falls back to the Romanian source', () => {
    initI18n(null);
    expect(gettext('Straturi')).toBe('Straturi');
    expect(currentLanguage()).toBe('ro');
  });

  it('translates from a Django JSONCatalog-shaped catalogue', () => {
    initI18n({ catalog: { Straturi: 'Layers', Gol: '' }, language: 'en' });
    expect(gettext('Straturi')).toBe('Layers');
    expect(gettext('Gol')).toBe('Gol');
    expect(currentLanguage()).toBe('en');
  });

  it('interpolates like Django, including %%', () => {
    expect(interpolate('POT maxim %(v)s%%', { v: 35 })).toBe('POT maxim 35%');
    expect(interpolate('%s din %s', [1, 2])).toBe('1 din 2');
  });
});
