// main.js - the phone check-in page (/m/): Vue only, no desktop component library, so it
// loads fast on a weak mobile network.
import { createApp } from 'vue'
import MobileApp from './MobileApp.vue'
import './mobile.css'

createApp(MobileApp).mount('#app')
