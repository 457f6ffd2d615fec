// Keeps a background task's progress bar up to date (an import's preview or confirmation, a grading
// recompute): the element marked data-task-progress="<status URL>" holds a <progress> and a [data-task-text];
// the status URL answers JSON {pending, value, max, text}. Once the task is no longer pending the page is
// reloaded, and the server shows its result. A static file, so the Content-Security-Policy can forbid
// inline scripts.
(() => {
  const INTERVAL = 1000;
  for (const box of document.querySelectorAll("[data-task-progress]")) {
    const url = box.dataset.taskProgress;
    const bar = box.querySelector("progress");
    const text = box.querySelector("[data-task-text]");
    const poll = async () => {
      let status;
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        status = await response.json();
      } catch (error) {
        window.setTimeout(poll, INTERVAL * 5); // a lost connection: try again, more slowly
        return;
      }
      if (!status.pending) {
        window.location.reload();
        return;
      }
      bar.max = status.max;
      if (status.value === null) {
        bar.removeAttribute("value"); // indeterminate while queued, reading or comparing
      } else {
        bar.value = status.value;
      }
      bar.textContent = status.text;
      text.textContent = status.text;
      window.setTimeout(poll, INTERVAL);
    };
    window.setTimeout(poll, INTERVAL);
  }
})();
