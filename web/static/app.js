// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", function () {
  // Selects marked data-autosubmit submit their form on change (e.g. the procedure picker).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  // Forms marked data-confirm ask before submitting (e.g. rejecting a filing).
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
});
