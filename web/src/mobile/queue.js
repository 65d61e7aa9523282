// queue.js - the phone's offline queue: check-ins (with their photo) made without a network
// wait here and are uploaded later, oldest first. IndexedDB holds them (a photo is too big for
// localStorage's few MB); where IndexedDB is missing (some private modes) localStorage is used.
// Each item: {id, kind, body, created_at, attempts, last_error}. Nothing is ever dropped
// silently: an item leaves the queue only when the server accepted it or the person removes it.

const DB_NAME = 'shujian-bail'
const STORE = 'queue'
const LS_KEY = 'shujian.bail.queue'

function openDb() {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(new Error('no IndexedDB'))
    const req = indexedDB.open(DB_NAME, 1)
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id' })
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

function tx(db, mode, fn) {
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode)
    const result = fn(t.objectStore(STORE))
    t.oncomplete = () => resolve(result && 'result' in result ? result.result : undefined)
    t.onerror = () => reject(t.error)
    t.onabort = () => reject(t.error)
  })
}

const local = {
  all: async () => JSON.parse(localStorage.getItem(LS_KEY) || '[]'),
  put: async (item) => {
    const items = (await local.all()).filter((x) => x.id !== item.id)
    items.push(item)
    localStorage.setItem(LS_KEY, JSON.stringify(items))
  },
  remove: async (id) => localStorage.setItem(LS_KEY, JSON.stringify((await local.all()).filter((x) => x.id !== id))),
}

let backend = null
async function store() {
  if (backend) return backend
  try {
    const db = await openDb()
    backend = {
      all: () => tx(db, 'readonly', (s) => s.getAll()),
      put: (item) => tx(db, 'readwrite', (s) => s.put(item)),
      remove: (id) => tx(db, 'readwrite', (s) => s.delete(id)),
    }
  } catch {
    backend = local
  }
  return backend
}

function newId() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID()
  return `${Date.now()}-${Math.random().toString(16).slice(2)}`
}

export async function enqueue(kind, body) {
  const item = { id: newId(), kind, body, created_at: new Date().toISOString(), attempts: 0, last_error: '' }
  await (await store()).put(item)
  return item
}

export async function pending() {
  const items = (await (await store()).all()) || []
  return items.sort((a, b) => a.created_at.localeCompare(b.created_at))
}

export async function remove(id) {
  await (await store()).remove(id)
}

// Whether the server refused the item itself (a later try would be refused again), as
// opposed to no network, a busy server, an ended session or a missing endpoint.
function isRefusal(err) {
  const status = err && err.status
  return status >= 400 && status < 500 && ![401, 404, 405, 408, 429].includes(status)
}

// Uploads what is queued with send(item) -> Promise, oldest first. Stops at the first failure
// that a later try could fix, so the order is kept; an item the server refuses is marked
// `refused` (kept, with the server's reason, until the person removes it) and skipped.
// Returns {sent, left, error}.
export async function flush(send) {
  const s = await store()
  let sent = 0
  for (const item of await pending()) {
    if (item.refused) continue
    try {
      await send(item)
      await s.remove(item.id)
      sent++
    } catch (err) {
      item.attempts += 1
      item.last_error = (err && err.message) || '上传失败'
      item.refused = isRefusal(err)
      await s.put(item)
      if (item.refused) continue
      return { sent, left: (await pending()).length, error: err }
    }
  }
  return { sent, left: (await pending()).length, error: null }
}
