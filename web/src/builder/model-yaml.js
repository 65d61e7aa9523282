// model-yaml.js - turns the model builder's form into a model file (docs/MODELS.md), so that
// nobody has to type YAML. Pure functions, no Vue: tests/e2e/model-yaml.test.mjs runs them
// in node and checks every operation's output with the real `shujian model check`.
//
// The form holds two inputs (A and, for operations comparing two data sets, B), an optional
// filter on A, one operation, and the lead. Generated steps: `filtered` (when a filter is
// given), then `result`; the lead is taken from `result`. Every scalar is written plain when
// YAML reads it back as the same string, else double-quoted (JSON escapes are valid YAML).

export const OPERATIONS = [
  { value: 'absent', label: '有A无B', needsB: true, text: 'A 中的记录在 B 中找不到对应记录（如：行政处罚案件未移送）' },
  { value: 'match', label: 'A与B碰撞', needsB: true, text: 'A 与 B 中关键信息相同的记录配对（如：同一人既领低保又有房产）' },
  { value: 'count', label: '频次阈值', needsB: false, text: '按关键列分组，出现次数达到阈值的（如：同一原告多次起诉）' },
  { value: 'within', label: '时间窗口', needsB: true, text: 'A 发生后规定天数内 B 发生或未发生（如：鉴定后未按期处置）' },
  { value: 'use-model', label: '引用子模型', needsB: false, text: '以另一个模型发现的线索作为数据（子母模型）' },
]

export function operation(value) {
  return OPERATIONS.find((o) => o.value === value)
}

const RESERVED = new Set(['and', 'or', 'not', 'in', 'contains', 'between', 'is', 'empty', 'day', 'days'])
const NAME_RE = /^[\p{L}_][\p{L}\p{N}_]{0,63}$/u

// Whether s is a usable name for an input, column, parameter or step.
export function isName(s) {
  return typeof s === 'string' && NAME_RE.test(s) && new TextEncoder().encode(s).length <= 64 && !RESERVED.has(s)
}

export function isModelId(s) {
  return typeof s === 'string' && /^[a-z0-9][a-z0-9-]{0,63}$/.test(s)
}

const PLAIN_RE = /^[\p{L}\p{N}_][\p{L}\p{N}_.\-（）()、]*$/u
const YAML_WORDS = /^(true|false|yes|no|on|off|null|y|n|~)$/i

// A YAML scalar that reads back as the string s.
export function scalar(s) {
  const text = String(s ?? '')
  if (text && PLAIN_RE.test(text) && !YAML_WORDS.test(text) && !/^[-+.\d]/.test(text)) return text
  return JSON.stringify(text)
}

function flow(items) {
  return `[${items.map(scalar).join(', ')}]`
}

// "a, b，c" (either comma, or 、) -> ['a', 'b', 'c']
export function splitList(text) {
  return String(text || '')
    .split(/[,，、\n]/)
    .map((s) => s.trim())
    .filter(Boolean)
}

export function emptyColumn() {
  return { name: '', kind: 'text', headers: '', headerPick: [] }
}

export function emptyInput(name) {
  return { name, label: '', dataset: '', columns: [emptyColumn()] }
}

export function emptyForm() {
  return {
    id: '',
    name: '',
    function: 'criminal',
    version: '1.0.0',
    author: '',
    office: '',
    summary: '',
    inputs: [emptyInput('A'), emptyInput('B')],
    where: '',
    operation: 'absent',
    on: [{ left: '', right: '' }],
    by: [],
    minCount: 3,
    after: '',
    then: '',
    days: 30,
    missing: true,
    useModel: '',
    lead: { subject: '', title: '', evidence: [] },
  }
}

function columnNames(input) {
  return input.columns.map((c) => c.name).filter(Boolean)
}

// The columns the lead may name: those of the `result` step (docs/MODELS.md, "Columns of a step").
export function resultColumns(form) {
  const [a, b] = form.inputs
  switch (form.operation) {
    case 'match': {
      const left = columnNames(a)
      const right = columnNames(b).map((c) => (left.includes(c) ? `${b.name}.${c}` : c))
      return [...left, ...right]
    }
    case 'count':
      return [...form.by, 'count']
    case 'use-model':
      return ['subject', 'title']
    default:
      return columnNames(a)
  }
}

// Problems a person can fix in the form, in Chinese; [] when the file can be written.
export function validate(form) {
  const problems = []
  const op = operation(form.operation)
  if (!isModelId(form.id)) problems.push('模型编号须为小写字母、数字和短横线，且不以短横线开头')
  if (!form.name.trim()) problems.push('请填写模型名称')
  if (!form.summary.trim()) problems.push('请填写模型说明')
  if (!/^\d+\.\d+\.\d+$/.test(form.version)) problems.push('版本号格式应为 1.0.0')
  const inputs = op && op.needsB ? form.inputs : form.inputs.slice(0, 1)
  for (const input of inputs) {
    if (!isName(input.name)) problems.push(`数据“${input.name}”的名称不可用`)
    if (!input.dataset.trim()) problems.push(`请为数据 ${input.name} 选择数据集`)
    if (!input.columns.length) problems.push(`数据 ${input.name} 至少需要一列`)
    for (const c of input.columns) {
      if (!isName(c.name)) problems.push(`数据 ${input.name} 的列名“${c.name}”不可用（字母、数字、下划线，不以数字开头）`)
      if (!splitList(c.headers).length) problems.push(`请填写数据 ${input.name} 中列 ${c.name || '（未命名）'} 的表头`)
    }
  }
  if (!op) problems.push('请选择操作')
  else if (['absent', 'match', 'within'].includes(form.operation)) {
    const pairs = form.on.filter((p) => p.left || p.right)
    if (!pairs.length || pairs.some((p) => !p.left || !p.right)) problems.push('请选择用于比对的关键列')
  }
  if (form.operation === 'count') {
    if (!form.by.length) problems.push('请选择分组的关键列')
    if (!(Number.isInteger(Number(form.minCount)) && Number(form.minCount) >= 1)) problems.push('次数阈值应为正整数')
  }
  if (form.operation === 'within') {
    if (!form.after || !form.then) problems.push('请选择 A 与 B 的日期列')
    if (!(Number.isInteger(Number(form.days)) && Number(form.days) >= 0)) problems.push('天数应为不小于 0 的整数')
  }
  if (form.operation === 'use-model' && !isModelId(form.useModel)) problems.push('请选择要引用的模型')
  const cols = resultColumns(form)
  if (!cols.includes(form.lead.subject)) problems.push('请选择线索主体列')
  if (!form.lead.title.trim()) problems.push('请填写线索标题')
  for (const m of form.lead.title.matchAll(/\{\s*([^}]*?)\s*\}/g)) {
    if (!cols.includes(m[1])) problems.push(`线索标题中的 {${m[1]}} 不是结果中的列`)
  }
  if (!form.lead.evidence.length) problems.push('请选择作为证据展示的列')
  for (const e of form.lead.evidence) if (!cols.includes(e)) problems.push(`证据列 ${e} 不是结果中的列`)
  return problems
}

function inputYaml(input) {
  const lines = [`  ${input.name}:`]
  if (input.label.trim()) lines.push(`    label: ${scalar(input.label.trim())}`)
  lines.push(`    dataset: ${scalar(input.dataset.trim())}`, '    columns:')
  for (const c of input.columns) lines.push(`      ${c.name}: {kind: ${c.kind}, headers: ${flow(splitList(c.headers))}}`)
  return lines
}

// Key pairs as the docs write them, [party_id = suspect_id], when both sides are plain names.
const PAIR_RE = /^[\p{L}_][\p{L}\p{N}_.]* = [\p{L}_][\p{L}\p{N}_.]*$/u

function onYaml(form) {
  const pairs = form.on.filter((p) => p.left && p.right).map((p) => `${p.left} = ${p.right}`)
  return `      on: [${pairs.map((p) => (PAIR_RE.test(p) ? p : scalar(p))).join(', ')}]`
}

function stepYaml(form, from) {
  const b = form.inputs[1].name
  switch (form.operation) {
    case 'absent':
      return ['    absent:', `      from: ${from}`, `      in: ${b}`, onYaml(form)]
    case 'match':
      return ['    match:', `      from: ${from}`, `      with: ${b}`, onYaml(form)]
    case 'count':
      return ['    count:', `      from: ${from}`, `      by: ${flow(form.by)}`, '      having: count >= $min_count']
    case 'within':
      return ['    within:', `      from: ${from}`, `      in: ${b}`, onYaml(form), `      after: ${form.after}`,
        `      then: ${form.then}`, '      days: $window_days', `      missing: ${form.missing ? 'true' : 'false'}`]
    case 'use-model':
      return ['    use-model:', `      model: ${form.useModel}`, '      as: leads']
    default:
      return []
  }
}

function parametersYaml(form) {
  if (form.operation === 'count') {
    return ['parameters:', `  min_count: {type: integer, default: ${Number(form.minCount)}, label: 最少出现次数}`, '']
  }
  if (form.operation === 'within') {
    return ['parameters:', `  window_days: {type: days, default: ${Number(form.days)}, label: 时间窗口（天）}`, '']
  }
  return []
}

// The model file for the form. Call validate() first: this writes what it is given.
export function toYaml(form) {
  const op = operation(form.operation)
  const inputs = op && op.needsB ? form.inputs : form.inputs.slice(0, 1)
  const lines = [
    '# 由数检模型构建器生成；格式见 docs/MODELS.md',
    `id: ${form.id}`,
    `name: ${scalar(form.name.trim())}`,
    `function: ${form.function}`,
    `version: ${form.version}`,
  ]
  if (form.author.trim()) lines.push(`author: ${scalar(form.author.trim())}`)
  if (form.office.trim()) lines.push(`office: ${scalar(form.office.trim())}`)
  lines.push(`summary: ${scalar(form.summary.trim().replace(/\s*\n\s*/g, ''))}`, '', 'inputs:')
  for (const input of inputs) lines.push(...inputYaml(input))
  lines.push('', ...parametersYaml(form), 'steps:')
  let from = form.inputs[0].name
  if (form.where.trim() && form.operation !== 'use-model') {
    lines.push('  - id: filtered', '    filter:', `      from: ${from}`, `      where: ${scalar(form.where.trim())}`)
    from = 'filtered'
  }
  lines.push('  - id: result', ...stepYaml(form, from), '')
  lines.push('lead:', '  from: result', `  subject: ${scalar(form.lead.subject)}`,
    `  title: ${JSON.stringify(form.lead.title.trim())}`, `  evidence: ${flow(form.lead.evidence)}`, '')
  return lines.join('\n')
}
