// Vite build of the two pages that shujian serves: the platform (index.html, a Vue SPA with
// Element Plus) and the phone check-in page (m/index.html, Vue only, kept small).
// SJ_WEB_OUT (set by scripts/gen-web-assets) builds into a meson build dir instead of dist/,
// so several build dirs never write the same folder at once.
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const root = fileURLToPath(new URL('.', import.meta.url))
const api = process.env.SJ_API || 'http://127.0.0.1:8080'

export default defineConfig({
  root,
  base: '/',
  plugins: [vue()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    outDir: process.env.SJ_WEB_OUT || 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1600,
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        mobile: fileURLToPath(new URL('./m/index.html', import.meta.url)),
      },
      output: {
        // Libraries change less often than our pages: separate files keep their cache. Vue
        // alone is what the phone page loads; Element Plus and its helpers only the platform.
        manualChunks(id) {
          if (!id.includes('/node_modules/')) return undefined
          if (/\/node_modules\/(@vue|vue|vue-router)\//.test(id)) return 'vue'
          if (/\/node_modules\/(echarts|zrender|tslib)\//.test(id)) return 'echarts'
          if (id.includes('/node_modules/leaflet/')) return 'leaflet'
          return 'element-plus'
        },
      },
    },
  },
  server: {
    proxy: { '/api': api, '/healthz': api },
  },
})
