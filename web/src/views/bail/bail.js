// bail.js - what the 取保候审 pages share: Chinese labels of the API's names, the risk
// colours, the map settings kept in this browser, and client-side checks of the register
// form (the server checks again; these only give the message before the round trip).
import { reactive } from 'vue'
import { api } from '../../api.js'

export const SUBJECT_STATUS = {
  active: { label: '监管中', tag: 'success' },
  suspended: { label: '中止', tag: 'warning' },
  ended: { label: '已解除', tag: 'info' },
}
export const ALERT_STATUS = {
  open: { label: '待确认', tag: 'danger' },
  acknowledged: { label: '已确认', tag: 'warning' },
  resolved: { label: '已处置', tag: 'success' },
}
export const LEAVE_STATUS = {
  submitted: { label: '待审批', tag: 'warning' },
  approved: { label: '已批准', tag: 'success' },
  rejected: { label: '已驳回', tag: 'danger' },
  returned: { label: '已按时返回', tag: 'info' },
  overrun: { label: '逾期未归', tag: 'danger' },
}
export const SEVERITY = { high: 'danger', medium: 'warning', low: 'info' }
export const CHECKIN_STATUS = {
  accepted: { label: '有效', tag: 'success' },
  flagged: { label: '存疑', tag: 'warning' },
  rejected: { label: '无效', tag: 'danger' },
}
export const FACE = {
  match: { label: '本人', tag: 'success' },
  mismatch: { label: '非本人', tag: 'danger' },
  'no-face': { label: '未检出人脸', tag: 'warning' },
  unverified: { label: '未核验', tag: 'info' },
}
// Check-in flags (docs/BAIL.md, "Judging a check-in").
export const FLAGS = {
  'bad-position': '定位无效',
  future: '定位时间超前',
  'too-old': '定位过旧',
  'mock-location': '虚拟定位',
  outside: '越出活动区域',
  'uncertain-place': '位于边界附近',
  'no-fence': '未设活动区域',
  forbidden: '进入禁入区域',
  'impossible-speed': '位置异常跳变',
  'late-upload': '补传',
  'no-slot': '非报到时段',
  'face-mismatch': '人脸不一致',
  'face-unverified': '人脸未核验',
  'on-leave': '外出期间',
}
export const PLACE = { inside: '区域内', outside: '区域外', uncertain: '边界附近' }
export const RISK = {
  red: { label: '红色', colour: '#dc2626' },
  yellow: { label: '黄色', colour: '#ca8a04' },
  green: { label: '绿色', colour: '#16a34a' },
}
export const REVIEW_KIND = { checkin: '打卡', leave: '外出申请', alert: '预警' }

export function label(table, value) {
  return (table[value] && (table[value].label || table[value])) || value || '—'
}
export function tag(table, value) {
  return (table[value] && table[value].tag) || 'info'
}
// The risk colour of a register row, whatever the name the API gives it.
export function riskOf(row) {
  if (!row) return ''
  const r = row.risk_colour || row.colour || row.color || row.risk
  return typeof r === 'object' && r ? r.colour || r.color || '' : r || ''
}
export function riskColour(risk) {
  return (RISK[risk] && RISK[risk].colour) || '#cbd5e1'
}

export function formatMs(ms) {
  if (!ms) return '—'
  const d = new Date(ms)
  const pad = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}
export function minutesText(min) {
  const pad = (n) => String(n).padStart(2, '0')
  return `${pad(Math.floor(min / 60))}:${pad(min % 60)}`
}
// Today's local day as YYYY-MM-DD, moved by `days`.
export function dayText(days = 0) {
  const d = new Date(Date.now() + days * 86400000)
  const pad = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

// The map's tile address and its datum, per browser (底图设置).
const TILE_KEY = 'shujian.map.tileUrl'
const DATUM_KEY = 'shujian.map.tileDatum'
export const mapSettings = reactive({
  tileUrl: localStorage.getItem(TILE_KEY) || '',
  tileDatum: localStorage.getItem(DATUM_KEY) || 'wgs84',
})
export function saveMapSettings(url, datum) {
  mapSettings.tileUrl = url
  mapSettings.tileDatum = datum
  if (url) localStorage.setItem(TILE_KEY, url)
  else localStorage.removeItem(TILE_KEY)
  localStorage.setItem(DATUM_KEY, datum)
}
export function isTileUrl(value) {
  return /^https?:\/\/.+\{z\}.*\{x\}.*\{y\}/.test(value)
}

// GB 11643 check digit: '' when the 18 characters are right, else a Chinese reason.
export function idNumberProblem(value) {
  const v = String(value || '').trim().toUpperCase()
  if (!/^\d{17}[\dX]$/.test(v)) return '身份证号应为 18 位，最后一位可为数字或 X'
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = weights.reduce((s, w, i) => s + w * Number(v[i]), 0)
  const check = '10X98765432'[sum % 11]
  return check === v[17] ? '' : `身份证号校验位应为 ${check}，请核对`
}

// Subject names (masked) by id, for the alert and leave queues.
const names = reactive({})
export async function loadSubjectNames(query) {
  try {
    const answer = await api.get('/bail/subjects', { query, silent: true })
    for (const s of answer.subjects || []) names[s.id] = s.person_name
  } catch {
    // the queues still show the number
  }
  return names
}
export function subjectName(id) {
  return names[id] || `#${id}`
}
