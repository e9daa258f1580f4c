/* Bansos Desa kiosk: on-screen letter keyboard for short texts and names.
 *
 * For fields marked data-letters (an input or textarea) on an enrolled kiosk, which has no
 * physical keyboard. Built like the number keypad in kiosk.js: it sits in the page under its
 * field, keys keep the focus in the field, and the enter key submits the form with the
 * label of the form's own button. CSP-safe: no inline code, no style attributes.
 */
(function () {
  'use strict';
  var body = document.body;
  if (!body || body.dataset.kiosk !== '1') return;
  var cfg = body.dataset;
  function say(name, fallback) { return cfg[name] || fallback; }

  var FIELD = 'input[data-letters], textarea[data-letters]';
  var ROWS = ['1234567890', 'QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM.,'];
  var kb, okKey, cur = null;

  function make(tag, cls, text) {
    var e = document.createElement(tag);
    e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function isField(n) { return !!n && n.nodeType === 1 && n.matches(FIELD) && !n.disabled && !n.readOnly; }

  function key(row, action, cls, text) {
    var b = make('button', 'lk-key ' + cls, text);
    b.type = 'button';
    b.tabIndex = -1;
    b.dataset.key = action;
    b.setAttribute('aria-label', action === ' ' ? say('lkSpace', 'Spasi') : text);
    row.appendChild(b);
    return b;
  }

  function build() {
    kb = make('div', 'lk');
    kb.id = 'lk';
    kb.hidden = true;
    kb.setAttribute('role', 'group');
    kb.setAttribute('aria-label', say('lkLabel', 'Papan huruf'));
    ROWS.forEach(function (letters) {
      var row = make('div', 'lk-row');
      letters.split('').forEach(function (ch) { key(row, ch, 'lk-char', ch); });
      kb.appendChild(row);
    });
    var last = make('div', 'lk-row lk-row-act');
    key(last, 'clear', 'lk-act lk-clear', say('kpClear', 'Kosongkan'));
    key(last, ' ', 'lk-space', say('lkSpace', 'Spasi'));
    key(last, 'back', 'lk-act lk-back', say('kpBack', 'Hapus'));
    okKey = key(last, 'ok', 'lk-act lk-ok', '');
    kb.appendChild(last);
    kb.addEventListener('pointerdown', function (e) {
      e.preventDefault(); // keep the focus (and caret) in the field
      var b = e.target.closest('.lk-key');
      if (b) b.classList.add('lk-down');
    });
    kb.addEventListener('mousedown', function (e) { e.preventDefault(); });
    ['pointerup', 'pointercancel', 'pointerout'].forEach(function (t) {
      kb.addEventListener(t, function () {
        var d = kb.querySelector('.lk-down');
        if (d) d.classList.remove('lk-down');
      });
    });
    kb.addEventListener('click', onKey);
  }

  function onKey(e) {
    var b = e.target.closest('.lk-key'), f = cur;
    if (!b || !f || !f.isConnected) return;
    var k = b.dataset.key;
    if (document.activeElement !== f) f.focus({ preventScroll: true });
    if (k === 'ok') {
      if (f.form) f.form.requestSubmit(f.form.querySelector('.tk-next') || undefined);
      return;
    }
    var v = f.value, s = f.selectionStart, end = f.selectionEnd, nv, caret;
    if (s == null) s = end = v.length;
    if (k === 'clear') { nv = ''; caret = 0; }
    else if (k === 'back') {
      if (s === end) { if (!s) return; s--; }
      nv = v.slice(0, s) + v.slice(end); caret = s;
    } else {
      nv = v.slice(0, s) + k + v.slice(end); caret = s + 1;
      if (f.maxLength >= 0 && nv.length > f.maxLength) return;
    }
    f.value = nv;
    f.setSelectionRange(caret, caret);
    f.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: k }));
  }

  function submitLabel(form) {
    var b = form && (form.querySelector('.tk-next') || form.querySelector('button[type="submit"]'));
    return b ? b.textContent.trim() : say('kpOk', 'Kirim');
  }

  function show(f) {
    if (!kb) build();
    cur = f;
    var box = f.closest('.field') || f;
    var slot = (f.form && f.form.querySelector('[data-letters-slot]')) || null;
    if (slot) { if (kb.parentNode !== slot) slot.appendChild(kb); }
    else if (kb.previousSibling !== box) box.parentNode.insertBefore(kb, box.nextSibling);
    okKey.textContent = submitLabel(f.form);
    okKey.setAttribute('aria-label', okKey.textContent);
    // One keyboard at a time: the number keypad gives way to the letters.
    var kp = document.getElementById('kp');
    if (kp) kp.hidden = true;
    if (f.form) f.form.classList.remove('kp-on');
    kb.hidden = false;
    var r = kb.getBoundingClientRect();
    if (r.bottom > window.innerHeight) kb.scrollIntoView({ block: 'nearest' });
  }
  function hide() { cur = null; if (kb) kb.hidden = true; }

  function sync() {
    var a = document.activeElement;
    if (isField(a)) show(a);
    else if (a && a.matches && a.matches('input[inputmode="numeric"]')) hide();
    else if (cur && !cur.isConnected) hide();
  }
  document.addEventListener('focusin', sync);
  document.addEventListener('htmx:load', function () { setTimeout(sync, 0); });
  sync();
})();
