// Reference run of face-api (TF.js, cpu backend) for the C parity tests and bench/face.
// Usage: node ref.mjs MODEL_DIR MODE IMAGE.ppm...   MODE: descriptor | full
// full: SSD MobileNet v1 (minConfidence 0.5, maxResults 10) + landmarks + descriptors, per face:
// score, box, landmarks, aligned (alignedRect), crop (the descriptor's region), descriptor.
// Images are binary PPM (P6) files written by the C side, so both implementations see the
// very same pixels; JPEG decoding is tested separately. Prints one JSON document on stdout.
// Exits non-zero (never "skips") when face-api or TF.js cannot be loaded.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = process.env.SJ_FACE_API_DIR
  || path.join(here, '..', '..', 'third_party', 'face-api');
const require = createRequire(path.join(root, 'package.json'));
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const tf = faceapi.tf;

function readPpm(file) {
  const buf = fs.readFileSync(file);
  let pos = 0;
  const token = () => {
    while (/\s/.test(String.fromCharCode(buf[pos]))) pos++;
    const start = pos;
    while (!/\s/.test(String.fromCharCode(buf[pos]))) pos++;
    return buf.toString('latin1', start, pos);
  };
  if (token() !== 'P6') throw new Error(`${file}: not a P6 PPM`);
  const w = +token(); const h = +token(); token();
  pos++;
  const px = new Int32Array(buf.subarray(pos, pos + w * h * 3));
  return tf.tensor3d(px, [h, w, 3], 'int32');
}

async function loadNet(net, dir, name) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, `${name}-weights_manifest.json`)));
  const specs = []; const bufs = [];
  for (const group of manifest) {
    for (const p of group.paths) bufs.push(fs.readFileSync(path.join(dir, p)));
    specs.push(...group.weights);
  }
  const all = Buffer.concat(bufs);
  const ab = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  net.loadFromWeightMap(tf.io.decodeWeights(ab, specs));
}

// The region face-api cuts out for the descriptor (dlib alignment, clipped and floored).
const rectOf = (b) => [b.x, b.y, b.width, b.height];

const [dir, mode, ...images] = process.argv.slice(2);
await tf.setBackend('cpu');
await tf.ready();
const out = { backend: tf.getBackend(), version: faceapi.version, images: [] };
await loadNet(faceapi.nets.faceRecognitionNet, dir, 'face_recognition_model');
if (mode === 'full') {
  await loadNet(faceapi.nets.ssdMobilenetv1, dir, 'ssd_mobilenetv1_model');
  await loadNet(faceapi.nets.faceLandmark68Net, dir, 'face_landmark_68_model');
}
for (const file of images) {
  const img = readPpm(file);
  const t0 = performance.now();
  const rec = { file };
  if (mode === 'descriptor') {
    rec.descriptor = Array.from(await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(img));
  } else {
    const opts = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 10 });
    const res = await faceapi.detectAllFaces(img, opts).withFaceLandmarks().withFaceDescriptors();
    rec.faces = res.map((r) => ({
      score: r.detection.score,
      box: [r.detection.box.x, r.detection.box.y, r.detection.box.width, r.detection.box.height],
      landmarks: r.landmarks.positions.map((p) => [p.x, p.y]),
      aligned: [r.alignedRect.box.x, r.alignedRect.box.y, r.alignedRect.box.width, r.alignedRect.box.height],
      crop: rectOf(r.landmarks.align(null, { useDlibAlignment: true })
        .clipAtImageBorders(img.shape[1], img.shape[0])),
      descriptor: Array.from(r.descriptor),
    }));
  }
  rec.ms = performance.now() - t0;
  img.dispose();
  out.images.push(rec);
}
process.stdout.write(JSON.stringify(out) + '\n');
