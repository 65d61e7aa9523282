// screenshots.mjs - pictures of the main pages for the README and docs/WEB.md, taken the way
// the browser test drives the UI: a temporary workspace (demo offices and users), `shujian
// serve`, Debian's chromium. Run through scripts/screenshots.
// Usage: node screenshots.mjs path/to/shujian OUTDIR
import fs from 'node:fs'
import path from 'node:path'
import { PASSWORD, Server, Workspace, fillBuilder, findDist, launchBrowser, missingTools, servesUi, startProxy } from './lib.mjs'

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
  ['bail', '/bail', '[data-test=map]'],
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

async function main() {
  fs.mkdirSync(outDir, { recursive: true })
  const ws = new Workspace(binary)
  ws.seed()
  ws.demo()
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
