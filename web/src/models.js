// models.js - model names by id (GET /api/v1/models, read once per page load), so that pages
// listing leads and statistics show 涉税案件未移送监督模型 rather than tax-not-transferred.
import { reactive } from 'vue'
import { api } from './api.js'

const state = reactive({ list: [], loaded: false })
let pending = null

export function loadModels() {
  if (!pending) {
    pending = api
      .get('/models', { silent: true, unavailable: true })
      .then((answer) => {
        state.list = (answer && answer.models) || []
      })
      .catch(() => {
        state.list = []
      })
      .finally(() => {
        state.loaded = true
      })
  }
  return pending
}

export function modelList() {
  return state.list
}

export function modelName(id) {
  const m = state.list.find((x) => x.id === id)
  return m ? m.name : id
}
