// A shopper's photo, end to end, on a phone-sized Chromium: a camera's
// JPEG carrying Exif (the camera's make and a GPS position) is attached to
// a stage, shrunk on the phone, kept through going offline, submitting and
// reloading, then sent after the report through the fault proxy
// (proxy.js), which cuts the connection mid-upload twice: once after the
// server took a chunk (the phone never hears it), once before. The server
// ends with the whole photo, which decodes, with no Exif and no GPS in its
// bytes; the admin (a reviewer) reads it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_URL, PHONE, eventually, launch, openPage, queryServer } from './lib.js';
import { startProxy } from './proxy.js';
import { asAdmin } from './access-steps.js';
import { answerAll, asShopperPhone, openTab, reportId, startAdHoc, tap } from './shop-steps.js';

const CHUNK = 256 * 1024;

let browser;
let proxy;
before(async () => {
  browser = await launch();
  proxy = await startProxy(BASE_URL);
});
after(async () => {
  await browser?.close();
  await proxy?.close();
});

/// An Exif block (little-endian TIFF): IFD0 with Make "PhoneCam" and a
/// pointer to the GPS IFD, which holds GPSLatitudeRef "N" and GPSLatitude
/// 40/1 25/1 0/1 (the same block as crates/server/tests/it/evidence.rs).
function exifWithGps() {
  const t = Buffer.alloc(102);
  t.write('II*\0', 0, 'latin1');
  t.writeUInt32LE(8, 4);
  const entry = (at, tag, kind, count, value) => {
    t.writeUInt16LE(tag, at);
    t.writeUInt16LE(kind, at + 2);
    t.writeUInt32LE(count, at + 4);
    t.writeUInt32LE(value, at + 8);
  };
  t.writeUInt16LE(2, 8);
  entry(10, 0x010f, 2, 9, 38);
  entry(22, 0x8825, 4, 1, 48);
  t.write('PhoneCam\0', 38, 'latin1');
  t.writeUInt16LE(2, 48);
  entry(50, 0x0001, 2, 2, Buffer.from('N\0\0\0', 'latin1').readUInt32LE(0));
  entry(62, 0x0002, 5, 3, 78);
  [40, 1, 25, 1, 0, 1].forEach((n, i) => t.writeUInt32LE(n, 78 + i * 4));
  return t;
}

/// A camera's photo: a 2400×1800 JPEG made by the browser's canvas (a
/// band of noise, so that the shrunk copy takes several chunks), with an
/// Exif APP1 segment put in right after the start-of-image marker.
async function cameraPhoto(page) {
  const jpeg = Buffer.from(
    await page.evaluate(async () => {
      const c = document.createElement('canvas');
      c.width = 2400;
      c.height = 1800;
      const g = c.getContext('2d');
      const sky = g.createLinearGradient(0, 0, 2400, 1800);
      sky.addColorStop(0, '#1d4ed8');
      sky.addColorStop(1, '#f59e0b');
      g.fillStyle = sky;
      g.fillRect(0, 0, 2400, 1800);
      const band = g.createImageData(2400, 700);
      for (let i = 0; i < band.data.length; i += 4) {
        const v = Math.floor(Math.random() * 256);
        band.data.set([v, (v * 7) % 256, 255 - v, 255], i);
      }
      g.putImageData(band, 0, 500);
      const blob = await new Promise((ok) => c.toBlob(ok, 'image/jpeg', 0.9));
      return Array.from(new Uint8Array(await blob.arrayBuffer()));
    }),
  );
  const exif = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifWithGps()]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(exif.length + 2, 2);
  const photo = Buffer.concat([jpeg.subarray(0, 2), header, exif, jpeg.subarray(2)]);
  const file = join(mkdtempSync(join(tmpdir(), 'bp-photo-')), 'camera.jpg');
  writeFileSync(file, photo);
  return { file, photo };
}

/// The photos kept on the phone (IndexedDB `branchpulse-photos`), with
/// their bytes.
async function keptPhotos(page) {
  return page.evaluate(async () => {
    const db = await new Promise((ok, fail) => {
      const open = indexedDB.open('branchpulse-photos');
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    const rows = await new Promise((ok) => {
      const req = db.transaction('photos').objectStore('photos').getAll();
      req.onsuccess = () => ok(req.result);
    });
    db.close();
    const out = [];
    for (const r of rows) {
      const bitmap = await createImageBitmap(r.blob);
      out.push({
        id: r.id, draft: r.draft, stage: r.stage, queued: r.queued, size: r.size,
        width: bitmap.width, height: bitmap.height,
        bytes: Array.from(new Uint8Array(await r.blob.arrayBuffer())),
      });
    }
    return out;
  });
}

const has = (bytes, text) => Buffer.from(bytes).includes(Buffer.from(text, 'latin1'));

test('a photo with GPS is shrunk, kept offline, and sent whole without its metadata through a cut connection', async () => {
  proxy.set('pass');
  const { context, page, errors } = await openPage(browser, { viewport: PHONE, baseURL: proxy.url });
  // The app's warnings say why a photo waits, should this test fail.
  page.on('console', (m) => { if (m.type() === 'warning') console.log(`page: ${m.text()}`); });
  await asShopperPhone(context);
  // Look at waiting photos every half second (the default is 30 s).
  await context.addInitScript(() => localStorage.setItem('branchpulse.photos.interval_ms', '500'));
  await startAdHoc(page, 'N01', 'Photograph the queue ticket');
  for (const mark of ['arrived', 'joined', 'served', 'left']) await tap(page, mark);
  await answerAll(page);

  const { file, photo } = await cameraPhoto(page);
  assert.ok(has(photo, 'Exif') && has(photo, 'PhoneCam'), 'the camera photo carries Exif');
  await openTab(page, 'waiting');
  const input = page.locator('#photo-stage-waiting');
  assert.equal(await input.getAttribute('accept'), 'image/*');
  assert.equal(await input.getAttribute('capture'), 'environment');
  await input.setInputFiles(file);
  await page.locator('.shop-stage[data-section="waiting"] .shop-photo img').waitFor();

  // Shrunk on the phone, without the camera's metadata.
  const [kept] = await keptPhotos(page);
  const id = reportId(page);
  assert.equal(kept.draft, id);
  assert.equal(kept.stage, 'waiting');
  assert.deepEqual([kept.width, kept.height], [1600, 1200]);
  assert.equal(kept.bytes.length, kept.size);
  assert.ok(!has(kept.bytes, 'Exif') && !has(kept.bytes, 'PhoneCam'), 'no Exif kept on the phone');
  assert.ok(kept.size > CHUNK, `the shrunk photo (${kept.size} bytes) takes more than one chunk`);

  // Submitted offline: the report waits in the outbox, the photo with it.
  await context.setOffline(true);
  await openTab(page, 'review');
  await page.locator('.shop-submit').click();
  await page.locator('.shop-readonly:not([hidden])').waitFor();
  await eventually('the photo queued', async () => (await keptPhotos(page))[0]?.queued === true);

  // Back on a network that cuts every report batch, reload: still there.
  proxy.set('down');
  await context.setOffline(false);
  await page.reload();
  await page.locator('.shop-visit').waitFor();
  const batches = proxy.batches;
  await eventually('a report batch cut', async () => proxy.batches > batches);
  assert.equal((await keptPhotos(page)).length, 1, 'the photo survives the reload');
  assert.deepEqual(queryServer('SELECT id FROM evidence WHERE report_id = ?', id), []);

  // The network works again, but the first chunk's answer is lost after
  // the server took it, and the next chunk is cut before it arrives.
  proxy.chunkFaults.push('drop-reply', 'down');
  const chunksBefore = proxy.chunks.length;
  proxy.set('pass');
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await eventually('the photo stored whole', async () => {
    const rows = queryServer('SELECT complete, received, size FROM evidence WHERE report_id = ?', id);
    return rows.length === 1 && rows[0][0] === 1 ? true : rows;
  });
  await eventually('the photo gone from the phone', async () => (await keptPhotos(page)).length === 0);
  const offsets = proxy.chunks.slice(chunksBefore);
  // 0 (taken, its answer lost; announcing again says CHUNK are there) →
  // CHUNK (cut before the server) → CHUNK again → … to the end.
  assert.equal(offsets[0], 0, `offsets ${offsets}`);
  assert.ok(offsets.filter((o) => o === CHUNK).length >= 2, `the cut chunk was sent again: ${offsets}`);
  assert.equal(offsets.filter((o) => o === 0).length, 1, `the chunk taken was not sent again: ${offsets}`);
  await page.locator('.shop-photo-progress', { hasText: '1 of 1 photos sent' }).waitFor();

  // What the server keeps: the phone's bytes, a JPEG without Exif or GPS.
  const [[hex]] = queryServer('SELECT hex(data) FROM evidence WHERE report_id = ?', id);
  const stored = Buffer.from(hex, 'hex');
  assert.deepEqual([...stored], kept.bytes, 'stored as the phone sent it');
  for (const marker of ['Exif', 'PhoneCam', 'GPS']) assert.ok(!has(stored, marker), `${marker} is not stored`);

  // The admin (a reviewer) reads it, and it decodes.
  const list = await (await asAdmin('GET', `/api/v1/evidence?report=${id}`)).json();
  assert.equal(list.length, 1);
  assert.deepEqual({ stage: list[0].stage, complete: list[0].complete }, { stage: 'waiting', complete: true });
  const resp = await asAdmin('GET', `/api/v1/evidence/${list[0].id}/content`);
  assert.equal(resp.status, 200);
  assert.equal(resp.headers.get('content-type'), 'image/jpeg');
  const served = Buffer.from(await resp.arrayBuffer());
  assert.deepEqual(served, stored);
  const size = await page.evaluate(async (bytes) => {
    const bitmap = await createImageBitmap(new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }));
    return [bitmap.width, bitmap.height];
  }, [...served]);
  assert.deepEqual(size, [1600, 1200]);
  assert.deepEqual(errors.filter((e) => !/Failed to load resource|ERR_/.test(e)), []);
  await context.close();
});
