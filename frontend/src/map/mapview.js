// The map itself: Stereo 70 view, one WMS image layer per registry layer (so each has its
// own opacity and legend), a highlight layer, scale line and cursor coordinates.

import 'ol/ol.css';
import proj4 from 'proj4';
import Map from 'ol/Map.js';
import View from 'ol/View.js';
import ImageLayer from 'ol/layer/Image.js';
import TileLayer from 'ol/layer/Tile.js';
import OSM from 'ol/source/OSM.js';
import VectorLayer from 'ol/layer/Vector.js';
import ImageWMS from 'ol/source/ImageWMS.js';
import VectorSource from 'ol/source/Vector.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import { defaults as defaultControls, ScaleLine } from 'ol/control.js';
import { Style, Stroke, Fill, Circle as CircleStyle } from 'ol/style.js';
import { buffer as bufferExtent } from 'ol/extent.js';
import { registerProjection } from '../lib/projection.js';
import { formatStereo70 } from '../lib/format.js';
import { gettext } from '../lib/i18n.js';

// OGC standardized rendering pixel: 0.28 mm.
const METRES_PER_PIXEL_AT_SCALE_1 = 0.00028;

export function scaleToResolution(scale) {
  return scale * METRES_PER_PIXEL_AT_SCALE_1;
}

export function resolutionToScale(resolution) {
  return resolution / METRES_PER_PIXEL_AT_SCALE_1;
}

const highlightStyle = new Style({
  stroke: new Stroke({ color: '#e6007e', width: 3 }),
  fill: new Fill({ color: 'rgba(230, 0, 126, 0.12)' }),
  image: new CircleStyle({
    radius: 8,
    fill: new Fill({ color: 'rgba(230, 0, 126, 0.6)' }),
    stroke: new Stroke({ color: '#fff', width: 2 }),
  }),
});

export function readConfig(doc = document) {
  return JSON.parse(doc.getElementById('map-config').textContent);
}

export function createMap(config, { target, statusElement } = {}) {
  const projection = registerProjection(proj4, config.projection, config.extent);
  const extent = config.extent;
  const layers = [];
  const byName = {};
  let order = 0;
  for (const group of config.groups) {
    for (const spec of group.layers) {
      order += 1;
      if (spec.source === 'osm') {
        // optional, only where the server enables it (internet needed); under everything
        const osm = new TileLayer({ source: new OSM(), visible: spec.visible, zIndex: -1, properties: { name: spec.name, title: spec.title, spec } });
        byName[spec.name] = osm;
        layers.push(osm);
        continue;
      }
      const raster = spec.geometry_type === 'raster';
      const source = new ImageWMS({
        url: config.ows,
        params: {
          LAYERS: spec.name,
          VERSION: config.wms_version,
          FORMAT: raster ? 'image/jpeg' : 'image/png',
          TRANSPARENT: !raster,
          STYLES: '',
        },
        projection,
        ratio: 1.2,
        serverType: 'mapserver',
        hidpi: false,
      });
      const layer = new ImageLayer({
        source,
        visible: spec.visible,
        opacity: spec.opacity,
        zIndex: raster ? 0 : 10 + order,
        minResolution: spec.min_scale ? scaleToResolution(spec.min_scale) : undefined,
        maxResolution: spec.max_scale ? scaleToResolution(spec.max_scale) : undefined,
        properties: { name: spec.name, title: spec.title, spec },
      });
      byName[spec.name] = layer;
      layers.push(layer);
    }
  }
  const highlight = new VectorLayer({
    source: new VectorSource(),
    style: highlightStyle,
    zIndex: 1000,
    properties: { name: 'highlight' },
  });
  const sketch = new VectorLayer({
    source: new VectorSource(),
    zIndex: 1001,
    properties: { name: 'sketch' },
  });
  const view = new View({
    projection,
    extent: bufferExtent(extent, Math.max(extent[2] - extent[0], extent[3] - extent[1]) * 0.5),
    constrainOnlyCenter: true,
    maxResolution: 200,
    minResolution: 0.02,
  });
  const map = new Map({
    target,
    layers: [...layers, highlight, sketch],
    view,
    controls: defaultControls({
      zoomOptions: { zoomInTipLabel: gettext('Mărește'), zoomOutTipLabel: gettext('Micșorează') },
      rotate: false,
      attribution: false,
    }).extend([new ScaleLine({ units: 'metric' })]),
    keyboardEventTarget: undefined,
  });
  view.fit(extent, { padding: [20, 20, 20, 20] });

  // The first drawn layer: for the tests and the benchmark (window.__gisapp).
  const timing = (window.__gisapp = window.__gisapp || {});
  timing.created = performance.now();
  timing.map = map; // for the browser tests and the benchmark
  for (const layer of layers.filter((l) => l.get('spec').source !== 'osm')) {
    layer.getSource().on('imageloadend', () => {
      if (timing.firstImage === undefined) timing.firstImage = performance.now();
    });
    layer.on('postrender', () => {
      if (timing.firstImage !== undefined && timing.firstLayerDrawn === undefined) {
        timing.firstLayerDrawn = performance.now();
      }
    });
    layer.getSource().on('imageloaderror', () => {
      timing.imageErrors = (timing.imageErrors || 0) + 1;
    });
  }
  map.on('rendercomplete', () => {
    if (timing.firstImage !== undefined && timing.firstDraw === undefined) {
      timing.firstDraw = performance.now();
      document.body.dataset.mapReady = '1';
    }
    timing.lastRender = performance.now();
    document.body.dataset.renderCount = String(Number(document.body.dataset.renderCount || 0) + 1);
  });

  if (statusElement) {
    map.on('pointermove', (event) => {
      if (event.dragging) return;
      statusElement.textContent = formatStereo70(event.coordinate);
    });
  }

  const geojson = new GeoJSON({ dataProjection: projection, featureProjection: projection });

  function showGeometry(geometry, { fit = false, maxZoomResolution = 0.25 } = {}) {
    const source = highlight.getSource();
    source.clear();
    if (!geometry) return;
    const feature = geojson.readFeature({ type: 'Feature', geometry, properties: {} });
    source.addFeature(feature);
    if (fit) {
      const geom = feature.getGeometry();
      if (geom.getType() === 'Point') {
        view.animate({ center: geom.getCoordinates(), resolution: 0.5, duration: 0 });
      } else {
        view.fit(geom.getExtent(), {
          padding: [60, 60, 60, 60],
          minResolution: maxZoomResolution,
          duration: 0,
        });
      }
    }
  }

  return { map, view, projection, layers, byName, highlight, sketch, showGeometry, geojson };
}

/** Identify at the map centre with Enter: the keyboard path to the click. */
export function onKeyboardIdentify(map, callback) {
  map.getTargetElement().addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.target === map.getTargetElement()) {
      event.preventDefault();
      callback(map.getView().getCenter());
    }
  });
}
