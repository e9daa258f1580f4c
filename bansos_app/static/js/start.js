/* Kiosk start: post the start key from the URL fragment (never sent to the server or its
 * logs) to get the device cookie back in a fresh browser profile. A kiosk has no keyboard,
 * so without a usable key it goes to the public home page instead of waiting for ever. */
(function () {
  'use strict';
  var form = document.getElementById('start-form');
  if (!form) return;
  var key = '';
  try {
    key = decodeURIComponent(location.hash.slice(1));
  } catch (e) {
    key = '';
  }
  history.replaceState(null, '', location.pathname); // keep the key out of history
  if (!key) {
    location.replace('/');
    return;
  }
  form.elements.kunci.value = key;
  form.submit();
})();
