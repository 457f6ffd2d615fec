// Asks before a form marked data-confirm="question" is sent (deleting a record, finalising a register).
// A static file rather than onsubmit attributes, so the Content-Security-Policy can forbid inline scripts.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
