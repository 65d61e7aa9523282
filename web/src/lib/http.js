// http.js - the one place that talks to /api/v1, shared by the platform and the phone page.
// It sends the session cookie (same origin), the X-CSRF-Token on every state change, JSON
// bodies as application/json, and turns every failure into an ApiError carrying the server's
// stable code and Chinese message ({"code", "message"}, docs/API.md). It shows nothing itself:
// the platform's api.js adds Element Plus messages, the phone page its own banner.

export const API_PREFIX = '/api/v1'

// Chinese text for answers that carry no {"code","message"} body (a proxy, a network error).
const STATUS_TEXT = {
  400: '请求有误',
  401: '请先登录',
  403: '没有权限执行此操作',
  404: '请求的内容不存在',
  405: '此功能尚未开放',
  408: '请求超时，请重试',
  413: '提交的内容过大',
  414: '请求地址过长',
  415: '提交的格式不受支持',
  429: '操作过于频繁，请稍后再试',
  500: '服务器内部错误，请联系管理员',
  502: '服务器暂时无法访问，请稍后再试',
  503: '服务器繁忙，请稍后再试',
  504: '服务器响应超时，请稍后再试',
}

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.retryAfter = retryAfter
  }

  // The endpoint itself does not exist on this server yet (a later release adds it). Only
  // meaningful for collection endpoints, whose path has no record id that could be missing.
  get isUnavailable() {
    return (
      (this.status === 404 && this.code === 'NOT_FOUND') ||
      this.status === 405 ||
      this.status === 501
    )
  }

  get isUnauthenticated() {
    return this.status === 401 && this.code !== 'BAD_CREDENTIALS'
  }
}

export function statusText(status) {
  return STATUS_TEXT[status] || `请求失败（HTTP ${status}）`
}

export function queryString(query) {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    if (Array.isArray(value)) value.forEach((v) => params.append(key, String(v)))
    else params.append(key, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

async function readBody(resp) {
  if (resp.status === 204) return null
  const type = resp.headers.get('Content-Type') || ''
  const text = await resp.text()
  if (!text) return null
  if (!type.includes('json')) return { __notJson: true }
  try {
    return JSON.parse(text)
  } catch {
    return { __notJson: true }
  }
}

function isStateChange(method) {
  return method !== 'GET' && method !== 'HEAD'
}

// A client bound to a source of the CSRF token. csrf() returns the current token ('' if none).
// `headers` adds request headers (the phone page's Bearer device token and Idempotency-Key).
export function createClient({ csrf }) {
  async function send(method, path, { query, body, signal, headers: extra } = {}) {
    const headers = { Accept: 'application/json', ...(extra || {}) }
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store', signal }
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json'
      init.body = JSON.stringify(body)
    }
    const token = csrf()
    if (isStateChange(method) && token) headers['X-CSRF-Token'] = token
    let resp
    try {
      resp = await fetch(API_PREFIX + path + queryString(query), init)
    } catch (e) {
      if (e && e.name === 'AbortError') throw e
      throw new ApiError(0, 'NETWORK', '无法连接服务器，请检查网络后重试')
    }
    const data = await readBody(resp)
    if (resp.ok) {
      if (data && data.__notJson) throw new ApiError(resp.status, 'BAD_ANSWER', '服务器返回了无法识别的内容')
      return data
    }
    const isError = data && !data.__notJson && typeof data.code === 'string'
    const retry = Number(resp.headers.get('Retry-After')) || null
    throw new ApiError(
      resp.status,
      isError ? data.code : `HTTP_${resp.status}`,
      isError && data.message ? data.message : statusText(resp.status),
      retry,
    )
  }
  return { send }
}
