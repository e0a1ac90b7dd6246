// The national projection (Stereo 70, EPSG:3844) registered in proj4js and OpenLayers
// from the definition the server reads from PROJ's database (datum shift included):
// never typed in here, since wrong towgs84 values circulate (up to 200 m off).

import { addProjection, get as getProjection } from 'ol/proj.js';
import Projection from 'ol/proj/Projection.js';
import { register } from 'ol/proj/proj4.js';

/**
 * Define `code` in proj4 and register it with OpenLayers.
 *
 * EPSG:3844 declares its axes northing, easting: WMS 1.3.0 expects the BBOX in that
 * order. OpenLayers keeps coordinates as [x = easting, y = northing] internally and swaps
 * them in WMS requests when the projection's axis orientation is 'neu'; the proj4
 * definition itself stays east-north so the transforms are in OpenLayers' order.
 */
export function registerProjection(proj4, { code, proj4: definition }, extent) {
  if (!definition || !/\+towgs84=/.test(definition)) {
    throw new Error(`${code}: the definition from the server has no datum shift`);
  }
  proj4.defs(code, definition);
  if (!getProjection(code)) {
    addProjection(
      new Projection({ code, units: 'm', axisOrientation: 'neu', extent: extent || undefined }),
    );
  }
  register(proj4);
  return getProjection(code);
}

/** lon/lat (WGS 84) -> [E, N] in `code`, through proj4 directly. */
export function fromLonLat(proj4, code, lonLat) {
  return proj4('EPSG:4326', code, lonLat);
}

/** [E, N] in `code` -> lon/lat (WGS 84). */
export function toLonLat(proj4, code, coord) {
  return proj4(code, 'EPSG:4326', coord);
}
