// places.js - destinations a leave request can name without a map: the demo city's district
// seats and the cities people from there most often travel to, with approximate WGS-84
// centres and a radius that covers the urban area. The officer sees the point and radius on
// the map before deciding; a request may still give its own place.
export const PLACES = [
  { name: '清远市区', lat: 23.682, lon: 113.056, radius_m: 8000 },
  { name: '清远市清新区', lat: 23.734, lon: 112.985, radius_m: 6000 },
  { name: '佛冈县', lat: 23.873, lon: 113.531, radius_m: 5000 },
  { name: '英德市', lat: 24.186, lon: 113.405, radius_m: 6000 },
  { name: '连州市', lat: 24.780, lon: 112.377, radius_m: 5000 },
  { name: '阳山县', lat: 24.465, lon: 112.636, radius_m: 4000 },
  { name: '连南瑶族自治县', lat: 24.722, lon: 112.287, radius_m: 3000 },
  { name: '连山壮族瑶族自治县', lat: 24.570, lon: 112.086, radius_m: 3000 },
  { name: '广州市', lat: 23.130, lon: 113.264, radius_m: 20000 },
  { name: '佛山市', lat: 23.022, lon: 113.122, radius_m: 15000 },
  { name: '深圳市', lat: 22.543, lon: 114.058, radius_m: 20000 },
  { name: '东莞市', lat: 23.021, lon: 113.752, radius_m: 15000 },
  { name: '韶关市', lat: 24.811, lon: 113.597, radius_m: 8000 },
  { name: '肇庆市', lat: 23.047, lon: 112.465, radius_m: 8000 },
  { name: '中山市', lat: 22.517, lon: 113.392, radius_m: 10000 },
  { name: '珠海市', lat: 22.271, lon: 113.577, radius_m: 10000 },
  { name: '江门市', lat: 22.579, lon: 113.082, radius_m: 10000 },
  { name: '惠州市', lat: 23.112, lon: 114.416, radius_m: 10000 },
]

export function placeNamed(name) {
  return PLACES.find((p) => p.name === name) || null
}
