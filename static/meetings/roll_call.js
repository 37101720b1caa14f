// The roll call form: "all present" fills every site not yet marked.
document.getElementById("all-present").addEventListener("click", () => {
  document.querySelectorAll('select[name$="-status"]').forEach((s) => {
    if (!s.value) s.value = "present";
  });
});
