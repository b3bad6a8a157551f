// The kiosk's app shell (kiosk.html; the copy is made by
// src/pages/kiosk/shell.rs). Until the app has started, shows the first
// question as the app last drew it for a new customer, and keeps a tap on
// one of its answers in `window.branchpulseShell.tap` for the app to give
// to its own button. A copy that is not ours in every respect is removed,
// never shown. A classic script, run where it stands in <body>: the
// Content-Security-Policy allows no inline script.
(function () {
  var KEY = 'branchpulse.kiosk.shell';
  var store;
  var kept;
  try {
    store = window.localStorage;
    kept = store.getItem(KEY);
  } catch (e) {
    return;
  }
  if (kept === null) return;
  var box = shell(kept, store);
  if (!box) {
    try { store.removeItem(KEY); } catch (e) { /* nothing kept, nothing shown */ }
    return;
  }
  var state = { key: box.key, tap: null };
  window.branchpulseShell = state;
  var root = document.documentElement;
  root.setAttribute('data-kiosk', 'locked');
  root.setAttribute('lang', box.lang);
  var holder = document.createElement('div');
  holder.id = 'kiosk-shell';
  var main = document.createElement('main');
  var kiosk = document.createElement('div');
  kiosk.className = 'kiosk';
  kiosk.appendChild(box.section);
  main.appendChild(kiosk);
  holder.appendChild(main);
  holder.addEventListener('click', function (e) {
    var button = e.target.closest('button[data-value]');
    var item = button && button.closest('.kiosk-item[data-item]');
    if (!item) return;
    state.tap = { item: item.getAttribute('data-item'), value: button.getAttribute('data-value') };
    // Shown as chosen, as the app would.
    var all = item.querySelectorAll('button[data-value]');
    for (var i = 0; i < all.length; i++) all[i].setAttribute('aria-pressed', String(all[i] === button));
    box.section.classList.add('confirming');
  });
  document.body.insertBefore(holder, document.body.firstChild);

  // Whether `ok(element, attribute name)` holds for every attribute of `root` and below.
  function each(root, ok) {
    var every = root.querySelectorAll('*');
    for (var i = -1; i < every.length; i++) {
      var el = i < 0 ? root : every[i];
      for (var a = el.attributes.length - 1; a >= 0; a--) {
        if (!ok(el, el.attributes[a].name)) return false;
      }
    }
    return true;
  }

  // The copy, checked: JSON of our shape, one question screen with an
  // answer button, nothing chosen, and nothing a screen of ours never has.
  function shell(text, store) {
    var o;
    try { o = JSON.parse(text); } catch (e) { return null; }
    if (!o || o.v !== 1 || typeof o.key !== 'string' || typeof o.html !== 'string' || !/^[A-Za-z-]{2,8}$/.test(o.lang || '')) return null;
    // Only an enrolled, locked kiosk starts on a customer's screen.
    var setup = store.getItem('branchpulse.kiosk.setup') || '';
    if (!store.getItem('branchpulse.device.enrolment') || setup.indexOf('"locked":true') < 0) return null;
    // Refused before parsing: parsing alone makes the browser report an
    // inline handler or style to the Content-Security-Policy.
    if (/\s(on[a-z]+|style)\s*=/i.test(o.html)) return null;
    var t = document.createElement('template');
    t.innerHTML = o.html;
    var nodes = t.content.childNodes;
    var section = nodes[0];
    if (nodes.length !== 1 || section.nodeType !== 1 || !section.matches('section.kiosk-question')) return null;
    if (!section.querySelector('.kiosk-item[data-item] button[data-value]')) return null;
    if (section.querySelector('script, style, link, iframe, object, embed, form, img, .kiosk-item [aria-pressed="true"], :checked')) return null;
    // Checked while inert (in the template), styled once ours.
    if (!each(section, function (el, name) {
      return !(/^on/i.test(name) || /(^|:)href$/i.test(name) || name === 'src' || name === 'style');
    })) return null;
    section = document.importNode(section, true);
    each(section, function (el, name) {
      if (name === 'data-shell-style') {
        // Through the CSSOM, which the Content-Security-Policy allows.
        el.style.cssText = el.getAttribute(name);
        el.removeAttribute(name);
      }
      return true;
    });
    return { key: o.key, lang: o.lang, section: section };
  }
})();
