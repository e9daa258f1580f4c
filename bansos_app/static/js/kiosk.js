/* Bansos Desa kiosk helpers: on-screen numeric keypad and idle reset.
 *
 * Loaded (defer) only on enrolled kiosk devices, whose <body> carries
 * data-kiosk="1" plus the settings read below. Vanilla ES2017, no build step,
 * CSP-safe: no inline code, no style attributes; looks come from kiosk.css
 * through classes and the `hidden` attribute.
 */
(function () {
  'use strict';
  var body = document.body;
  if (!body || body.dataset.kiosk !== '1') return;
  var cfg = body.dataset;

  // Labels are translated by the server into data-* attributes; Indonesian otherwise.
  function say(name, fallback) { return cfg[name] || fallback; }
  function secs(v, fallback) { var n = parseInt(v, 10); return n > 0 ? n : fallback; }
  function make(tag, cls, text) {
    var e = document.createElement(tag);
    e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  /* ---------------------------------------------------------------- keypad */

  // The keypad sits in the page, right under the fields of its form (in a [data-kp-slot],
  // or in one made after the last numeric field), never as a bar over the page. Once up it
  // stays up while its form is on screen: hiding it on blur moved the page under the finger
  // between the press and the click, so a tap on "Cek Status" or "Cetak" was lost.
  // Delegated (focusin), so fields that htmx swaps in later are covered too.
  var FIELD = 'input[inputmode="numeric"]:not([data-kp="off"])';
  var kp, okKey, cur = null, startValue = '', edited = false;

  function isField(n) {
    return !!n && n.nodeType === 1 && n.matches(FIELD) && !n.disabled && !n.readOnly;
  }
  function fieldsOf(f) {
    var all = f.form ? f.form.elements : [f];
    return [].filter.call(all, function (n) {
      return isField(n) && n.getClientRects().length > 0; // skip invisible ones
    });
  }
  function nextField(f) {
    var list = fieldsOf(f);
    return list[list.indexOf(f) + 1] || null;
  }
  // The enter key says what it does: the form's own submit label on the last field.
  function submitLabel(form) {
    var b = form && form.querySelector('button[type="submit"], button:not([type]), input[type="submit"]');
    var text = b ? (b.value || b.textContent).trim() : '';
    return text || say('kpOk', 'Kirim');
  }

  /* Digits in groups of four ("1703 1241 0785 0001"), as on the family card. */
  function grouped(f) { return !!f.dataset.group; }
  function maxDigits(f) { return f.maxLength >= 0 ? f.maxLength - Math.floor(f.maxLength / 5) : Infinity; }
  function regroup(f) {
    var v = f.value, at = f.selectionStart == null ? v.length : f.selectionStart;
    var before = v.slice(0, at).replace(/\s+/g, '').length;
    var nv = v.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
    if (nv === v) return;
    f.value = nv;
    var pos = 0, seen = 0;
    while (pos < nv.length && seen < before) { if (nv[pos] !== ' ') seen++; pos++; }
    if (document.activeElement === f) f.setSelectionRange(pos, pos);
  }
  document.addEventListener('input', function (e) { if (isField(e.target) && grouped(e.target)) regroup(e.target); }, true);

  function buildKeypad() {
    kp = make('div', 'kp');
    kp.id = 'kp';
    kp.hidden = true;
    kp.setAttribute('role', 'group');
    kp.setAttribute('aria-label', say('kpLabel', 'Papan angka'));
    var keys = make('div', 'kp-keys');
    function key(action, cls, text) {
      var b = make('button', 'kp-key ' + cls, text);
      b.type = 'button';
      b.tabIndex = -1; // Tab on a physical keyboard moves between fields, not into the keypad
      b.dataset.key = action;
      b.setAttribute('aria-label', text);
      keys.appendChild(b);
      return b;
    }
    // Grid of 4 columns: 1 2 3 Hapus / 4 5 6 Kosongkan / 7 8 9 OK / 0 (wide) with OK two rows tall.
    '123b456c789o0'.split('').forEach(function (k) {
      if (k === 'b') key('back', 'kp-act kp-back', say('kpBack', 'Hapus'));
      else if (k === 'c') key('clear', 'kp-act kp-clear', say('kpClear', 'Kosongkan'));
      else if (k === 'o') okKey = key('ok', 'kp-act kp-ok', '');
      else key(k, k === '0' ? 'kp-digit kp-zero' : 'kp-digit', k);
    });
    kp.appendChild(keys);

    // preventDefault on press keeps focus (and the caret) in the field. `click`
    // still fires, so a finger that slides off a key cancels that key.
    function press(e) {
      e.preventDefault(); // also suppresses the mousedown that would move focus
      var b = e.target.closest('.kp-key');
      if (b) b.classList.add('kp-down'); // :active is unreliable once the press is cancelled
    }
    function release() {
      var d = kp.querySelector('.kp-down');
      if (d) d.classList.remove('kp-down');
    }
    kp.addEventListener('pointerdown', press);
    kp.addEventListener('mousedown', function (e) { e.preventDefault(); });
    ['pointerup', 'pointercancel', 'pointerout'].forEach(function (t) { kp.addEventListener(t, release); });
    kp.addEventListener('click', onKey);
  }

  function onKey(e) {
    var b = e.target.closest('.kp-key'), f = cur;
    if (!b || !f || !f.isConnected) return;
    var k = b.dataset.key;
    if (document.activeElement !== f) f.focus({ preventScroll: true });
    if (k === 'ok') return ok(f);

    var v = f.value, s = f.selectionStart, end = f.selectionEnd, nv, caret, type;
    if (s == null) s = end = v.length; // e.g. type=number has no caret API: work at the end
    if (k === 'clear') {
      nv = ''; caret = 0; type = 'deleteContent';
    } else if (k === 'back') {
      if (s === end) {
        if (!s) return;
        s--; // no selection: delete the digit before the caret ...
        if (s > 0 && v[s] === ' ' && grouped(f)) s--; // ... not just the space of a group
      }
      nv = v.slice(0, s) + v.slice(end); caret = s; type = 'deleteContentBackward';
    } else {
      nv = v.slice(0, s) + k + v.slice(end); caret = s + 1; type = 'insertText';
      if (grouped(f) ? nv.replace(/\s+/g, '').length > maxDigits(f) : f.maxLength >= 0 && nv.length > f.maxLength) return;
    }
    if (nv === v) return;
    f.value = nv;
    if (f.selectionStart != null) f.setSelectionRange(caret, caret);
    edited = true;
    // Let grouping, validation, htmx triggers and the idle timer see the change.
    f.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: type, data: type === 'insertText' ? k : null }));
  }

  // OK: next numeric field of the same form, else submit the form.
  function ok(f) {
    var next = nextField(f), form = f.form;
    if (next) {
      next.focus();
      var n = next.value.length;
      if (next.selectionStart != null) next.setSelectionRange(n, n);
      return;
    }
    if (!form) return;
    commit();
    form.requestSubmit(); // runs validation and submit handlers (htmx), unlike form.submit()
  }

  // Programmatic edits do not make the browser fire `change` on blur; do it for them.
  function commit() {
    if (cur && edited && cur.value !== startValue) cur.dispatchEvent(new Event('change', { bubbles: true }));
    edited = false;
    if (cur) startValue = cur.value;
  }

  // Where the keypad goes: the form's slot, else a slot made after the last field's box.
  function slotFor(f) {
    var scope = f.form || f.parentNode;
    var slot = scope.querySelector('[data-kp-slot]');
    if (slot) return slot;
    var list = fieldsOf(f), last = list[list.length - 1] || f;
    var box = last.closest('.field') || last;
    slot = make('div', 'kp-slot');
    slot.setAttribute('data-kp-slot', '');
    box.parentNode.insertBefore(slot, box.nextSibling);
    return slot;
  }

  function show(f) {
    if (!kp) buildKeypad();
    if (cur !== f) { commit(); cur = f; startValue = f.value; edited = false; }
    var slot = slotFor(f);
    if (kp.parentNode !== slot) slot.appendChild(kp);
    var label = nextField(f) ? say('kpNext', 'Lanjut') : submitLabel(f.form);
    okKey.textContent = label;
    okKey.setAttribute('aria-label', label);
    kp.hidden = false;
    if (f.form) f.form.classList.add('kp-on'); // a form swapped in by htmx is new: mark it again
    // Only scroll when the field or the keypad is off screen, to avoid jumps.
    var r = f.getBoundingClientRect(), k = kp.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight || k.bottom > window.innerHeight) {
      (f.form || f).scrollIntoView({ block: 'nearest' });
    }
  }

  function hide() {
    commit();
    if (cur && cur.form) cur.form.classList.remove('kp-on');
    cur = null;
    if (kp) kp.hidden = true;
  }

  // Show for a focused numeric field. Focus leaving for a button, a link or nowhere keeps
  // the keypad (and so the layout) as it is; it goes with its form.
  function sync() {
    var a = document.activeElement;
    if (isField(a)) show(a);
    else if (cur && !cur.isConnected) hide();
  }
  document.addEventListener('focusin', sync);
  // A swap can remove the focused field without any focusout; htmx may also
  // re-focus a swapped-in field. Check again once it has settled.
  document.addEventListener('htmx:load', function () { setTimeout(sync, 0); });

  /* ------------------------------------------------------------ idle reset */

  var idleMs = secs(cfg.idleSeconds, 60) * 1000;
  var countFrom = secs(cfg.countdownSeconds, 10);
  var homeUrl = cfg.homeUrl || '/';
  var homePath = new URL(homeUrl, location.href).pathname;
  var last = Date.now(), shownAt = 0, timer, ov, countEl, contBtn, prevFocus;
  var resetting = false, swapped = false, closing = false;

  // Boosted page swaps keep the <body> (and its hx-headers) from the first load, whose token
  // expires after an hour: a form's token in the page is newer, so it is tried first.
  function csrfToken() {
    var f = document.querySelector('input[name="csrf_token"]');
    if (f && f.value) return f.value;
    try { return JSON.parse(body.getAttribute('hx-headers') || '{}')['X-CSRFToken'] || ''; } catch (e) { return ''; }
  }

  // An untouched home page has nothing to forget: no countdown there.
  function nothingToForget() {
    // Another language chosen is something to forget too: the next person reads Indonesian.
    if (swapped || location.pathname !== homePath || document.documentElement.lang !== 'id') return false;
    return ![].some.call(document.querySelectorAll('input, textarea'), function (f) {
      return f.type === 'checkbox' || f.type === 'radio' ? f.checked !== f.defaultChecked : f.value !== f.defaultValue;
    });
  }
  // A boosted link or the Selesai button loads a whole page: the address tells the truth.
  document.addEventListener('htmx:afterSwap', function (e) { swapped = !(e.detail && e.detail.boosted); });

  function buildOverlay() {
    ov = make('div', 'idle');
    ov.hidden = true;
    ov.setAttribute('role', 'alertdialog');
    ov.setAttribute('aria-modal', 'true');
    ov.setAttribute('aria-labelledby', 'idle-title');
    ov.setAttribute('aria-describedby', 'idle-text');
    var box = make('div', 'idle-box');
    var title = make('h2', 'idle-title', say('idleTitle', 'Masih di sini?'));
    title.id = 'idle-title';
    var text = make('p', 'idle-text', say('idleText', 'Sentuh layar untuk melanjutkan. Jika tidak, layar kembali ke halaman awal dalam:'));
    text.id = 'idle-text';
    countEl = make('p', 'idle-count');
    countEl.setAttribute('aria-live', 'assertive');
    countEl.setAttribute('aria-atomic', 'true');
    contBtn = make('button', 'idle-continue', say('idleContinue', 'Saya masih di sini'));
    contBtn.type = 'button';
    box.appendChild(title); box.appendChild(text); box.appendChild(countEl); box.appendChild(contBtn);
    ov.appendChild(box);
    // The countdown is already cancelled on pointerdown (see activity); the
    // overlay only goes away on the click, so that click cannot land on a
    // "Cetak" button underneath.
    ov.addEventListener('click', function (e) { e.preventDefault(); closeIdle(); });
  }

  function openIdle() {
    if (!ov) buildOverlay();
    if (!ov.isConnected) body.appendChild(ov); // a boosted page swap replaced the body's content
    shownAt = Date.now();
    countEl.textContent = countFrom;
    if (!ov.hidden) return;
    prevFocus = document.activeElement;
    ov.hidden = false;
    body.classList.add('idle-open');
    contBtn.focus({ preventScroll: true }); // alertdialog: focus inside; also drops the keypad
  }

  function closeIdle() {
    closing = false;
    if (!ov || ov.hidden || shownAt || resetting) return;
    ov.hidden = true;
    body.classList.remove('idle-open');
    if (prevFocus && prevFocus.isConnected && ov.contains(document.activeElement)) prevFocus.focus({ preventScroll: true });
    prevFocus = null;
  }

  // One timer, re-armed from `last` when it fires: activity only stores a time.
  function tick() {
    clearTimeout(timer);
    if (resetting) return;
    var now = Date.now();
    if (!shownAt) {
      var wait = last + idleMs - now;
      if (wait > 0) { timer = setTimeout(tick, wait); return; }
      if (nothingToForget()) { last = now; timer = setTimeout(tick, idleMs); return; }
      openIdle();
      now = shownAt;
    }
    var left = countFrom - Math.floor((now - shownAt) / 1000);
    countEl.textContent = Math.max(left, 0);
    if (left <= 0) return resetNow();
    timer = setTimeout(tick, 1000 - ((now - shownAt) % 1000));
  }

  function activity(e) {
    if (resetting) return;
    last = Date.now();
    if (!shownAt) return;
    shownAt = 0; // countdown stops at once ...
    tick();
    // ... but a touch keeps the overlay up until the click (or, failing one, shortly after the finger lifts).
    if (e.type === 'pointerdown' || e.type === 'touchstart') closing = true;
    else closeIdle();
  }
  ['pointerdown', 'keydown', 'touchstart', 'wheel', 'input'].forEach(function (t) {
    window.addEventListener(t, activity, { capture: true, passive: true });
  });
  ['pointerup', 'pointercancel'].forEach(function (t) {
    window.addEventListener(t, function () { if (closing) setTimeout(closeIdle, 400); }, true);
  });

  // Forget the resident server-side, then go home. Errors are ignored: going
  // home must happen even when the server is unreachable.
  function resetNow() {
    if (resetting) return;
    openIdle();
    countEl.textContent = '0';
    resetting = true;
    clearTimeout(timer);
    hide();
    var gone = false;
    function go() { if (!gone) { gone = true; location.replace(homeUrl); } }
    setTimeout(go, 5000); // a hung request must not keep the last resident on screen
    if (!cfg.resetUrl) return go();
    fetch(cfg.resetUrl, {
      method: 'POST',
      headers: { 'X-CSRFToken': csrfToken() },
      credentials: 'same-origin'
    }).then(go, go);
  }

  // The back/forward cache could show a previous resident's page: reload instead.
  window.addEventListener('pageshow', function (e) { if (e.persisted) location.reload(); });

  window.BansosKiosk = {
    resetNow: resetNow,
    showIdle: function () { if (!shownAt && !resetting) { openIdle(); tick(); } }
  };

  sync(); // a field may already have focus (autofocus)
  tick();
})();
