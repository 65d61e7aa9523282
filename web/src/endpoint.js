// endpoint.js - useEndpoint(): read one GET endpoint into a reactive state for LoadState.vue.
// status: 'loading' | 'ready' | 'unavailable' (the server has no such endpoint yet) | 'error'.
import { reactive } from 'vue'
import { api } from './api.js'

export function useEndpoint(path, query = () => ({})) {
  const state = reactive({ status: 'loading', data: null, error: '' })
  let seq = 0
  async function load() {
    const mine = ++seq
    state.status = 'loading'
    try {
      const data = await api.get(typeof path === 'function' ? path() : path, {
        query: query(),
        unavailable: true,
        silent: true,
      })
      if (mine !== seq) return
      state.data = data
      state.status = 'ready'
    } catch (err) {
      if (mine !== seq) return
      state.status = err && err.isUnavailable ? 'unavailable' : 'error'
      state.error = (err && err.message) || '未知错误'
    }
  }
  return { state, load }
}
