// mapgeo.js - the map's coordinate frames. The server keeps everything in WGS-84; tiles from
// AMap or Tencent are drawn in GCJ-02, so on such a basemap positions are moved by the
// published GCJ-02 formula (Krasovsky ellipsoid, the same as src/bail/geo.c) before drawing,
// and a point clicked on the map is sent back with datum "gcj02" for the server to convert.
const A = 6378245.0
const EE = 0.00669342162296594323

function outsideChina(lat, lng) {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271
}

function dLat(x, y) {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3
  r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3
  r += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3
  return r
}

function dLng(x, y) {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3
  r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3
  r += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3
  return r
}

// WGS-84 [lat, lng] -> GCJ-02 [lat, lng].
export function wgsToGcj(lat, lng) {
  if (outsideChina(lat, lng)) return [lat, lng]
  const rad = (lat / 180) * Math.PI
  let magic = Math.sin(rad)
  magic = 1 - EE * magic * magic
  const sq = Math.sqrt(magic)
  const la = (dLat(lng - 105, lat - 35) * 180) / (((A * (1 - EE)) / (magic * sq)) * Math.PI)
  const ln = (dLng(lng - 105, lat - 35) * 180) / ((A / sq) * Math.cos(rad) * Math.PI)
  return [lat + la, lng + ln]
}

// A function [lat, lng] (WGS-84) -> the map's frame.
export function projector(datum) {
  return datum === 'gcj02' ? (p) => wgsToGcj(p[0], p[1]) : (p) => [p[0], p[1]]
}
