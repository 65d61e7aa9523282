// session.js - signing in and out, and restoring the session after a page reload.
import { api } from './api.js'
import { session, clearSession } from './session-state.js'
import { hasRole } from './roles.js'

export { session, clearSession }

function keep(answer) {
  session.user = answer.user
  if (answer.office) session.office = answer.office
  session.csrfToken = answer.csrf_token || ''
  session.expiresAt = answer.session ? answer.session.expires_at : null
}

async function loadOffices() {
  session.offices = []
  if (!hasRole(session.user, ['admin', 'prosecutor', 'police', 'auditor'])) return
  try {
    const answer = await api.get('/offices', { silent: true })
    session.offices = (answer && answer.offices) || []
  } catch {
    session.offices = []
  }
}

// Asks the server who we are (the session cookie is HttpOnly, so only the server knows).
export async function loadSession() {
  try {
    const me = await api.get('/me', { silent: true })
    keep(me)
    await loadOffices()
  } catch {
    clearSession()
  }
  session.loaded = true
  return session.user
}

export async function login(username, password) {
  const answer = await api.post('/login', { username, password }, { silent: true })
  keep(answer)
  try {
    const me = await api.get('/me', { silent: true })
    keep(me)
  } catch {
    // the login answer is enough to go on; the office name shows up after a reload
  }
  await loadOffices()
  session.loaded = true
  return session.user
}

export async function logout() {
  try {
    await api.post('/logout', undefined, { silent: true })
  } finally {
    clearSession()
  }
}

// The office a city user chose in the switcher, as a query parameter for data endpoints.
export function officeQuery() {
  return session.viewOfficeId ? { office_id: session.viewOfficeId } : {}
}
