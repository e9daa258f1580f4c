/* Print buttons: <button data-print> opens the print dialog (no inline script under the CSP). */
document.addEventListener('click', function (event) {
  if (event.target.closest('[data-print]')) window.print();
});
