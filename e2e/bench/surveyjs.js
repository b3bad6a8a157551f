// The reference for the first-question benchmarks: the same questionnaire
// as a SurveyJS page (survey-core + survey-js-ui, the framework-free build,
// pinned in package.json), served from loopback with brotli like our own
// assets, so that both are measured on the same machine in the same run.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';

// By path: the packages' "exports" do not list their browser bundles.
const PACKAGES = new URL('../node_modules/', import.meta.url);
const ASSETS = {
  '/survey.core.min.js': ['survey-core/survey.core.min.js', 'text/javascript'],
  '/survey-js-ui.min.js': ['survey-js-ui/survey-js-ui.min.js', 'text/javascript'],
  '/survey-core.min.css': ['survey-core/survey-core.fontless.min.css', 'text/css'],
};

/// A questionnaire text ({ "zh-CN": …, en: …, es: … }) as SurveyJS writes one.
function localized(text) {
  const out = { default: text.en };
  for (const [tag, s] of Object.entries(text)) if (tag !== 'en') out[tag.toLowerCase()] = s;
  return out;
}

function question(item) {
  const q = { name: item.id, title: localized(item.text), isRequired: !!item.required };
  if (item.help) q.description = localized(item.help);
  if (item.show_if) q.visibleIf = `{${item.show_if.item}} = ${JSON.stringify(JSON.stringify(item.show_if.equals))}`;
  switch (item.type) {
    case 'rating':
      return { ...q, type: 'rating', rateType: 'smileys', rateMin: 1, rateMax: 5 };
    case 'nps':
      return { ...q, type: 'rating', rateMin: 0, rateMax: 10 };
    case 'yes_no':
      return { ...q, type: 'radiogroup', choices: ['yes', 'no', 'na'] };
    case 'choice':
      return { ...q, type: 'radiogroup', choices: item.options.map((o) => ({ value: o.id, text: localized(o.label) })) };
    case 'seconds':
      return { ...q, type: 'text', inputType: 'number', min: 0, max: item.max ?? 14400 };
    default:
      return { ...q, type: 'comment', maxLength: item.max_len ?? 2000 };
  }
}

/// Our questionnaire format as a SurveyJS model: a page per item on the
/// kiosk's one-by-one sections (as the kiosk asks them), a page per section
/// otherwise (a "together" section, a mystery-shop stage).
export function toSurveyJs(q, { onePerItem }) {
  const pages = [];
  for (const s of q.sections) {
    if (onePerItem && !s.together) {
      for (const item of s.items) pages.push({ name: `${s.id}.${item.id}`, elements: [question(item)] });
    } else {
      pages.push({ name: s.id, title: localized(s.title), elements: s.items.map(question) });
    }
  }
  return { title: localized(q.title), locale: 'en', pages, showProgressBar: 'top' };
}

function page(model, viewport) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SurveyJS reference (${viewport})</title>
<link rel="stylesheet" href="/survey-core.min.css">
<script src="/survey.core.min.js"></script>
<script src="/survey-js-ui.min.js"></script>
</head><body><div id="survey"></div>
<script>
const survey = new Survey.Model(${JSON.stringify(model)});
SurveyUI.renderSurvey(survey, document.getElementById("survey"));
</script></body></html>`;
}

/// Serve `pages` ({ "/kiosk.html": model, … }) and SurveyJS on a free
/// loopback port; brotli-compressed, cached like hashed assets.
export async function serveReference(pages) {
  const files = new Map();
  const br = (buf) => brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  for (const [path, [file, type]] of Object.entries(ASSETS)) {
    files.set(path, { type, body: br(readFileSync(new URL(file, PACKAGES))) });
  }
  for (const [path, model] of Object.entries(pages)) {
    files.set(path, { type: 'text/html; charset=utf-8', body: br(Buffer.from(page(model, path))) });
  }
  const server = createServer((req, res) => {
    const f = files.get(new URL(req.url, 'http://x').pathname);
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': f.type,
      'content-encoding': 'br',
      'cache-control': 'public, max-age=31536000, immutable',
    });
    res.end(f.body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}`;
  const bytes = (path) => files.get(path).body.length;
  const firstLoad = (path) => bytes(path) + Object.keys(ASSETS).reduce((sum, a) => sum + bytes(a), 0);
  return { url, firstLoad, close: () => new Promise((ok) => server.close(ok)) };
}
