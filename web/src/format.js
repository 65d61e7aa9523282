// format.js - how times and numbers read on the pages (Chinese conventions, local time).
export function formatTime(iso) {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return String(iso)
  const pad = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

export function formatCount(n) {
  if (n === null || n === undefined || n === '') return '—'
  const v = Number(n)
  return Number.isFinite(v) ? v.toLocaleString('zh-CN') : String(n)
}

export const FUNCTIONS = [
  { value: 'criminal', label: '刑事' },
  { value: 'civil', label: '民事' },
  { value: 'administrative', label: '行政' },
  { value: 'public-interest', label: '公益诉讼' },
]

export function functionLabel(value) {
  const f = FUNCTIONS.find((x) => x.value === value || x.label === value)
  return f ? f.label : value || '—'
}

// The kinds of `shujian norm` (src/norm/kind.c), for column tables and the model builder.
export const KINDS = [
  { value: 'text', label: '文本' },
  { value: 'idcard', label: '身份证号' },
  { value: 'name', label: '姓名' },
  { value: 'phone', label: '电话号码' },
  { value: 'date', label: '日期' },
  { value: 'datetime', label: '日期时间' },
  { value: 'amount', label: '金额' },
  { value: 'case-no', label: '案号' },
  { value: 'credit-code', label: '统一社会信用代码' },
  { value: 'org-code', label: '组织机构代码' },
  { value: 'bankcard', label: '银行卡号' },
  { value: 'plate', label: '车牌号' },
  { value: 'integer', label: '整数' },
  { value: 'number', label: '数值' },
  { value: 'party-id', label: '证件号码' },
]

export function kindLabel(value) {
  const k = KINDS.find((x) => x.value === value)
  return k ? k.label : value || '—'
}

// Lead statuses (include/shujian/leads.h) and the colours of their tags.
export const LEAD_STATUSES = [
  { value: 'pending', label: '待核查', tag: 'info' },
  { value: 'verifying', label: '核查中', tag: 'warning' },
  { value: 'case', label: '成案', tag: 'success' },
  { value: 'no-case', label: '不成案', tag: 'danger' },
]

export function leadStatus(value) {
  return LEAD_STATUSES.find((s) => s.value === value) || { value, label: value || '—', tag: 'info' }
}
