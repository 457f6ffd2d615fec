// The scoring page: shows the running total as the judge types, and asks before the sheet is submitted.
// A static file rather than inline script, so the Content-Security-Policy can forbid inline scripts.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-score-form]");
  if (!form) return;
  const inputs = [...form.querySelectorAll("[data-score]")];
  const output = form.querySelector("[data-score-total]");
  const update = () => {
    const total = inputs.reduce((sum, input) => sum + (Number.parseFloat(input.value) || 0), 0);
    output.textContent = total.toFixed(1);
  };
  inputs.forEach((input) => input.addEventListener("input", update));
  update();
  form.addEventListener("submit", (event) => {
    const button = event.submitter;
    const question = button && button.dataset.confirmSubmit;
    if (question && !window.confirm(question)) event.preventDefault();
  });
});
