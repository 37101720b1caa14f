// The meeting's archive: a chapter (or a break) seeks the programme player to its offset and plays.
(() => {
  "use strict";
  const player = document.getElementById("archive-player");
  if (!player) return;
  document.querySelectorAll("[data-seek]").forEach((button) => {
    button.addEventListener("click", () => {
      player.currentTime = parseFloat(button.dataset.seek) || 0;
      player.play().catch(() => { /* autoplay refused: the position is set, the user presses play */ });
      document.querySelectorAll("[data-seek].active").forEach((b) => b.classList.remove("active"));
      button.classList.add("active");
    });
  });
})();
