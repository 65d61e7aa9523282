// device.js - what this phone keeps about its binding: the device token the server gave at
// binding (sent as "Authorization: Bearer"), its subject and device ids, and a random
// installation id that tells the server a re-bind of the same phone from a new one. Kept in
// localStorage: the phone is not a user and has no session cookie; clearing the browser's
// data means binding again with a new code.
const DEVICE_KEY = 'shujian.bail.device'
const INSTALL_KEY = 'shujian.bail.install'

export function loadDevice() {
  try {
    const d = JSON.parse(localStorage.getItem(DEVICE_KEY) || 'null')
    return d && d.token && d.subject_id ? d : null
  } catch {
    return null
  }
}

export function saveDevice(d) {
  localStorage.setItem(DEVICE_KEY, JSON.stringify(d))
  return d
}

export function forgetDevice() {
  localStorage.removeItem(DEVICE_KEY)
}

export function installId() {
  let id = localStorage.getItem(INSTALL_KEY)
  if (!id) {
    id = globalThis.crypto && crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`
    localStorage.setItem(INSTALL_KEY, id)
  }
  return id
}
