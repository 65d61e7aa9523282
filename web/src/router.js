// router.js - the platform's pages. Each page's roles come from roles.js; the guard restores
// the session once per page load (GET /me), sends signed-out users to the login page and
// phones of people on bail (role device) to the check-in page /m/.
import { createRouter, createWebHistory } from 'vue-router'
import { ElMessage } from 'element-plus'
import { PAGES, hasRole } from './roles.js'
import { loadSession, session } from './session.js'
import MainLayout from './layouts/MainLayout.vue'

const views = {
  home: () => import('./views/HomeView.vue'),
  data: () => import('./views/DatasetsView.vue'),
  models: () => import('./views/ModelsView.vue'),
  builder: () => import('./views/BuilderView.vue'),
  leads: () => import('./views/LeadsView.vue'),
  stats: () => import('./views/StatsView.vue'),
  bail: () => import('./views/BailView.vue'),
  users: () => import('./views/UsersView.vue'),
  offices: () => import('./views/OfficesView.vue'),
}

const routes = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./views/LoginView.vue'),
    meta: { title: '登录', isPublic: true },
  },
  {
    path: '/',
    component: MainLayout,
    children: [
      ...PAGES.map((p) => ({
        path: p.path.slice(1),
        name: p.name,
        component: views[p.name],
        meta: { title: p.title, roles: p.roles },
      })),
      {
        path: 'bail/subjects/:id(\\d+)',
        name: 'bail-subject',
        component: () => import('./views/bail/SubjectView.vue'),
        meta: { title: '被监管人', roles: ['prosecutor', 'police', 'auditor'] },
      },
      {
        path: ':rest(.*)*',
        name: 'not-found',
        component: () => import('./views/NotFoundView.vue'),
        meta: { title: '页面不存在' },
      },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
})

router.beforeEach(async (to) => {
  if (!session.loaded) await loadSession()
  if (to.meta.isPublic) return session.user && to.name === 'login' ? { path: '/' } : true
  if (!session.user) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (session.user.role === 'device') {
    window.location.assign('/m/')
    return false
  }
  if (to.meta.roles && !hasRole(session.user, to.meta.roles)) {
    ElMessage({ type: 'warning', message: `您的角色无权访问「${to.meta.title}」`, grouping: true })
    return { path: '/' }
  }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · 数检` : '数检'
})
