(function () {
  var K = 'branchpulse.kiosk.shell', d = document, s, t, c;
  try { s = localStorage; t = s.getItem(K); } catch (e) { return; }
  if (t === null) return;
  try { c = copy(JSON.parse(t)); } catch (e) { c = null; }
  if (!c) { try { s.removeItem(K); } catch (e) {} return; }
  var state = window.branchpulseShell = { key: c.key, tap: null }, r = d.documentElement;
  r.setAttribute('data-kiosk', 'locked');
  r.setAttribute('lang', c.lang);
  var h = d.createElement('div');
  h.id = 'kiosk-shell';
  h.innerHTML = '<main><div class="kiosk"></div></main>';
  h.firstChild.firstChild.appendChild(c.el);
  h.addEventListener('click', function (e) {
    var b = e.target.closest('button[data-value]'), i = b && b.closest('.kiosk-item[data-item]');
    if (!i) return;
    state.tap = { item: i.getAttribute('data-item'), value: b.getAttribute('data-value') };
    each(i, function (x, n) { if (n === 'aria-pressed' && x.matches('button[data-value]')) x.setAttribute(n, x === b); return 1; });
    c.el.classList.add('confirming');
  });
  d.body.insertBefore(h, d.body.firstChild);

  function each(root, ok) {
    var all = [root].concat([].slice.call(root.querySelectorAll('*')));
    for (var i = 0; i < all.length; i++) {
      for (var a = all[i].attributes.length - 1; a >= 0; a--) if (!ok(all[i], all[i].attributes[a].name)) return 0;
    }
    return 1;
  }

  function copy(o) {
    if (!o || o.v !== 1 || typeof o.key !== 'string' || typeof o.html !== 'string' || typeof o.lang !== 'string' || !/^[A-Za-z-]{2,8}$/.test(o.lang)) return;
    if (!s.getItem('branchpulse.device.enrolment') || (s.getItem('branchpulse.kiosk.setup') || '').indexOf('"locked":true') < 0) return;
    if (/\s(on[a-z]+|style)\s*=/i.test(o.html)) return;
    var p = d.createElement('template');
    p.innerHTML = o.html;
    var n = p.content.childNodes, el = n[0];
    if (n.length !== 1 || el.nodeType !== 1 || !el.matches('section.kiosk-question') || !el.querySelector('.kiosk-item[data-item] button[data-value]')) return;
    if (el.querySelector('script,style,link,iframe,object,embed,form,img,.kiosk-item [aria-pressed="true"],:checked')) return;
    if (!each(el, function (x, m) { return !/^on|(^|:)href$|^src$|^style$/i.test(m); })) return;
    el = d.importNode(el, true);
    each(el, function (x, m) {
      if (m === 'data-shell-style') { x.style.cssText = x.getAttribute(m); x.removeAttribute(m); }
      return 1;
    });
    return { key: o.key, lang: o.lang, el: el };
  }
})();
