// bail.test.mjs - the 取保候审 pages and the phone check-in page in a real browser against the
// real server (docs/WEB.md, "Tests"). A subject is set up over the API (register, home fence,
// daily schedule, a phone bound over the API that asks for leave and checks in outside the
// fence, so a leave waits and a fence-breach alert is open; the face enrolled with the CLI).
// Then in Debian's chromium a prosecutor approves the leave with a note, acknowledges the
// alert and resolves it with a note, opens the subject's page (map, fences, history) and
// shows an enrolment code; on a 360 px phone page the code binds the phone, a check-in is
// made with a fake position and a test photo, and another one made offline waits in the
// queue and uploads when the network is back. Every step is checked on the server.
// Usage: node bail.test.mjs path/to/shujian   (TAP on stdout)
import path from 'node:path'
import { PASSWORD, ROOT, Server, Tap, Workspace, findDist, hasCommand, launchBrowser, missingTools, servesUi, startProxy } from './lib.mjs'

const tap = new Tap()
const binary = process.argv[2]
if (!binary) tap.skipAll('usage: node bail.test.mjs SHUJIAN')
const why = missingTools()
if (why) tap.skipAll(why)

const HOME = [23.682, 113.056] // WGS-84, 清远市区
const AWAY = [23.1291, 113.2644] // 广州, about 70 km away
const PHOTOS = path.join(ROOT, 'tests/data/face')

function idNumber(body17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  return body17 + '10X98765432'[[...body17].reduce((s, d, i) => s + Number(d) * w[i], 0) % 11]
}

// A tiny API client with a cookie and the CSRF token, or a device token.
class Api {
  constructor(base) {
    this.base = base
    this.cookie = ''
    this.csrf = ''
    this.headers = {}
  }
  async req(method, p, body, headers = {}) {
    const h = { Accept: 'application/json', ...this.headers, ...headers }
    if (this.cookie) h.Cookie = this.cookie
    if (this.csrf && method !== 'GET') h['X-CSRF-Token'] = this.csrf
    if (body !== undefined) h['Content-Type'] = 'application/json'
    const resp = await fetch(this.base + p, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) })
    const set = resp.headers.get('set-cookie')
    if (set) this.cookie = set.split(';')[0]
    const text = await resp.text()
    let doc = null
    try {
      doc = text ? JSON.parse(text) : null
    } catch {
      doc = text
    }
    return { status: resp.status, doc: doc || {} }
  }
  async login(user) {
    const r = await this.req('POST', '/api/v1/login', { username: user, password: PASSWORD })
    this.csrf = r.doc.csrf_token || ''
    return r
  }
}

async function setUp(ws, base) {
  const officer = new Api(base)
  const login = await officer.login('lisi')
  tap.ok(login.status === 200, 'the prosecutor signs in over the API', login.status)
  const me = login.doc.user.id
  let r = await officer.req('POST', '/api/v1/bail/subjects', {
    person_name: '林小川',
    id_number: idNumber('44180219850312123'),
    phone: '13800138000',
    residence: '清远市清城区某路 1 号',
    crime_type: '盗窃',
    case_number: '清城检刑诉〔2026〕12号',
    prosecutor_id: me,
    bail_start: '2026-06-01',
    bail_end: '2027-05-31',
  })
  tap.ok(r.status === 201, 'a subject is registered over the API', JSON.stringify(r.doc))
  const sid = r.doc.subject.id
  // The office switcher's ?office_id narrows the bail lists; an office outside the scope is 403.
  const own = login.doc.user.office_id
  const lists = await Promise.all(['subjects', 'alerts', 'leaves'].map((x) => officer.req('GET', `/api/v1/bail/${x}?office_id=${own}`)))
  tap.ok(lists.every((x) => x.status === 200) && lists[0].doc.subjects.some((x) => x.id === sid), 'the bail lists take ?office_id of the own office', JSON.stringify(lists.map((x) => x.status)))
  const far = await officer.req('GET', '/api/v1/bail/subjects?office_id=999999')
  tap.ok(far.status === 403 && far.doc.code === 'OFFICE_FORBIDDEN', 'the register refuses ?office_id outside the scope', JSON.stringify(far))
  await officer.req('POST', '/api/v1/bail/fences', { subject_id: sid, kind: 'allowed', name: '住所周边', datum: 'wgs84', geometry: { type: 'Point', coordinates: [HOME[1], HOME[0]], radius: 3000 } })
  await officer.req('POST', `/api/v1/bail/subjects/${sid}/schedules`, { kind: 'daily', start_min: 0, end_min: 1440 })
  r = await officer.req('POST', `/api/v1/bail/subjects/${sid}/devices`)
  const phone = new Api(base)
  r = await phone.req('POST', '/api/v1/bail/devices/bind', { code: r.doc.enrol_code, install_id: 'e2e-api-phone' })
  tap.ok(r.status === 201, 'a first phone binds over the API', JSON.stringify(r.doc))
  phone.headers.Authorization = `Bearer ${r.doc.device_token}`
  const start = Date.now() + 3600000
  r = await phone.req('POST', `/api/v1/bail/device/subjects/${sid}/leaves`, { destination: '广州市', reason: '复诊', lat: AWAY[0], lon: AWAY[1], datum: 'wgs84', start_ms: start, end_ms: start + 8 * 3600000 })
  tap.ok(r.status === 201, 'the phone asks for leave', JSON.stringify(r.doc))
  const leaveId = r.doc.leave.id
  r = await phone.req('POST', '/api/v1/bail/device/checkins', { lat: AWAY[0], lon: AWAY[1], accuracy_m: 20, datum: 'wgs84', fix_ms: Date.now() - 1000 }, { 'Idempotency-Key': 'e2e-away' })
  tap.ok(r.status === 201 && (r.doc.flags || []).includes('outside'), 'a check-in far from home is flagged outside', JSON.stringify(r.doc))
  r = await officer.req('GET', `/api/v1/bail/alerts?subject_id=${sid}&status=open`)
  const alert = (r.doc.alerts || []).find((a) => a.kind === 'fence-breach')
  tap.ok(!!alert, 'a fence-breach alert is open', JSON.stringify(r.doc))
  let face = false
  if (hasCommand(binary, 'face')) {
    try {
      ws.cli(['face', 'enrol', path.join(PHOTOS, 'collins.jpg'), '--subject', String(sid)])
      face = true
    } catch (err) {
      tap.comment(`no face enrolment here (${String(err.message).split('\n')[0]}): check-ins stay unverified`)
    }
  }
  return { officer, me, sid, leaveId, alertId: alert ? alert.id : 0, face }
}

async function login(page, base) {
  await page.goto(`${base}/login`)
  await page.fill('input[name=username]', 'lisi')
  await page.fill('input[name=password]', PASSWORD)
  await page.click('[data-test=login-submit]')
  await page.waitForURL((u) => new URL(u).pathname === '/', { timeout: 20000 })
}

async function approveLeave(page, base, s) {
  await page.goto(`${base}/bail?tab=leaves`)
  const row = page.locator('[data-test=leaves] .el-table__row', { hasText: '广州市' })
  await row.waitFor({ timeout: 20000 })
  await row.locator('[data-test=leave-approve]').click()
  await page.locator('[data-test=decision-save]').click()
  await page.getByText('请填写审批意见').waitFor({ timeout: 5000 })
  tap.ok(true, 'approving without a note asks for one')
  await page.fill('[data-test=decision-note]', '同意，按时返回并报到')
  await page.locator('[data-test=decision-save]').click()
  await page.locator('.el-message--success', { hasText: '已批准' }).waitFor({ timeout: 20000 })
  const r = await s.officer.req('GET', `/api/v1/bail/leaves/${s.leaveId}`)
  tap.ok(r.doc.leave && r.doc.leave.status === 'approved' && r.doc.leave.note === '同意，按时返回并报到', 'the leave is approved with the note on the server', JSON.stringify(r.doc))
}

async function handleAlert(page, base, s) {
  await page.goto(`${base}/bail?tab=alerts`)
  const row = page.locator('[data-test=alerts] .el-table__row', { hasText: '越出活动区域' })
  await row.waitFor({ timeout: 20000 })
  await row.locator('[data-test=alert-ack]').click()
  await page.locator('.el-message-box input').fill('已电话联系本人')
  await page.locator('.el-message-box').getByRole('button', { name: '确认', exact: true }).click()
  await page.locator('.el-message--success', { hasText: '已确认' }).waitFor({ timeout: 20000 })
  let r = await s.officer.req('GET', `/api/v1/bail/alerts/${s.alertId}`)
  tap.ok(r.doc.alert && r.doc.alert.status === 'acknowledged', 'the alert is acknowledged on the server', JSON.stringify(r.doc))
  await page.locator('.el-radio-button', { hasText: '已确认' }).click()
  await row.locator('[data-test=alert-resolve]').click()
  await page.locator('[data-test=resolve-save]').click()
  await page.getByText('请填写处置情况').waitFor({ timeout: 5000 })
  tap.ok(true, 'resolving without a note asks for one')
  await page.fill('[data-test=resolve-note]', '本人已返回住所，系外出就医')
  await page.locator('[data-test=resolve-save]').click()
  await page.locator('.el-message--success', { hasText: '已处置' }).waitFor({ timeout: 20000 })
  r = await s.officer.req('GET', `/api/v1/bail/alerts/${s.alertId}`)
  tap.ok(r.doc.alert && r.doc.alert.status === 'resolved' && r.doc.alert.resolution === '本人已返回住所，系外出就医', 'the alert is resolved with the note on the server', JSON.stringify(r.doc))
}

// 登记: the form says what is wrong next to the field (a wrong ID check digit), and a right
// form registers the subject and opens its page.
async function registerForm(page, base, s) {
  await page.goto(`${base}/bail?tab=register`)
  await page.click('[data-test=subject-add]')
  const good = idNumber('44180219900101456')
  const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0')
  await page.fill('[data-test=subject-name]', '何一舟')
  await page.fill('[data-test=subject-id]', bad)
  await page.fill('[data-test=subject-case]', '清城检刑诉〔2026〕13号')
  await page.fill('[data-test=subject-phone]', '1380013')
  await page.fill('[data-test=subject-residence]', '清远市清城区某路 2 号')
  await page.locator('.el-dialog .el-select', { hasText: '选择或输入罪名' }).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '危险驾驶' }).click()
  const range = page.locator('.el-dialog .el-range-input')
  await range.nth(0).fill('2026-11-01')
  await range.nth(1).fill('2028-01-31')
  await range.nth(1).press('Enter')
  // The police officer is picked by name (GET /api/v1/bail/officers), not by user number.
  await page.locator('.el-dialog .el-select', { hasText: '选择民警' }).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '王五' }).click()
  await page.waitForTimeout(300)
  await page.click('[data-test=subject-save]')
  await page.getByText(`身份证号校验位应为 ${good[17]}，请核对`).waitFor({ timeout: 5000 })
  tap.ok(true, 'a wrong ID check digit is named next to the field')
  await page.getByText('取保候审最长不得超过十二个月').waitFor({ timeout: 5000 })
  tap.ok(true, 'a bail period over twelve months is refused before sending')
  await page.getByText('手机号应为 1 开头的 11 位数字').waitFor({ timeout: 5000 })
  tap.ok(true, 'a short mobile number is named next to the field')
  await page.fill('[data-test=subject-phone]', '13800138001')
  await page.fill('[data-test=subject-id]', good)
  await range.nth(1).fill('2027-10-31')
  await range.nth(1).press('Enter')
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/bail/subjects') && r.request().method() === 'POST', { timeout: 15000 })
  await page.click('[data-test=subject-save]')
  const resp = await answer
  tap.ok(resp.status() === 201, 'the server takes the registration', await resp.text())
  await page.waitForURL(/\/bail\/subjects\/\d+$/, { timeout: 20000 })
  const r = await s.officer.req('GET', '/api/v1/bail/subjects')
  const made = (r.doc.subjects || []).find((x) => x.case_number === '清城检刑诉〔2026〕13号')
  tap.ok(made && made.bail_end === '2027-10-31' && made.status === 'active', 'the form registers the subject on the server and opens its page', JSON.stringify(r.doc))
  const officers = (await s.officer.req('GET', '/api/v1/bail/officers')).doc.officers || []
  const wangwu = officers.find((o) => o.display_name === '王五')
  tap.ok(made && wangwu && made.police_id === wangwu.id, 'the police officer picked by name is on the registration', JSON.stringify({ made, officers }))
}

// Fences drawn on the map: a circle (click the centre, give the radius) and a polygon (click
// the corners) are saved as GeoJSON; one is disabled again.
async function drawFences(page, s) {
  const box = await page.locator('[data-test=map]').boundingBox()
  const at = (dx, dy) => page.mouse.click(box.x + box.width / 2 + dx, box.y + box.height / 2 + dy)
  await page.click('[data-test=fence-circle]')
  await at(0, 0)
  await page.fill('[data-test=fence-name]', '工作单位')
  await page.click('[data-test=fence-save]')
  await page.locator('[data-test=fences] .el-table__row', { hasText: '工作单位' }).waitFor({ timeout: 20000 })
  await page.click('[data-test=fence-polygon]')
  await at(-60, -40)
  await at(60, -40)
  await at(0, 50)
  await page.fill('[data-test=fence-name]', '娱乐场所')
  await page.locator('[data-test=fence-form] .el-select').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '禁入区域' }).click()
  await page.click('[data-test=fence-save]')
  await page.locator('[data-test=fences] .el-table__row', { hasText: '娱乐场所' }).waitFor({ timeout: 20000 })
  let r = await s.officer.req('GET', `/api/v1/bail/subjects/${s.sid}/fences`)
  const byName = Object.fromEntries((r.doc.fences || []).map((f) => [f.name, f]))
  const circle = byName['工作单位']
  const poly = byName['娱乐场所']
  tap.ok(circle && circle.geometry.type === 'Point' && circle.geometry.radius === 1000 && circle.kind === 'allowed', 'a circle drawn on the map is saved with its radius', JSON.stringify(circle))
  tap.ok(poly && poly.geometry.type === 'Polygon' && poly.geometry.coordinates[0].length === 4 && poly.kind === 'forbidden', 'a polygon drawn on the map is saved as a forbidden zone', JSON.stringify(poly))
  await page.locator('[data-test=fences] .el-table__row', { hasText: '工作单位' }).getByRole('button', { name: '停用' }).click()
  await page.locator('.el-message-box').getByRole('button', { name: '停用', exact: true }).click()
  await page.locator('[data-test=fences] .el-table__row', { hasText: '工作单位' }).waitFor({ state: 'detached', timeout: 20000 })
  r = await s.officer.req('GET', `/api/v1/bail/subjects/${s.sid}/fences`)
  tap.ok(!(r.doc.fences || []).some((f) => f.name === '工作单位'), 'a disabled fence is gone from the subject', JSON.stringify(r.doc))
}

// The subject's page: the map draws, the fence is listed; an enrolment code is shown large.
async function subjectPage(page, base, s) {
  await page.goto(`${base}/bail?tab=register`)
  // 分布图: the dots come with the register (each subject's `home`), no request per subject.
  let perSubject = 0
  const count = (req) => (perSubject += /\/api\/v1\/bail\/subjects\/\d+\/fences/.test(req.url()))
  page.on('request', count)
  await page.locator('[data-test=subjects] .el-table__row').first().waitFor({ timeout: 20000 })
  await page.locator('[data-test=register-view] label', { hasText: '分布图' }).click()
  await page.locator('[data-test=register-map] path.leaflet-interactive').first().waitFor({ timeout: 20000 })
  page.off('request', count)
  tap.ok(perSubject === 0, 'the register map draws its dots from the list, without a fences request per subject', String(perSubject))
  await page.locator('[data-test=register-view] label', { hasText: '列表' }).click()
  await page.locator('[data-test=subjects] .el-table__row', { hasText: '清城检刑诉〔2026〕12号' }).click()
  await page.waitForURL(new RegExp(`/bail/subjects/${s.sid}$`), { timeout: 20000 })
  await page.locator('[data-test=fences] .el-table__row', { hasText: '住所周边' }).waitFor({ timeout: 20000 })
  const body = await page.innerText('[data-test=bail-subject]')
  tap.ok(!body.includes('13800138000') && !body.includes('441802198503121'), 'the subject page shows the register masked', body.slice(0, 200))
  tap.ok((await page.locator('[data-test=map] path.leaflet-interactive').count()) > 0, 'the fence is drawn on the offline map')
  await drawFences(page, s)
  // 代为申请外出: an officer asks leave for the subject, the destination from the list.
  await page.locator('.el-tabs__item', { hasText: '外出申请' }).click()
  await page.getByRole('button', { name: '代为申请外出' }).click()
  const dialog = page.locator('.el-dialog', { hasText: '代为申请外出' })
  await dialog.locator('.el-select').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '英德市' }).click()
  await dialog.getByPlaceholder('如 就医复诊').fill('参加庭审')
  const when = (ms) => new Date(ms + 8 * 3600000).toISOString().slice(0, 16).replace('T', ' ')
  const times = dialog.locator('.el-range-input')
  await times.nth(0).fill(when(Date.now() + 4 * 86400000))
  await times.nth(1).fill(when(Date.now() + 5 * 86400000))
  await times.nth(1).press('Enter')
  await dialog.getByRole('button', { name: '提交申请' }).click()
  await page.locator('.el-message--success', { hasText: '外出申请已提交' }).waitFor({ timeout: 20000 })
  const lr = await s.officer.req('GET', `/api/v1/bail/leaves?subject_id=${s.sid}`)
  const mine = (lr.doc.leaves || []).find((l) => l.destination === '英德市')
  tap.ok(mine && mine.reason === '参加庭审' && mine.status === 'submitted' && Math.abs(mine.end_ms - mine.start_ms - 86400000) < 120000, 'an officer asks leave on the subject’s behalf', JSON.stringify(lr.doc))
  await page.click('[data-test=enrol]')
  const code = (await page.locator('[data-test=enrol-code]').innerText()).trim()
  tap.ok(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(code), 'an enrolment code is shown large for the phone', code)
  await page.keyboard.press('Escape')
  return code
}

async function phoneCheckin(context, base, s, code) {
  await context.grantPermissions(['geolocation'], { origin: base })
  await context.setGeolocation({ latitude: HOME[0], longitude: HOME[1], accuracy: 25 })
  const phone = await context.newPage()
  await phone.setViewportSize({ width: 360, height: 740 })
  await phone.goto(`${base}/m/`)
  await phone.fill('#m-code', code.toLowerCase())
  await phone.click('[data-test=m-bind]')
  await phone.locator('[data-test=m-home]').waitFor({ timeout: 20000 })
  tap.ok((await phone.innerText('[data-test=m-message]')).includes('绑定成功'), 'the phone binds with the code (any case)')
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth)
  tap.ok(wide <= 360, 'the phone page fits 360 px without scrolling sideways', wide)
  // The next window (a daily schedule 00:00-24:00 is open now) and the score with its reasons.
  await phone.locator('[data-test=m-risk]').waitFor({ timeout: 20000 })
  const next = await phone.innerText('[data-test=m-next]')
  tap.ok(next.startsWith('每日报到：') && (await phone.getByText('现在可以报到').count()) === 1, 'the phone shows the check-in window open now', next)
  const score = `${await phone.innerText('[data-test=m-score]')} ${await phone.innerText('[data-test=m-level]')}`
  tap.ok(/\d+\s*风险分 风险等级：(绿色|黄色|红色)/.test(score), 'the phone shows its risk score and colour', score)

  async function checkIn(photo) {
    await phone.click('[data-test=m-go-checkin]')
    await phone.click('[data-test=m-locate]')
    await phone.getByText('已定位（精度约 25 米）').waitFor({ timeout: 20000 })
    await phone.setInputFiles('[data-test=m-photo]', path.join(PHOTOS, photo))
    await phone.locator('img.m-photo').waitFor({ timeout: 20000 })
    await phone.click('[data-test=m-submit]')
  }
  await checkIn('collins-crop.jpg')
  await phone.locator('[data-test=m-last]').waitFor({ timeout: 30000 })
  tap.ok(/报到成功|已记录/.test(await phone.innerText('[data-test=m-last]')), 'the phone shows the server’s answer', await phone.innerText('[data-test=m-last]'))
  let r = await s.officer.req('GET', `/api/v1/bail/subjects/${s.sid}/checkins`)
  if (r.status === 404 && r.doc.code === 'NOT_FOUND') {
    r = await s.officer.req('GET', `/api/v1/bail/subjects/${s.sid}/trail?from_ms=${Date.now() - 3600000}&to_ms=${Date.now() + 60000}`)
    tap.ok((r.doc.fixes || []).some((f) => Math.abs(f.lat - HOME[0]) < 1e-4 && Math.abs(f.lon - HOME[1]) < 1e-4), 'the server recorded the check-in at the fake position', JSON.stringify(r.doc))
  } else {
    const mine = (r.doc.checkins || []).filter((c) => Math.abs(c.lat - HOME[0]) < 1e-4 && Math.abs(c.lon - HOME[1]) < 1e-4)
    tap.ok(mine.length === 1 && mine[0].place === 'inside', 'the server recorded one check-in at the fake position, inside the fence', JSON.stringify(r.doc))
    const want = s.face ? 'match' : 'unverified'
    tap.ok(mine.length === 1 && mine[0].face === want, `the photo was verified against the enrolled face: ${want}`, JSON.stringify(mine))
  }

  // Offline: the check-in waits in the queue and goes up when the network is back, once.
  await context.setOffline(true)
  await phone.evaluate(() => window.dispatchEvent(new Event('offline')))
  await checkIn('collins-crop.jpg')
  await phone.locator('[data-test=m-queue]').waitFor({ timeout: 20000 })
  tap.ok((await phone.innerText('[data-test=m-queue]')).includes('待上传的报到（1）'), 'offline, the check-in waits in the queue')
  await context.setOffline(false)
  await phone.evaluate(() => window.dispatchEvent(new Event('online')))
  await phone.locator('[data-test=m-queue]').waitFor({ state: 'detached', timeout: 30000 })
  r = await s.officer.req('GET', `/api/v1/bail/subjects/${s.sid}/checkins`)
  const home = (r.doc.checkins || []).filter((c) => Math.abs(c.lat - HOME[0]) < 1e-4 && Math.abs(c.lon - HOME[1]) < 1e-4)
  if (r.status === 404) tap.todo(false, 'back online, the queued check-in is uploaded and recorded once', 'no GET …/checkins on this server')
  else tap.ok(home.length === 2, 'back online, the queued check-in is uploaded and recorded once', JSON.stringify(r.doc))

  // A leave request from the phone.
  await phone.click('[data-test=m-go-leave]')
  const wideLeave = await phone.evaluate(() => document.documentElement.scrollWidth)
  tap.ok(wideLeave <= 360, 'the leave form fits 360 px too', wideLeave)
  await phone.selectOption('[data-test=m-leave-place]', '佛冈县')
  const local = (ms) => new Date(ms + 8 * 3600000).toISOString().slice(0, 16)
  await phone.fill('[data-test=m-leave-start]', local(Date.now() + 86400000))
  await phone.fill('[data-test=m-leave-end]', local(Date.now() + 2 * 86400000))
  await phone.fill('[data-test=m-leave-reason]', '探望母亲')
  await phone.click('[data-test=m-leave-submit]')
  await phone.waitForFunction(() => !/正在提交|已上传/.test(document.querySelector('[data-test=m-message]')?.innerText || ''), null, { timeout: 30000 }).catch(() => {})
  const said = await phone.innerText('[data-test=m-message]')
  tap.ok(said.includes('外出申请已提交'), 'the phone says the leave request was sent', said)
  r = await s.officer.req('GET', `/api/v1/bail/leaves?subject_id=${s.sid}&status=submitted`)
  if (r.status === 404) tap.todo(false, 'the leave request from the phone is on the server', 'no GET /api/v1/bail/leaves on this server')
  else tap.ok((r.doc.leaves || []).some((l) => l.destination === '佛冈县' && l.reason === '探望母亲'), 'the leave request from the phone is on the server', JSON.stringify(r.doc))
  const text = await phone.innerText('body')
  tap.ok(!/[A-Za-z]{2,}/.test(text), 'the phone page shows no English words', text.match(/[A-Za-z]{2,}/g))
  await phone.close()
}

// 排班表: a shift added on the calendar is on the server; 每日核查: today's queue is worked
// through in place (check-ins marked in bulk, alerts acknowledged, the phone's leave decided)
// and the day signed off.
async function rosterAndReview(page, base, s) {
  await page.goto(`${base}/bail?tab=roster`)
  await page.click('[data-test=shift-add]')
  // A 24-hour shift from the last half hour (the end at its start is the next day), so the
  // officer is on duty whenever the test runs.
  const now = new Date(Date.now() + 8 * 3600000)
  const half = `${String(now.getUTCHours()).padStart(2, '0')}:${now.getUTCMinutes() < 30 ? '00' : '30'}`
  for (const i of [0, 1]) {
    await page.locator('.el-dialog .el-select').nth(i).click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: half }).first().click()
    await page.waitForTimeout(300)
  }
  await page.click('[data-test=shift-save]')
  await page.locator('[data-test=roster] .sj-shift').first().waitFor({ timeout: 20000 })
  let r = await s.officer.req('GET', '/api/v1/bail/roster')
  tap.ok(r.status === 200 && (r.doc.shifts || []).length === 1 && r.doc.shifts[0].display_name === '李四', 'a shift added on the calendar is on the server', JSON.stringify(r.doc))
  r = await s.officer.req('GET', '/api/v1/bail/roster/on-duty')
  tap.ok(r.doc.user_id === s.me, 'the officer is on duty now', JSON.stringify(r.doc))

  await page.goto(`${base}/bail?tab=review`)
  const today = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10)
  const picker = page.locator('.sj-bail-filters .el-date-editor input')
  await picker.fill(today)
  await picker.press('Enter')
  await page.locator('[data-test=review-left]').waitFor({ timeout: 20000 })
  await page.waitForFunction(() => /未处理 [1-9]/.test(document.querySelector('[data-test=review-left]')?.innerText || ''), null, { timeout: 20000 })
  tap.ok(await page.locator('[data-test=review-signoff]').isDisabled(), 'signing off is offered only once everything is handled')
  await page.locator('[data-test=review] .el-table__header .el-checkbox').click()
  await page.click('[data-test=review-mark]')
  await page.locator('.el-message--success', { hasText: '已核查' }).waitFor({ timeout: 20000 })
  for (let i = 0; i < 10; i++) {
    const ack = page.locator('[data-test=review] .el-table__row').getByRole('button', { name: '确认预警' })
    const approve = page.locator('[data-test=review] .el-table__row').getByRole('button', { name: '批准' })
    if (await ack.count()) {
      await ack.first().click()
      await page.locator('.el-message--success', { hasText: '已确认预警' }).last().waitFor({ timeout: 20000 })
    } else if (await approve.count()) {
      await approve.first().click()
      await page.fill('[data-test=decision-note]', '同意')
      await page.click('[data-test=decision-save]')
      await page.locator('.el-message--success', { hasText: '已批准' }).last().waitFor({ timeout: 20000 })
    } else break
    await page.waitForTimeout(300)
  }
  await page.waitForFunction(() => /未处理 0 项/.test(document.querySelector('[data-test=review-left]')?.innerText || ''), null, { timeout: 20000 })
  await page.click('[data-test=review-signoff]')
  await page.locator('.el-message--success', { hasText: '已签字确认' }).waitFor({ timeout: 20000 })
  await page.locator('[data-test=review-signed]').waitFor({ timeout: 20000 })
  const signed = await page.innerText('[data-test=review-signed]')
  tap.ok(/^已于 .+ 由 .+ 签字确认$/.test(signed) && (await page.locator('[data-test=review-signoff]').count()) === 0, 'a signed-off day says by whom and when, and offers no second sign-off', signed)
  r = await s.officer.req('POST', '/api/v1/bail/review/signoff', { day: today })
  tap.ok(r.status === 409 && r.doc.code === 'BAIL_ALREADY_SIGNED_OFF', 'the day is signed off on the server', JSON.stringify(r.doc))
}

async function main() {
  const started = Date.now()
  if (!hasCommand(binary, 'user')) tap.skipAll('this shujian has no `user add`')
  const ws = new Workspace(binary)
  ws.seed()
  ws.cli(['ledger', 'init'])
  const server = await new Server(ws).start()
  let proxy = null
  let browser = null
  try {
    let base = server.url
    if (!(await servesUi(server))) {
      proxy = await startProxy(findDist(binary), server.url)
      base = proxy.url
    }
    const s = await setUp(ws, base)
    browser = await launchBrowser()
    const page = await browser.context.newPage()
    const problems = []
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    page.on('console', (m) => m.type() === 'error' && /Refused to/.test(m.text()) && problems.push(m.text()))
    await login(page, base)
    await approveLeave(page, base, s)
    await handleAlert(page, base, s)
    await registerForm(page, base, s)
    const code = await subjectPage(page, base, s)
    await phoneCheckin(browser.context, base, s, code)
    await rosterAndReview(page, base, s)
    tap.ok(problems.length === 0, 'no script errors or Content-Security-Policy refusals', problems.join('\n'))
  } finally {
    if (browser) await browser.close()
    if (proxy) proxy.server.close()
    const status = await server.stop()
    tap.ok(status === 0, 'the server stops cleanly', server.readLog().slice(-2000))
    ws.cleanup()
    tap.comment(`took ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }
}

main()
  .catch((err) => tap.ok(false, 'the browser test ran to the end', err.stack || err))
  .finally(() => tap.done())
