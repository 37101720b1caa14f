// Ticking incidents to acknowledge them together: "select all" ticks every box of its form, and the
// button says how many are ticked (disabled while none is). Delegated on the document, so it keeps
// working when the dashboard replaces its tables live.
(function () {
  "use strict";
  function update(form) {
    const boxes = form.querySelectorAll('input[name="incident"]');
    const ticked = form.querySelectorAll('input[name="incident"]:checked').length;
    const all = form.querySelector("[data-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    const button = form.querySelector("[data-ack-selected]");
    if (button) {
      button.disabled = ticked === 0;
      if (!button.dataset.label) button.dataset.label = button.textContent;
      button.textContent = ticked ? `${button.dataset.label} (${ticked})` : button.dataset.label;
    }
  }
  document.addEventListener("change", (event) => {
    const form = event.target.closest && event.target.closest(".incident-form");
    if (!form) return;
    if (event.target.matches("[data-select-all]")) {
      form.querySelectorAll('input[name="incident"]').forEach((box) => { box.checked = event.target.checked; });
    }
    update(form);
  });
  document.addEventListener("submit", (event) => {
    const form = event.target.closest && event.target.closest(".incident-form");
    if (!form) return;
    const button = form.querySelector("[data-ack-selected]");
    if (button) button.disabled = true;  // busy: one submission
  });
  window.cameraIncidentForms = {
    refresh() { document.querySelectorAll(".incident-form").forEach(update); },
  };
  window.cameraIncidentForms.refresh();
})();
