// The kiosk's app shell; what it does and why: src/pages/kiosk/shell.rs.
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
    var all = item.querySelectorAll('button[data-value]');
    for (var i = 0; i < all.length; i++) all[i].setAttribute('aria-pressed', String(all[i] === button));
    box.section.classList.add('confirming');
  });
  document.body.insertBefore(holder, document.body.firstChild);

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

  function shell(text, store) {
    var o;
    try { o = JSON.parse(text); } catch (e) { return null; }
    if (!o || o.v !== 1 || typeof o.key !== 'string' || typeof o.html !== 'string' || !/^[A-Za-z-]{2,8}$/.test(o.lang || '')) return null;
    var setup = store.getItem('branchpulse.kiosk.setup') || '';
    if (!store.getItem('branchpulse.device.enrolment') || setup.indexOf('"locked":true') < 0) return null;
    if (/\s(on[a-z]+|style)\s*=/i.test(o.html)) return null;
    var t = document.createElement('template');
    t.innerHTML = o.html;
    var nodes = t.content.childNodes;
    var section = nodes[0];
    if (nodes.length !== 1 || section.nodeType !== 1 || !section.matches('section.kiosk-question')) return null;
    if (!section.querySelector('.kiosk-item[data-item] button[data-value]')) return null;
    if (section.querySelector('script, style, link, iframe, object, embed, form, img, .kiosk-item [aria-pressed="true"], :checked')) return null;
    if (!each(section, function (el, name) {
      return !(/^on/i.test(name) || /(^|:)href$/i.test(name) || name === 'src' || name === 'style');
    })) return null;
    section = document.importNode(section, true);
    each(section, function (el, name) {
      if (name === 'data-shell-style') {
        el.style.cssText = el.getAttribute(name);
        el.removeAttribute(name);
      }
      return true;
    });
    return { key: o.key, lang: o.lang, section: section };
  }
})();
