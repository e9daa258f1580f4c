/* Kiosk start: post the start key from the URL fragment (never sent to the server or its
 * logs) to get the device cookie back in a fresh browser profile. */
(function () {
  'use strict';
  var form = document.getElementById('start-form');
  var key = decodeURIComponent(location.hash.slice(1));
  if (!form || !key) return;
  history.replaceState(null, '', location.pathname); // keep the key out of history
  form.elements.kunci.value = key;
  form.submit();
})();
