// screenshots.mjs - pictures of the main pages for the README and docs/WEB.md, taken the way
// the browser test drives the UI: a temporary workspace (demo offices and users), `shujian
// serve`, Debian's chromium. Run through scripts/screenshots.
// Usage: node screenshots.mjs path/to/shujian OUTDIR
import fs from 'node:fs'
import path from 'node:path'
import { PASSWORD, Server, Workspace, fillBuilder, findDist, hasCommand, launchBrowser, missingTools, servesUi, startProxy } from './lib.mjs'

const [binary, outDir] = process.argv.slice(2)
if (!binary || !outDir) {
  console.error('usage: node screenshots.mjs SHUJIAN OUTDIR')
  process.exit(2)
}
const why = missingTools()
if (why) {
  console.error(`screenshots: ${why}`)
  process.exit(1)
}

const PAGES = [
  ['home', '/', '[data-test=welcome]'],
  ['datasets', '/data', '.sj-main .el-card'],
  ['models', '/models', '.sj-main .el-card'],
  ['builder', '/builder', '.sj-builder'],
  ['leads', '/leads', '.sj-main .el-card'],
  ['stats', '/stats', '.sj-page'],
  ['users', '/admin/users', '[data-test=users]'],
  ['offices', '/admin/offices', '[data-test=offices]'],
]

async function settle(page, selector) {
  await page.locator(selector).first().waitFor({ timeout: 15000 })
  await page.waitForFunction(() => !document.querySelector('.sj-loading'), null, { timeout: 15000 })
  await page.waitForTimeout(400) // transitions and charts
}

async function shoot(page, name) {
  const file = path.join(outDir, `${name}.png`)
  await page.screenshot({ path: file })
  console.log(`screenshots: ${file}`)
}

// The 取保候审 pages as the prosecutor 李四 sees them, and the phone page bound to one of the
// simulated subjects with a code the prosecutor made.
const BAIL_TABS = [
  ['bail', 'register', '[data-test=subjects]'],
  ['bail-alerts', 'alerts', '[data-test=alerts]'],
  ['bail-leaves', 'leaves', '[data-test=leaves]'],
  ['bail-roster', 'roster', '[data-test=roster]'],
  ['bail-review', 'review', '[data-test=review]'],
  ['bail-stats', 'stats', '[data-test=bail-stats]'],
]

async function bailPages(context, base, phone) {
  const page = await context.newPage()
  await page.goto(`${base}/login`)
  await settle(page, 'input[name=username]')
  await page.fill('input[name=username]', 'lisi')
  await page.fill('input[name=password]', PASSWORD)
  await page.click('[data-test=login-submit]')
  await page.waitForURL((u) => new URL(u).pathname === '/')
  for (const [name, tab, selector] of BAIL_TABS) {
    await page.goto(`${base}/bail?tab=${tab}`)
    await settle(page, selector)
    await shoot(page, name)
  }
  // 分布图: every subject at its home fence on the offline basemap, coloured by risk.
  await page.goto(`${base}/bail?tab=register`)
  await settle(page, '[data-test=subjects]')
  await page.getByText('分布图', { exact: true }).click()
  await page.waitForFunction(() => !/正在读取/.test(document.querySelector('[data-test=register-map]')?.innerText || '正在读取'), null, { timeout: 30000 })
  await page.waitForTimeout(600)
  await shoot(page, 'bail-map')
  await page.goto(`${base}/bail?tab=register`)
  await settle(page, '[data-test=subjects]')
  await page.locator('[data-test=risk-filter]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '红色' }).click()
  const red = page.locator('[data-test=subjects] .el-table__row')
  if ((await red.count()) === 0) await page.reload()
  await page.locator('[data-test=subjects] .el-table__row').first().click()
  await settle(page, '[data-test=fences]')
  await page.locator('[data-test=risk] .sj-risk-head').waitFor({ timeout: 15000 }).catch(() => {})
  await page.locator('[data-test=fence-circle]').scrollIntoViewIfNeeded()
  await shoot(page, 'bail-subject')
  await page.click('[data-test=enrol]')
  await settle(page, '[data-test=enrol-code]')
  await shoot(page, 'bail-enrol')
  const code = (await page.locator('[data-test=enrol-code]').innerText()).trim()
  await phone.fill('#m-code', code)
  await phone.click('[data-test=m-bind]')
  await settle(phone, '[data-test=m-home]')
  await phone.locator('[data-test=m-risk]').waitFor({ timeout: 15000 }).catch(() => {})
  await shoot(phone, 'mobile-home')
  await page.close()
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true })
  const ws = new Workspace(binary)
  ws.seed()
  ws.demo()
  // A fortnight of simulated bail supervision in the county office of the prosecutor 李四.
  const hasBail = hasCommand(binary, 'demo-bail')
  if (hasBail) ws.cli(['demo-bail', '--subjects', '40', '--days', '14', '--office', '441802'])
  const server = await new Server(ws).start()
  let proxy = null
  const browser = await launchBrowser()
  try {
    let base = server.url
    if (!(await servesUi(server))) {
      proxy = await startProxy(findDist(binary), server.url)
      base = proxy.url
    }
    const page = await browser.context.newPage()
    await page.goto(`${base}/login`)
    await settle(page, 'input[name=username]')
    await shoot(page, 'login')
    await page.fill('input[name=username]', 'admin')
    await page.fill('input[name=password]', PASSWORD)
    await page.click('[data-test=login-submit]')
    await page.waitForURL((u) => new URL(u).pathname === '/')
    for (const [name, route, selector] of PAGES) {
      await page.goto(`${base}${route}`)
      await settle(page, selector)
      if (name === 'builder') await fillBuilder(page)
      await shoot(page, name)
    }
    // A dataset's rows (raw and normalised values, each row's source) and a lead's detail.
    await page.goto(`${base}/data`)
    await settle(page, '[data-test=dataset-open]')
    await page.locator('[data-test=dataset-open]').first().click()
    await settle(page, '[data-test=rows-table]')
    await shoot(page, 'dataset-rows')
    await page.goto(`${base}/leads`)
    await settle(page, '[data-test=lead-open]')
    await page.locator('[data-test=lead-open]').first().click()
    await settle(page, '[data-test=lead-evidence]')
    await shoot(page, 'lead-detail')
    await browser.context.clearCookies() // the phone is not signed in as staff
    const phone = await browser.context.newPage()
    await phone.setViewportSize({ width: 390, height: 780 })
    await phone.goto(`${base}/m/`)
    await settle(phone, '[data-test=m-bind]')
    await shoot(phone, 'mobile-bind')
    if (hasBail) await bailPages(browser.context, base, phone)
  } finally {
    await browser.close()
    if (proxy) proxy.server.close()
    await server.stop()
    ws.cleanup()
  }
}

main().catch((err) => {
  console.error(err.stack || err)
  process.exit(1)
})
