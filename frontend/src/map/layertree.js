// The layer tree: groups, a labelled checkbox and opacity slider per layer, and the
// layer's legend from the server (WMS GetLegendGraphic), loaded when first opened.

import { h, clear } from '../lib/dom.js';
import { gettext, interpolate } from '../lib/i18n.js';

export function renderLayerTree(container, config, mapParts) {
  clear(container);
  container.append(h('h2', { class: 'pane-title' }, gettext('Straturi')));
  for (const group of config.groups) {
    const list = h('ul', { class: 'layer-list' });
    for (const spec of group.layers) {
      const layer = mapParts.byName[spec.name];
      const id = `layer-${spec.name}`;
      const checkbox = h('input', {
        type: 'checkbox',
        id,
        checked: layer.getVisible(),
        dataset: { layer: spec.name },
      });
      checkbox.addEventListener('change', () => layer.setVisible(checkbox.checked));
      const opacity = h('input', {
        type: 'range',
        id: `${id}-opacity`,
        min: '0',
        max: '100',
        step: '5',
        value: String(Math.round(layer.getOpacity() * 100)),
        'aria-label': interpolate(gettext('Opacitate: %(layer)s'), { layer: gettext(spec.title) }),
      });
      opacity.addEventListener('input', () => layer.setOpacity(Number(opacity.value) / 100));
      const legend = spec.legend ? h('details', { class: 'legend' }, h('summary', {}, gettext('Legendă'))) : null;
      legend?.addEventListener(
        'toggle',
        () => {
          if (legend.open && !legend.querySelector('img')) {
            legend.append(
              h('img', {
                src: spec.legend,
                alt: interpolate(gettext('Legenda stratului %(layer)s'), {
                  layer: gettext(spec.title),
                }),
                loading: 'lazy',
              }),
            );
          }
        },
      );
      list.append(
        h(
          'li',
          { class: 'layer' },
          h('div', { class: 'layer-row' }, checkbox, h('label', { for: id }, gettext(spec.title))),
          h(
            'div',
            { class: 'layer-row small' },
            h('label', { for: `${id}-opacity`, class: 'muted' }, gettext('Opacitate')),
            opacity,
          ),
          legend,
        ),
      );
    }
    container.append(
      h('fieldset', { class: 'layer-group' }, h('legend', {}, gettext(group.title)), list),
    );
  }
}
