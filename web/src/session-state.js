// session-state.js - who is signed in, shared by every page. The CSRF token lives only in
// memory (never in localStorage): after a reload GET /api/v1/me hands it out again.
import { reactive } from 'vue'

export const session = reactive({
  loaded: false, // GET /me has answered once since the page loaded
  user: null, // {id, username, display_name, role, role_label, office_id, ...}
  office: null, // the user's office {id, code, name, level, parent_id}
  csrfToken: '',
  expiresAt: null,
  offices: [], // the offices the user may look at (GET /offices), for the office switcher
  viewOfficeId: 0, // city users: the county office being looked at (0 = the whole city)
})

export function clearSession() {
  session.user = null
  session.office = null
  session.csrfToken = ''
  session.expiresAt = null
  session.offices = []
  session.viewOfficeId = 0
}
