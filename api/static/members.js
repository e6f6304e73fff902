// The members page: "Copy" puts a new link on the clipboard (or selects it to copy by hand).
document.querySelectorAll("[data-copy]").forEach((button) => {
  button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.copy);
    const done = document.querySelector("[data-copied]");
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch (e) {
      document.execCommand && document.execCommand("copy");
    }
    if (done) done.hidden = false;
  });
});
