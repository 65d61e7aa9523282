// api.js - the platform's API client: lib/http.js plus what a signed-in page needs.
//  - the CSRF token comes from the session (login answer, or GET /me after a reload);
//  - a 403 CSRF_FAILED is retried once after fetching a fresh token from /me;
//  - a 401 (session ended or timed out) clears the session and sends the user to the login
//    page, once, with a Chinese explanation;
//  - any other error is shown as an Element Plus message with the server's Chinese text,
//    unless the caller passes silent: true (then it only throws).
// Callers of collection endpoints that a later release adds pass unavailable: true: a 404
// then throws quietly, and the page shows its "尚未开放" state instead of an error.
import { ElMessage } from 'element-plus'
import { ApiError, createClient } from './lib/http.js'
import { session } from './session-state.js'

export { ApiError }

const client = createClient({ csrf: () => session.csrfToken })
let onUnauthenticated = null
let lastAuthNotice = 0

// main.js registers what happens when the session is gone (clear it, go to the login page).
export function setUnauthenticatedHandler(fn) {
  onUnauthenticated = fn
}

function report(err) {
  ElMessage({ type: 'error', message: err.message, grouping: true, showClose: true })
}

async function refreshCsrf() {
  const me = await client.send('GET', '/me')
  session.csrfToken = (me && me.csrf_token) || ''
}

export async function request(method, path, options = {}) {
  const { silent = false, unavailable = false } = options
  try {
    try {
      return await client.send(method, path, options)
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 'CSRF_FAILED' || !session.user) throw err
      await refreshCsrf()
      return await client.send(method, path, options)
    }
  } catch (err) {
    if (!(err instanceof ApiError)) throw err
    if (unavailable && err.isUnavailable) throw err
    if (err.isUnauthenticated && path !== '/login') {
      const now = Date.now()
      if (onUnauthenticated) onUnauthenticated(err)
      if (!silent && now - lastAuthNotice > 3000) {
        lastAuthNotice = now
        ElMessage({ type: 'warning', message: '登录已失效，请重新登录', grouping: true })
      }
      throw err
    }
    if (!silent) report(err)
    throw err
  }
}

export const api = {
  get: (path, options) => request('GET', path, options),
  post: (path, body, options = {}) => request('POST', path, { ...options, body }),
  patch: (path, body, options = {}) => request('PATCH', path, { ...options, body }),
  put: (path, body, options = {}) => request('PUT', path, { ...options, body }),
  del: (path, options) => request('DELETE', path, options),
}
