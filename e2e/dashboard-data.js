// Responses for the dashboard's tests and benchmark, sent to a server with
// POST /api/v1/responses in batches, as devices do.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

const SHOP = JSON.parse(readFileSync(new URL('../questionnaires/mystery_shop.json', import.meta.url)));

/// The ISO date `days` after `start` (YYYY-MM-DD).
export function addDays(start, days) {
  const d = new Date(`${start}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/// A lobby-kiosk response at `branch` on `day`; `level` (1–5) sets the
/// ratings around it, `k` varies them. `partial`: the customer walked away
/// after the first two faces.
export function kiosk(branch, day, level, k, comment, partial = false) {
  const rating = (j) => ({ type: 'rating', value: Math.min(5, Math.max(1, level + (((k + j) % 3) - 1))) });
  const minute = String(k % 60).padStart(2, '0');
  const answers = {
    overall: rating(0),
    staff_care: rating(1),
    ease: rating(2),
    fees_worth: rating(3),
    confidence: rating(4),
    recommend: { type: 'nps', value: Math.min(10, level * 2 + (k % 2)) },
  };
  if (comment) answers.comment = { type: 'text', value: comment };
  if (partial) {
    for (const id of ['ease', 'fees_worth', 'confidence', 'recommend']) delete answers[id];
  }
  return {
    id: randomUUID(),
    questionnaire_id: 'lobby',
    questionnaire_version: 2,
    branch,
    device_id: `e2e-dashboard-${branch}`,
    channel: 'kiosk',
    locale: ['en', 'zh-CN', 'es'][k % 3],
    started_at: `${day}T10:${minute}:00Z`,
    submitted_at: `${day}T10:${minute}:50Z`,
    answers,
    ...(partial ? { partial: true } : {}),
  };
}

/// A mystery-shop visit: every item answered (yes, the first option), the
/// wait in seconds, and a critical failure (privacy) when `fail` is set.
export function visit(branch, day, waitSeconds, fail, k) {
  const answers = {};
  for (const section of SHOP.sections) {
    for (const item of section.items) {
      if (item.type === 'yes_no') answers[item.id] = { type: 'yes_no', value: (k + item.id.length) % 4 === 0 ? 'no' : 'yes' };
      else if (item.type === 'choice') answers[item.id] = { type: 'choice', value: item.options[k % item.options.length].id };
      else if (item.type === 'seconds') answers[item.id] = { type: 'seconds', value: item.id === 'wait_seconds' ? waitSeconds : 12 };
      else if (item.type === 'call') answers[item.id] = { type: 'call', value: { rings: 2, answered: true, seconds: 9 } };
    }
  }
  for (const item of ['identity_verified', 'accurate_information', 'no_pressure_selling']) {
    answers[item] = { type: 'yes_no', value: 'yes' };
  }
  answers.privacy_respected = { type: 'yes_no', value: fail ? 'no' : 'yes' };
  answers.phone_answered = { type: 'yes_no', value: 'yes' };
  return {
    id: randomUUID(),
    questionnaire_id: SHOP.id,
    questionnaire_version: SHOP.version,
    branch,
    device_id: `e2e-dashboard-shopper`,
    channel: 'mystery_shop',
    locale: 'en',
    started_at: `${day}T14:00:00Z`,
    submitted_at: `${day}T14:40:00Z`,
    answers,
  };
}

/// POST `list` in batches; every response must be stored.
export async function post(baseUrl, list) {
  for (let i = 0; i < list.length; i += 400) {
    const batch = list.slice(i, i + 400);
    const res = await fetch(`${baseUrl}/api/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ responses: batch }),
    });
    const body = await res.text();
    assert.equal(res.status, 200, body);
    const { results } = JSON.parse(body);
    const refused = results.filter((r) => r.status === 'rejected');
    assert.deepEqual(refused, [], 'every response is stored');
  }
}

/// `n` kiosk responses per branch at `level` (every `partialEvery`-th of
/// them left part-way) and `visits` mystery visits, spread over `weeks`
/// weeks from the Monday `start`.
export function network({ start, weeks, branches, visits = 0 }) {
  const list = [];
  for (const { code, level, n, comment, partialEvery } of branches) {
    for (let k = 0; k < n; k++) {
      const day = addDays(start, (k * 5) % (weeks * 7));
      const partial = partialEvery > 0 && k % partialEvery === partialEvery - 1;
      list.push(kiosk(code, day, level, k, k === 0 ? comment : undefined, partial));
    }
  }
  const shopped = branches.filter((b) => b.shopped);
  for (let k = 0; k < visits; k++) {
    const b = shopped[k % shopped.length];
    const day = addDays(start, (k * 3) % (weeks * 7));
    list.push(visit(b.code, day, 30 + ((k * 97) % 1500), k % 5 === 0, k));
  }
  return list;
}
