// Switches the language as soon as one is picked in the menu (a static file: the Content-Security-Policy
// forbids inline handlers). Without JavaScript the menu's <noscript> button sends the form.
document.addEventListener("change", (event) => {
  if (event.target.matches("form.lang select")) {
    event.target.form.submit();
  }
});
