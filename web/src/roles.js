// roles.js - what each role sees. The server checks every request again (docs/API.md,
// "Roles and office scope"); this table only decides which pages the navigation offers.
import {
  Coin,
  Collection,
  DataAnalysis,
  EditPen,
  HomeFilled,
  Location,
  OfficeBuilding,
  Tickets,
  User,
} from '@element-plus/icons-vue'

export const ROLE_LABELS = {
  admin: '管理员',
  prosecutor: '检察官',
  police: '公安',
  auditor: '审计员',
  device: '监管设备',
}

const STAFF = ['admin', 'prosecutor', 'police', 'auditor']

// One entry per page; `group` puts entries under a sub-menu.
export const PAGES = [
  { path: '/', name: 'home', title: '工作台', icon: HomeFilled, roles: STAFF },
  { path: '/data', name: 'data', title: '数据仓库', icon: Coin, roles: ['admin', 'prosecutor'] },
  { path: '/models', name: 'models', title: '模型工具箱', icon: Collection, roles: ['admin', 'prosecutor'] },
  { path: '/builder', name: 'builder', title: '模型构建器', icon: EditPen, roles: ['admin', 'prosecutor'] },
  { path: '/leads', name: 'leads', title: '线索', icon: Tickets, roles: ['admin', 'prosecutor', 'police'] },
  { path: '/stats', name: 'stats', title: '统计', icon: DataAnalysis, roles: ['admin', 'prosecutor', 'auditor'] },
  { path: '/bail', name: 'bail', title: '取保候审', icon: Location, roles: ['admin', 'prosecutor', 'police', 'auditor'] },
  { path: '/admin/users', name: 'users', title: '用户管理', icon: User, roles: ['admin'], group: '系统管理' },
  { path: '/admin/offices', name: 'offices', title: '单位管理', icon: OfficeBuilding, roles: ['admin'], group: '系统管理' },
]

export function hasRole(user, roles) {
  return !!user && (!roles || roles.includes(user.role))
}

export function pagesFor(user) {
  return PAGES.filter((p) => hasRole(user, p.roles))
}

export function roleLabel(role) {
  return ROLE_LABELS[role] || role
}
