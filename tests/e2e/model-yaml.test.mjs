// model-yaml.test.mjs - the model builder's YAML (web/src/builder/model-yaml.js) checked by the
// real model reader: for each of the builder's operations a filled-in form must give a file
// that `shujian model check` accepts, and `shujian model show --json` must read back exactly
// the strings typed into the form (names, labels, headers, title, where), including ones YAML
// would misread unquoted. Also: validate() names what is missing, and the API client's query
// strings. Runs in node alone (no browser). Usage: node model-yaml.test.mjs path/to/shujian
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ROOT, Tap } from './lib.mjs'

const tap = new Tap()
const binary = process.argv[2]
if (!binary) tap.skipAll('usage: node model-yaml.test.mjs SHUJIAN')
const yamlLib = await import(path.join(ROOT, 'web/src/builder/model-yaml.js'))
const httpLib = await import(path.join(ROOT, 'web/src/lib/http.js'))
const { emptyForm, resultColumns, toYaml, validate, OPERATIONS } = yamlLib

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sj-yaml-'))

function shujian(args) {
  return spawnSync(binary, args, { encoding: 'utf8', timeout: 30000, env: { ...process.env, SHUJIAN_MODELS: tmp } })
}

// A form as a prosecutor would fill it for operation op, with awkward strings in it.
function filledForm(op) {
  const f = emptyForm()
  Object.assign(f, {
    id: `built-${op}`,
    name: `构建器测试：${op}`,
    author: 'true',
    summary: '# 不是注释: 而是说明 "引号" 与 \'单引号\'\n第二行',
    operation: op,
  })
  f.inputs[0] = {
    name: 'cases_a',
    label: '- 以短横线开头的说明',
    dataset: 'enforcement cases',
    columns: [
      { name: 'party_id', kind: 'party-id', headers: '证件号码, 身份证号', headerPick: [] },
      { name: '当事人', kind: 'name', headers: '当事人：姓名', headerPick: [] },
      { name: 'amount', kind: 'amount', headers: '123', headerPick: [] },
      { name: 'happened', kind: 'date', headers: '处罚日期', headerPick: [] },
    ],
  }
  f.inputs[1] = {
    name: 'cases_b',
    label: '',
    dataset: 'case_system',
    columns: [
      { name: 'suspect_id', kind: 'party-id', headers: '证件号码', headerPick: [] },
      { name: 'filed', kind: 'date', headers: '立案日期', headerPick: [] },
    ],
  }
  f.on = [{ left: 'party_id', right: 'suspect_id' }]
  f.where = "amount >= 100000 and 当事人 contains '公司'"
  f.by = ['party_id']
  f.minCount = 2
  f.after = 'happened'
  f.then = 'filed'
  f.days = 45
  f.useModel = 'tax-not-transferred'
  const cols = resultColumns(f)
  f.lead = { subject: cols[0], title: `{${cols[0]}} 的线索: "${op}"`, evidence: cols.slice(0, 2) }
  return f
}

function check(file) {
  const res = shujian(['model', 'check', '--json', file])
  try {
    return JSON.parse(res.stdout).files[0]
  } catch {
    return { ok: false, problems: [{ message: res.stderr || res.stdout }] }
  }
}

// 1. Every operation gives a file the model reader accepts.
for (const { value: op } of OPERATIONS) {
  const form = filledForm(op)
  const problems = validate(form)
  tap.ok(problems.length === 0, `${op}: the filled-in form has no problems`, problems.join('\n'))
  const file = path.join(tmp, `built-${op}.yaml`)
  fs.writeFileSync(file, toYaml(form))
  const result = check(file)
  tap.ok(result.ok, `${op}: shujian model check accepts the generated file`,
    `${(result.problems || []).map((p) => `${p.line}:${p.column}: ${p.message}`).join('\n')}\n${toYaml(form)}`)
}

// 2. The strings come back exactly as typed (quoting is right).
{
  const form = filledForm('absent')
  const file = path.join(tmp, 'built-absent.yaml')
  const res = shujian(['model', 'show', file, '--json'])
  let shown = null
  try {
    shown = JSON.parse(res.stdout)
  } catch {
    shown = null
  }
  tap.ok(shown !== null, 'shujian model show reads the generated file', res.stderr)
  if (shown) {
    const a = shown.inputs.find((i) => i.name === 'cases_a')
    const cases = [
      ['name', shown.name, form.name],
      ['author', shown.author, 'true'],
      ['summary', shown.summary, '# 不是注释: 而是说明 "引号" 与 \'单引号\'第二行'],
      ['input label', a && a.label, '- 以短横线开头的说明'],
      ['dataset with a space', a && a.datasets[0], 'enforcement cases'],
      ['header with a colon', a && a.columns.find((c) => c.name === '当事人').headers[0], '当事人：姓名'],
      ['numeric header', a && a.columns.find((c) => c.name === 'amount').headers[0], '123'],
      ['two headers', a && a.columns[0].headers.join('|'), '证件号码|身份证号'],
      ['lead title', shown.lead && shown.lead.title, form.lead.title],
      ['where', shown.steps[0] && shown.steps[0].where, form.where],
    ]
    for (const [what, got, want] of cases) tap.ok(got === want, `the ${what} reads back as typed`, `got:  ${JSON.stringify(got)}\nwant: ${JSON.stringify(want)}`)
  }
}

// 3. validate() says what a person must still fill in.
{
  const table = [
    ['an empty form', () => emptyForm(), '模型编号'],
    ['a bad id', (f) => Object.assign(f, { id: 'Bad_ID' }), '模型编号'],
    ['no dataset', (f) => (f.inputs[0].dataset = ''), '请为数据 cases_a 选择数据集'],
    ['a reserved column name', (f) => (f.inputs[0].columns[0].name = 'contains'), '列名“contains”不可用'],
    ['a column without headers', (f) => (f.inputs[1].columns[0].headers = ' , '), '列 suspect_id 的表头'],
    ['half a key pair', (f) => (f.on = [{ left: 'party_id', right: '' }]), '关键列'],
    ['a title naming a missing column', (f) => (f.lead.title = '{nope}'), '{nope} 不是结果中的列'],
    ['no evidence', (f) => (f.lead.evidence = []), '证据'],
    ['a bad version', (f) => (f.version = '1.0'), '版本号'],
  ]
  for (const [what, change, want] of table) {
    const f = filledForm('absent')
    const changed = change(f) || f
    const form = changed && changed.inputs ? changed : f
    const problems = validate(form)
    tap.ok(problems.some((p) => p.includes(want)), `validate() catches ${what}`, problems.join('\n') || '(no problems)')
  }
  const count = filledForm('count')
  count.minCount = 0
  tap.ok(validate(count).some((p) => p.includes('次数阈值')), 'validate() catches a zero count threshold')
}

// 4. The API client's query strings.
{
  const table = [
    [undefined, ''],
    [{}, ''],
    [{ a: 1, b: '', c: null, d: undefined }, '?a=1'],
    [{ q: '张 三&x=1' }, '?q=%E5%BC%A0+%E4%B8%89%26x%3D1'],
    [{ s: ['a', 'b'] }, '?s=a&s=b'],
    [{ offset: 0 }, '?offset=0'],
  ]
  for (const [query, want] of table) {
    const got = httpLib.queryString(query)
    tap.ok(got === want, `queryString(${JSON.stringify(query)})`, `got ${got}, want ${want}`)
  }
  const missing = new httpLib.ApiError(404, 'NOT_FOUND', '没有这个接口')
  const record = new httpLib.ApiError(404, 'LEAD_NOT_FOUND', '没有这条线索')
  tap.ok(missing.isUnavailable && !record.isUnavailable, 'only a plain NOT_FOUND counts as a missing endpoint')
  tap.ok(new httpLib.ApiError(401, 'SESSION_EXPIRED', '').isUnauthenticated && !new httpLib.ApiError(401, 'BAD_CREDENTIALS', '').isUnauthenticated,
    'a wrong password is not an ended session')
}

fs.rmSync(tmp, { recursive: true, force: true })
tap.done()
