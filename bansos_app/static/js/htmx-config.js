/* htmx settings for every page. A static file rather than a <meta name="htmx-config">: it is
 * cached for a year instead of travelling with every page (about 125 bytes on 2G), and the CSP
 * allows no inline script. Loaded with `defer` right after htmx, so it runs before htmx starts
 * on DOMContentLoaded.
 *  - no indicator styles injected (inline styles are refused by the CSP; app.css has them);
 *  - no eval; no page snapshots in localStorage (a kiosk is shared), reload on a history miss;
 *  - 204 swaps nothing; 4xx/5xx answers (form errors, error pages) are swapped like 2xx.
 */
Object.assign(htmx.config, {
  includeIndicatorStyles: false,
  allowEval: false,
  historyCacheSize: 0,
  refreshOnHistoryMiss: true,
  responseHandling: [{ code: '204', swap: false }, { code: '...', swap: true }]
});
