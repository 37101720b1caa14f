// Behaviour every page may use, hung on data- attributes (the Content-Security-Policy allows no
// inline script or handler): confirm before a button acts, submit a form when a select changes,
// select a read-only field's text on click, go back, style the filter column's inputs.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const confirmer = event.target.closest("[data-confirm]");
    if (confirmer && !window.confirm(confirmer.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    const back = event.target.closest("[data-history-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
      return;
    }
    const selectable = event.target.closest("[data-select-on-click]");
    if (selectable) selectable.select();
  });
  document.addEventListener("change", function (event) {
    const select = event.target.closest("[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });
  document.querySelectorAll(".filter-col input:not([type=checkbox]), .filter-col select").forEach(function (e) {
    e.classList.add(e.tagName === "SELECT" ? "form-select" : "form-control", "form-control-sm");
  });
})();
