/* A bridge point's readiness checklist saves itself on every change and shows the new colour. */
(function () {
  "use strict";
  const checklist = document.getElementById("checklist");
  if (!checklist) return;
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  checklist.addEventListener("change", async () => {
    const body = {};
    checklist.querySelectorAll("input[type=checkbox]").forEach((box) => { body[box.name] = box.checked; });
    const response = await fetch(checklist.dataset.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    if (response.ok) {
      const data = await response.json();
      document.getElementById("readiness-colour").className = "ms-auto readiness-dot readiness-" + data.colour;
    }
  });
})();
