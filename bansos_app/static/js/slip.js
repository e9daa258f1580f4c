/* Kiosk voucher slips: print silently (Chromium --kiosk-printing), then back to the status.
 *
 * Only on a page whose <body> has data-autoprint="1" (an enrolled kiosk); a phone just shows
 * the slips. CSP-safe: no inline code; the page size goes in through the CSSOM.
 */
(function () {
  'use strict';
  var body = document.body;
  if (!body || body.dataset.autoprint !== '1') return;
  var MM = 25.4 / 96;

  // A roll has no fixed page length: size the page to the tallest slip so the printer feeds
  // (and cuts) no blank paper.
  function fitPage() {
    var width = body.classList.contains('paper-58') ? 58 : 80;
    var tallest = 0;
    body.classList.add('vslip-measure');
    [].forEach.call(document.querySelectorAll('.vslip'), function (s) {
      tallest = Math.max(tallest, s.getBoundingClientRect().height);
    });
    body.classList.remove('vslip-measure');
    var sheet = [].filter.call(document.styleSheets, function (s) {
      return s.href && s.href.indexOf('/css/slip.css') !== -1;
    })[0];
    if (!sheet || !tallest) return;
    var height = Math.ceil(tallest * MM) + 8;
    sheet.insertRule('@media print { @page { size: ' + width + 'mm ' + height + 'mm; margin: 0; } }', sheet.cssRules.length);
  }

  function printThenReturn() {
    try { fitPage(); } catch (e) { /* the stylesheet's default page size still prints */ }
    window.print(); // with --kiosk-printing this prints at once, without a dialog
    var after = parseInt(body.dataset.returnAfter, 10) || 8;
    setTimeout(function () { location.replace(body.dataset.returnUrl); }, after * 1000);
  }

  if (document.readyState === 'complete') printThenReturn();
  else window.addEventListener('load', printThenReturn);
})();
