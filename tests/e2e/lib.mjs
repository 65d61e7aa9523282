// lib.mjs - what the browser tests and scripts/screenshots share: TAP output, a temporary
// workspace made with the real CLI (an office and users through `shujian office add` and
// `shujian user add`), `shujian serve` on a free port of 127.0.0.1, and Debian's chromium
// driven by playwright-core (no browser download; the flags keep it off the network).
//
// If this `shujian serve` does not answer GET / with the web UI yet (the server's fallback
// route is not wired to sj_web_respond), a small proxy here serves the same Vite build and
// forwards /api and /healthz to the server, and the tests say so in a TAP comment.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import zlib from 'node:zlib'

export const HERE = path.dirname(fileURLToPath(import.meta.url))
export const ROOT = path.resolve(HERE, '../..')
export const PASSWORD = 'correct horse 1'
export const CHROMIUM = process.env.SJ_CHROMIUM || '/usr/bin/chromium'

export class Tap {
  constructor() {
    this.n = 0
    this.failed = 0
  }
  ok(cond, desc, detail) {
    this.n += 1
    console.log(`${cond ? 'ok' : 'not ok'} ${this.n} - ${desc}`)
    if (!cond) {
      this.failed += 1
      if (detail !== undefined) for (const line of String(detail).split('\n').slice(0, 20)) console.log(`#   ${line}`)
    }
    return cond
  }
  // A known gap: reported as a TAP TODO while it is open, as a plain pass once it is closed.
  todo(cond, desc, why) {
    this.n += 1
    console.log(cond ? `ok ${this.n} - ${desc}` : `not ok ${this.n} - ${desc} # TODO ${why}`)
  }
  comment(text) {
    for (const line of String(text).split('\n')) console.log(`# ${line}`)
  }
  skipAll(why) {
    console.log(`1..0 # SKIP ${why}`)
    process.exit(0)
  }
  done() {
    console.log(`1..${this.n}`)
    process.exitCode = this.failed ? 1 : 0
  }
}

// Why the browser tests cannot run here, or null.
export function missingTools() {
  if (!fs.existsSync(CHROMIUM)) return `no ${CHROMIUM} (scripts/bootstrap installs chromium)`
  if (!fs.existsSync(path.join(HERE, 'node_modules', 'playwright-core'))) {
    return 'no tests/e2e/node_modules (scripts/bootstrap runs npm ci there)'
  }
  return null
}

export class Workspace {
  constructor(binary) {
    this.binary = binary
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sj-e2e-'))
    this.dir = path.join(this.tmp, 'ws')
    this.env = { ...process.env, SHUJIAN_TEST_FAST_HASH: '1', SHUJIAN_LOG: 'info' }
    delete this.env.SHUJIAN_WORKSPACE
  }
  cli(args, input) {
    const res = spawnSync(this.binary, [...args, '--workspace', this.dir], {
      input,
      env: this.env,
      encoding: 'utf8',
      timeout: 60000,
    })
    if (res.status !== 0) throw new Error(`shujian ${args.join(' ')}: ${res.status}\n${res.stderr}`)
    return res.stdout
  }
  office(code, name, parent) {
    this.cli(['office', 'add', code, name, ...(parent ? ['--parent', parent] : [])])
  }
  user(name, role, office, display) {
    this.cli(['user', 'add', name, '--office', office, '--role', role, '--display-name', display], `${PASSWORD}\n`)
  }
  // The demo city: a city office with two county offices, and one user of each role.
  seed() {
    this.office('441800', '清远市人民检察院')
    this.office('441802', '清城区人民检察院', '441800')
    this.office('441803', '清新区人民检察院', '441800')
    this.user('admin', 'admin', '441800', '系统管理员')
    this.user('lisi', 'prosecutor', '441802', '李四')
    this.user('wangwu', 'police', '441802', '王五')
    this.user('zhaoliu', 'auditor', '441800', '赵六')
  }
  // Data for the platform pages, when this shujian can make it: the synthetic demo sources
  // (`shujian demo-data`, fixed seed), imported, a ledger, and every toolbox model run once.
  demo() {
    if (!hasCommand(this.binary, 'demo-data')) return false
    const data = path.join(this.tmp, 'demo-data')
    this.env.SHUJIAN_MODELS = path.join(ROOT, 'models')
    spawnSync(this.binary, ['demo-data', data, '--seed', '1'], { env: this.env, encoding: 'utf8' })
    const sources = fs.readdirSync(data).filter((f) => /\.(csv|xlsx)$/.test(f)).map((f) => path.join(data, f))
    this.cli(['import', ...sources])
    this.cli(['ledger', 'init']) // every state change through the API is recorded
    for (const f of fs.readdirSync(path.join(ROOT, 'models')).filter((x) => x.endsWith('.yaml'))) {
      this.cli(['model', 'run', f.replace(/\.yaml$/, '')])
    }
    return true
  }
  cleanup() {
    fs.rmSync(this.tmp, { recursive: true, force: true })
  }
}

export function hasCommand(binary, command) {
  const res = spawnSync(binary, [command, '--help'], { encoding: 'utf8' })
  return !/unknown command/i.test(`${res.stdout}${res.stderr}`) && res.status !== 127
}

export class Server {
  constructor(ws) {
    this.ws = ws
    this.logPath = path.join(ws.tmp, 'serve.log')
    this.log = fs.openSync(this.logPath, 'w')
    this.proc = spawn(ws.binary, ['serve', '--listen', '127.0.0.1:0', '--workspace', ws.dir, '--threads', '2'], {
      env: ws.env,
      stdio: ['ignore', this.log, this.log],
    })
  }
  async start(timeoutMs = 30000) {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(this.readLog())
      if (m) {
        this.port = Number(m[1])
        this.url = `http://127.0.0.1:${this.port}`
        return this
      }
      if (this.proc.exitCode !== null) break
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`shujian serve did not start:\n${this.readLog()}`)
  }
  readLog() {
    return fs.readFileSync(this.logPath, 'utf8')
  }
  async stop() {
    if (this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc.once('exit', r))
      this.proc.kill('SIGTERM')
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 15000)
      await exited
      clearTimeout(timer)
    }
    fs.closeSync(this.log)
    return this.proc.exitCode
  }
}

export async function get(url, headers = {}) {
  const resp = await fetch(url, { headers, redirect: 'manual' })
  return { status: resp.status, type: resp.headers.get('content-type') || '', headers: resp.headers, body: await resp.text() }
}

// Whether the server answers GET / with the web UI itself.
export async function servesUi(server) {
  const r = await get(`${server.url}/`)
  return r.status === 200 && r.type.startsWith('text/html')
}

// ---- The stand-in until the server serves the UI ---------------------------------------------

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png' }

// The Vite build the shujian binary embeds: build/<dir>/src/http/web_assets_data.c.p/dist.
export function findDist(binary) {
  const build = path.resolve(path.dirname(binary), '../..')
  const dist = path.join(build, 'src/http/web_assets_data.c.p/dist')
  return fs.existsSync(path.join(dist, 'index.html')) ? dist : null
}

export function startProxy(dist, apiUrl) {
  const api = new URL(apiUrl)
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x')
    if (url.pathname === '/healthz' || url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      const fwd = http.request({ host: api.hostname, port: api.port, path: req.url, method: req.method, headers: req.headers, agent: false }, (up) => {
        res.writeHead(up.statusCode, up.headers)
        up.pipe(res)
      })
      fwd.on('error', () => res.writeHead(502).end())
      req.pipe(fwd)
      return
    }
    let file = path.join(dist, path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, ''))
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      const isFile = path.extname(url.pathname) !== '' || url.pathname.startsWith('/assets/')
      if (isFile) return res.writeHead(404).end()
      file = path.join(dist, url.pathname === '/m' || url.pathname.startsWith('/m/') ? 'm/index.html' : 'index.html')
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' })
    fs.createReadStream(file).pipe(res)
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })))
}

// ---- The browser --------------------------------------------------------------------------------

// A w x h PNG of one colour, for the check-in photo (no image files in the repository).
export function makePng(w, h, rgb = [200, 40, 40]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (buf) => {
    let c = 0xffffffff
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const out = Buffer.alloc(body.length + 8)
    out.writeUInt32BE(data.length, 0)
    body.copy(out, 4)
    out.writeUInt32BE(crc(body), body.length + 4)
    return out
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(w, 0)
  header.writeUInt32BE(h, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => rgb).flat())])
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: h }, () => row)))
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))])
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core')
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'sj-chromium-'))
  const context = await chromium.launchPersistentContext(userData, {
    executablePath: CHROMIUM,
    headless: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1440, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  })
  const close = async () => {
    await context.close()
    fs.rmSync(userData, { recursive: true, force: true })
  }
  return { context, close }
}

// A first model in the builder (有A无B: enforcement cases with no case in the case system),
// filled in completely, as a person would. With the datasets API the
// datasets and headers are drop-downs; without it, text boxes.
export async function fillBuilder(page) {
  const set = async (placeholder, value, nth = 0) => page.getByPlaceholder(placeholder, { exact: true }).nth(nth).fill(value)
  const choose = async (placeholder, option) => {
    await page.locator('.sj-builder .el-select', { hasText: placeholder }).first().click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: option }).first().click()
    await page.keyboard.press('Escape')
    await page.waitForTimeout(300) // let the drop-down fade out before the next one opens
  }
  await set('如 涉税案件未移送监督模型', '涉税案件未移送监督模型')
  await set('小写字母、数字和短横线，如 tax-check', 'tax-check')
  await set('发现什么问题、为什么值得监督', '两法衔接平台中达到刑事立案标准的涉税行政处罚案件，在检察业务应用系统中查无对应案件的，列为立案监督线索。')
  await page.locator('.sj-builder:not([data-datasets=loading])').waitFor()
  const hasLists = (await page.getByPlaceholder('数据集名称', { exact: true }).count()) === 0
  if (hasLists) {
    await choose('选择数据集', 'enforcement_cases')
    await choose('选择数据集', 'case_system')
  } else {
    await set('数据集名称', 'enforcement_cases', 0)
    await set('数据集名称', 'case_system', 1)
  }
  await set('如 证件号码', 'party_id', 0)
  await set('如 证件号码', 'suspect_id', 1)
  if (hasLists) {
    await choose('选择表头', '证件号码')
    await choose('选择表头', '证件号码')
  } else {
    await set('如 证件号码, 身份证号', '证件号码', 0)
    await set('如 证件号码, 身份证号', '证件号码', 1)
  }
  await choose('A 的列', 'party_id')
  await choose('B 的列', 'suspect_id')
  await choose('一条线索对应的人或单位', 'party_id')
  await set('用 {列名} 引用数据，如 {party}涉税案件未见移送', '{party_id}涉税案件未见移送')
  await choose('每条证据展示的列', 'party_id')
  await page.getByRole('button', { name: '查看 YAML' }).click()
}
