// platform.test.mjs - the platform's working pages in a real browser against the real server
// (`shujian serve`, Debian's chromium through playwright-core), as a city prosecutor would use
// them: upload a small synthetic CSV on 数据仓库 (upload progress, the import job, the summary
// with rows, rejects and column kinds), browse its rows with a column filter and its rejects;
// run a toolbox model; open a lead, follow an evidence row to its source row, set the lead to
// 成案 with an outcome and a note and see it in the history; export the leads as XLSX; see it
// counted on 统计; build a model with the builder, preview its leads (POST /models/preview)
// and save it to the toolbox; switch office and see ?office_id= on the data requests. No
// script errors, and the new dialogs and drawers are in Chinese.
// Usage: node platform.test.mjs path/to/shujian   (TAP on stdout)
import { PASSWORD, Server, Tap, Workspace, fillBuilder, findDist, hasCommand, launchBrowser, missingTools, servesUi, startProxy } from './lib.mjs'

const tap = new Tap()
const binary = process.argv[2]
const why = missingTools()
if (!binary) tap.skipAll('usage: node platform.test.mjs SHUJIAN')
if (why) tap.skipAll(why)

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

// A synthetic ID number (region 441802, born 1985-03-01) with a valid check digit.
function idcard(seq) {
  const body = `44180219850301${String(seq).padStart(3, '0')}`
  const sum = [...body].reduce((n, d, i) => n + Number(d) * WEIGHTS[i], 0)
  return body + '10X98765432'[sum % 11]
}

// Five good rows, one with a phone written with spaces (found by its normalised value), and
// one with a bad ID check digit (kept, the cell flagged with a reason).
function syntheticCsv() {
  const lines = ['身份证号,姓名,手机号,金额']
  for (let i = 1; i <= 5; i++) lines.push(`${idcard(i)},测试人${i},1380013800${i},${i}00.00`)
  lines.push(`${idcard(6)},测试人6,138 0013 8006,600.00`)
  lines.push(`${idcard(7).slice(0, 17)}${idcard(7).endsWith('0') ? '1' : '0'},测试人7,13800138007,700.00`)
  return `${lines.join('\n')}\n`
}

// The words on screen in root that are not Chinese (data cells, code and select values left
// out, as in ui.test.mjs); YAML and Excel are names a user meets.
async function latinWords(page, selector) {
  const texts = await page.$eval(selector, (root) => {
    const skip = 'CODE, PRE, SCRIPT, STYLE, TEXTAREA, .el-table__body, .el-select__selected-item, .el-descriptions__content, .el-tag, [data-data]'
    const out = []
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT)
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement
      if (el && !el.closest(skip) && el.checkVisibility()) out.push(n.textContent)
    }
    return out
  })
  const words = texts.flatMap((t) => t.match(/[A-Za-z]{2,}/g) || [])
  return [...new Set(words)].filter((w) => !['YAML', 'Excel', 'CSV', 'TSV', 'TXT', 'XLSX', 'XLS', 'MB', 'KB'].includes(w))
}

async function chinese(page, selector, what) {
  const latin = await latinWords(page, selector)
  tap.ok(latin.length === 0, `${what} is in Chinese`, `English on screen: ${latin.join(', ')}`)
}

// An Element Plus input: the data-test attribute lands on the <input>/<textarea> itself.
function field(name) {
  return `:is(input, textarea)[data-test=${name}], [data-test=${name}] :is(input, textarea)`
}

async function login(page, base, username) {
  await page.goto(`${base}/login`)
  await page.locator('input[name=username]').waitFor()
  await page.fill('input[name=username]', username)
  await page.fill('input[name=password]', PASSWORD)
  await page.click('[data-test=login-submit]')
  await page.waitForURL((u) => new URL(u).pathname === '/', { timeout: 10000 })
}

async function checkUpload(page, base) {
  await page.goto(`${base}/data`)
  await page.click('[data-test=upload-open]')
  await page.setInputFiles('[data-test=upload-file]', { name: '付款记录.csv', mimeType: 'text/csv', buffer: Buffer.from(syntheticCsv()) })
  await page.fill(field('upload-dataset'), 'e2e付款记录')
  // The small file is imported at once, so the job's polls answer "running, 37 %" (a 200 MB file
  // half way) until the bar has been read; then the real answers go through.
  let isHeld = true
  await page.route(/\/api\/v1\/jobs\/\d+$/, async (route) => {
    if (!isHeld) return route.continue()
    const answer = await route.fetch()
    const doc = await answer.json()
    Object.assign(doc.job, { state: 'running', phase: 'importing', rows: 48210, bytes_done: 77594624, bytes_total: 209715200, percent: 37, result: null })
    return route.fulfill({ response: answer, json: doc })
  })
  await page.click('[data-test=upload-start]')
  await page.locator('[data-test=upload-progress] .el-progress').first().waitFor({ timeout: 5000 })
  tap.ok(true, 'uploading shows a progress bar')
  const held = page.locator('[data-test=upload-job-bar][aria-valuenow="37"]')
  await held.waitFor({ timeout: 10000 }).catch(() => {})
  const heldText = (await held.count()) ? await page.innerText('[data-test=upload-progress]') : ''
  tap.ok(heldText.includes('37%') && heldText.includes('已读取 48,210 行'), "a running import shows its job's percent and the rows read", heldText)
  isHeld = false
  await page.unroute(/\/api\/v1\/jobs\/\d+$/)
  const outcome = page.locator('[data-test=upload-summary], [data-test=upload-error]').first()
  await outcome.waitFor({ timeout: 30000 })
  const text = await outcome.innerText()
  tap.ok((await outcome.getAttribute('data-test')) === 'upload-summary' && text.includes('导入完成'), 'the import job runs to its summary', text)
  tap.ok(/导入行数\s*7/.test(text), 'the summary counts the rows imported', text)
  const bar = await page.getAttribute('[data-test=upload-job-bar]', 'aria-valuenow')
  tap.ok(bar === '100', "the import job's bar ends at 100%", bar)
  tap.ok(text.includes('身份证号（身份证号）') && text.includes('手机号（电话号码）'), 'the summary lists each column with its kind', text)
  tap.ok(/存疑单元格\s*[1-9]/.test(text), 'the summary counts the flagged cell', text)
  await chinese(page, '[data-test=upload-dialog]', 'the upload dialog')
  await page.click('[data-test=upload-view]')
  await page.locator('[data-test=rows-table]').waitFor({ timeout: 10000 })
  const rows = await page.innerText('[data-test=rows-drawer]')
  tap.ok(rows.includes('付款记录.csv') && rows.includes('第 2 行') && rows.includes('共 7 条'), 'the rows show each row\'s source file and row', rows.slice(0, 600))
  await chinese(page, '[data-test=rows-drawer]', 'the row browser')

  await page.locator('[data-test=rows-filter-column]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '手机号' }).first().click()
  await page.fill(field('rows-filter-value'), '13800138006')
  await page.click('[data-test=rows-filter-search]')
  await page.locator('[data-test=rows-pager]', { hasText: '共 1 条' }).waitFor({ timeout: 10000 })
  const filtered = await page.innerText('[data-test=rows-table]')
  // Phones are masked (138******8006 as written with spaces, 138****8006 normalised).
  tap.ok(filtered.includes('第 7 行') && /138\*+8006\s+→ 138\*{4}8006/.test(filtered), 'filtering by a normalised phone finds the row written with spaces, raw and normalised', filtered)

  await page.locator('[data-test=rows-drawer] .el-tabs__item', { hasText: '被拒绝的行' }).click()
  await page.locator('[data-test=rejects-table]').waitFor({ timeout: 10000 })
  await page.waitForTimeout(300)
  const rejects = await page.innerText('[data-test=rejects-table]')
  tap.ok(rejects.includes('第 8 行') || (/校验|身份证/.test(rejects) && rejects.includes('8')), 'the rejects list the flagged cell with its row and reason', rejects)
  await page.keyboard.press('Escape')
}

async function checkRunModel(page, base) {
  await page.goto(`${base}/models`)
  await page.locator('[data-test=model-run]').first().click()
  await page.locator('[data-test=run-start]').click()
  const outcome = page.locator('.el-dialog .el-result__title, .el-dialog .el-alert__title').first()
  await outcome.waitFor({ timeout: 60000 })
  const text = await outcome.innerText()
  tap.ok(/发现线索 \d+ 条/.test(text), 'a toolbox model runs from its dialog to the number of leads', text)
  await page.keyboard.press('Escape')
}

async function checkLead(page, base) {
  await page.goto(`${base}/leads`)
  await page.locator('[data-test=lead-open]').first().click()
  await page.locator('[data-test=lead-evidence]').waitFor({ timeout: 10000 })
  const drawer = await page.innerText('[data-test=lead-drawer]')
  tap.ok(drawer.includes('证据') && /第 \d+ 行/.test(drawer), 'the lead shows its evidence rows with file and row', drawer.slice(0, 600))
  tap.ok((await page.innerText('[data-test=lead-status]')).includes('待核查'), 'a new lead is 待核查')
  await chinese(page, '[data-test=lead-drawer]', 'the lead drawer')

  await page.click('[data-test=lead-to-case]')
  await page.click('[data-test=lead-change-save]')
  await page.locator('[data-test=lead-change] .el-alert', { hasText: '请选择成案方式' }).waitFor({ timeout: 5000 })
  tap.ok(true, '成案 without an outcome says what is missing')
  await page.click('[data-test=lead-outcome]')
  await page.locator('.el-select-dropdown__item:visible', { hasText: '检察建议' }).first().click()
  await page.click('[data-test=lead-change-save]')
  await page.locator('[data-test=lead-change] .el-alert', { hasText: '请填写处理说明' }).waitFor({ timeout: 5000 })
  tap.ok(true, 'a change without a note says the note is required')
  await page.fill(field('lead-note'), '经核查属实，已向相关单位发出检察建议。')
  await page.click('[data-test=lead-change-save]')
  await page.locator('[data-test=lead-status]', { hasText: '成案' }).waitFor({ timeout: 10000 })
  const history = await page.innerText('[data-test=lead-history]')
  tap.ok(history.includes('待核查 → 成案（检察建议）') && history.includes('已向相关单位发出检察建议'), 'the history shows the change with its outcome and note', history)

  await page.locator('[data-test=evidence-source]').first().click()
  await page.waitForURL(/\/data\?dataset=\d+&row=\d+/, { timeout: 10000 })
  await page.locator('[data-test=rows-table] .sj-focus-row').waitFor({ timeout: 10000 })
  tap.ok(true, 'an evidence row links to its source row in 数据仓库, highlighted')
  await page.keyboard.press('Escape')

  await page.goto(`${base}/leads`)
  await page.locator('[data-test=lead-open]').first().waitFor({ timeout: 10000 })
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20000 }), page.click('[data-test=leads-export]')])
  const file = await download.path()
  const fs = await import('node:fs')
  const head = fs.readFileSync(file).subarray(0, 2).toString('latin1')
  tap.ok(download.suggestedFilename().endsWith('.xlsx') && head === 'PK', '导出 Excel downloads an XLSX workbook', download.suggestedFilename())
}

// After one lead was set to 成案, 统计 counts it (GET /api/v1/stats).
async function checkStats(page, base) {
  await page.goto(`${base}/stats`)
  await page.locator('[data-test=stats-models] .el-table__row').first().waitFor({ timeout: 10000 })
  const cases = await page.locator('.el-statistic', { hasText: '成案数' }).innerText()
  tap.ok(/成案数\s*[1-9]/.test(cases), '统计 counts the lead set to 成案', cases)
  await chinese(page, '.sj-main', 'the statistics page')
}

async function checkBuilder(page, base) {
  await page.goto(`${base}/builder`)
  await page.locator('.sj-builder').waitFor()
  await fillBuilder(page)
  tap.ok(await page.isVisible('text=表单已填写完整'), 'the builder form is complete')
  await page.click('[data-test=builder-preview]')
  const outcome = page.locator('[data-test=builder-preview-result], [data-test=builder-error]').first()
  await outcome.waitFor({ timeout: 20000 })
  const text = await outcome.innerText()
  tap.ok((await outcome.getAttribute('data-test')) === 'builder-preview-result' && /将发现线索 \d+ 条/.test(text), '预览线索 shows the would-be leads on current data', text.slice(0, 600))
  tap.ok(text.includes('预览不保存任何线索'), 'the preview says nothing is saved')
  await chinese(page, '[data-test=builder-preview-result]', 'the preview')
  await page.keyboard.press('Escape')
  await page.waitForTimeout(300)
  await page.click('[data-test=builder-save]')
  await page.locator('.el-message--success', { hasText: '已保存到模型工具箱' }).waitFor({ timeout: 10000 })
  await page.goto(`${base}/models`)
  await page.getByText('涉税案件未移送监督模型').first().waitFor({ timeout: 10000 })
  tap.ok(true, 'the saved model is in the toolbox')
}

async function checkOfficeSwitch(page, base) {
  await page.goto(`${base}/data`)
  await page.locator('[data-test=office-switch]').waitFor({ timeout: 10000 })
  await page.locator('[data-test=office-switch] .el-select').click()
  const asked = page.waitForRequest((r) => /\/api\/v1\/datasets\?.*office_id=\d+/.test(r.url()), { timeout: 10000 })
  await page.locator('.el-select-dropdown__item:visible', { hasText: '清城区人民检察院' }).click()
  const req = await asked
  tap.ok(true, `a city user switching office narrows the data requests (${new URL(req.url()).search})`)
  await page.locator('[data-test=datasets], [data-test=datasets-empty]').first().waitFor({ timeout: 10000 })
  tap.ok(await page.isVisible('[data-test=datasets-empty]'), 'the county office has no data yet: the page says how to import')
  await chinese(page, '.sj-main', 'the empty 数据仓库')
}

async function main() {
  const started = Date.now()
  const ws = new Workspace(binary)
  if (!hasCommand(binary, 'user') || !hasCommand(binary, 'demo-data')) tap.skipAll('this shujian cannot seed users or demo data')
  ws.seed()
  ws.user('chenqi', 'prosecutor', '441800', '陈七')
  ws.demo()
  tap.comment(`workspace ready (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  const server = await new Server(ws).start()
  let proxy = null
  let browser = null
  try {
    let base = server.url
    if (!(await servesUi(server))) {
      const dist = findDist(binary)
      if (!dist) throw new Error('the server does not serve the UI and no Vite build was found next to the binary')
      proxy = await startProxy(dist, server.url)
      base = proxy.url
    }
    browser = await launchBrowser()
    const page = await browser.context.newPage()
    const problems = []
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    page.on('console', (m) => m.type() === 'error' && /Refused to/.test(m.text()) && problems.push(m.text()))
    await login(page, base, 'chenqi')
    tap.ok(true, 'a city prosecutor logs in')
    await page.locator('[data-test=todo]').waitFor({ timeout: 10000 })
    await page.waitForFunction(() => /待核查线索\s*[\d,]+/.test(document.querySelector('[data-test=todo]')?.innerText || ''), null, { timeout: 10000 })
    tap.ok(true, '工作台 counts the leads waiting to be checked')
    for (const [name, fn] of [['upload', checkUpload], ['run', checkRunModel], ['lead', checkLead], ['stats', checkStats], ['builder', checkBuilder], ['office', checkOfficeSwitch]]) {
      try {
        await fn(page, base)
      } catch (err) {
        tap.ok(false, `${name}: the steps ran to the end`, err.stack || err)
      }
    }
    tap.ok(problems.length === 0, 'no script errors or Content-Security-Policy refusals', problems.join('\n'))
  } finally {
    if (browser) await browser.close()
    if (proxy) proxy.server.close()
    await server.stop()
    ws.cleanup()
    tap.comment(`took ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }
}

main()
  .catch((err) => tap.ok(false, 'the browser test ran to the end', err.stack || err))
  .finally(() => tap.done())
