// main.js - starts the platform: Element Plus in Simplified Chinese, the router, and what
// to do when the server says the session is gone.
import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import 'element-plus/dist/index.css'
import './styles.css'
import App from './App.vue'
import { router } from './router.js'
import { setUnauthenticatedHandler } from './api.js'
import { clearSession } from './session.js'

setUnauthenticatedHandler(() => {
  clearSession()
  const here = router.currentRoute.value
  if (here.name !== 'login') {
    router.replace({ name: 'login', query: here.fullPath !== '/' ? { redirect: here.fullPath } : {} })
  }
})

createApp(App).use(ElementPlus, { locale: zhCn }).use(router).mount('#app')
