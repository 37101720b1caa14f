// The minutes form: a text block button inserts its text at the cursor of the body.
const blocks = JSON.parse(document.getElementById("text-blocks").textContent);
const body = document.getElementById("id_body");
document.querySelectorAll("[data-block]").forEach((button) =>
  button.addEventListener("click", () => {
    const text = blocks[button.dataset.block];
    body.setRangeText("\n\n" + text + "\n\n", body.selectionStart, body.selectionEnd, "end");
    body.focus();
  }),
);
