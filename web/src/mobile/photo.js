// photo.js - the check-in photo: the file from the phone's camera (<input capture>) shrunk to
// at most MAX_SIDE pixels and re-encoded as JPEG, so a check-in stays small enough to queue
// offline and upload on a weak network. Returns a data: URL.
const MAX_SIDE = 960
const QUALITY = 0.8

function loadImage(file) {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(file)
    const img = new Image()
    img.onload = () => {
      URL.revokeObjectURL(url)
      resolve(img)
    }
    img.onerror = () => {
      URL.revokeObjectURL(url)
      reject(new Error('无法读取照片，请重新拍摄'))
    }
    img.src = url
  })
}

export async function shrinkPhoto(file) {
  const img = await loadImage(file)
  const scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight))
  const canvas = document.createElement('canvas')
  canvas.width = Math.max(1, Math.round(img.naturalWidth * scale))
  canvas.height = Math.max(1, Math.round(img.naturalHeight * scale))
  canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height)
  return canvas.toDataURL('image/jpeg', QUALITY)
}

// The phone's position (WGS-84, as the W3C Geolocation API reports it) with its accuracy and
// fix time, or a Chinese explanation of why there is none.
export function locate(timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) return reject(new Error('此浏览器不支持定位'))
    navigator.geolocation.getCurrentPosition(
      (pos) => resolve({ lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy_m: Math.max(1, Math.round(pos.coords.accuracy)), fix_ms: Math.round(pos.timestamp || Date.now()) }),
      (err) => {
        const why = { 1: '未允许定位：请在浏览器设置中允许本页面使用位置信息', 2: '暂时无法获取位置，请到开阔处重试', 3: '定位超时，请重试' }
        reject(new Error(why[err.code] || '定位失败'))
      },
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 0 },
    )
  })
}
