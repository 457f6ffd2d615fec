// Sends a form once: after the first submit its buttons are disabled, so a double click does not post
// twice (create forms also carry a one-time token the server checks). Disabled on the next tick, since a
// disabled button's name and value would not be sent with the form. Runs after confirm.js, so a cancelled
// confirmation leaves the form usable.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") {
    return;
  }
  if (form.dataset.submitted) {
    event.preventDefault();
    return;
  }
  form.dataset.submitted = "1";
  const buttons = [...form.querySelectorAll("button[type=submit], input[type=submit]")];
  if (form.id) {
    buttons.push(...document.querySelectorAll(`[type=submit][form="${form.id}"]`));
  }
  window.setTimeout(() => buttons.forEach((button) => { button.disabled = true; }), 0);
});
// A page shown again from the back-forward cache gets its buttons back.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-submitted]").forEach((form) => {
    delete form.dataset.submitted;
    form.querySelectorAll("[type=submit]").forEach((button) => { button.disabled = false; });
  });
});
