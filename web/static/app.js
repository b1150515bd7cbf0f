// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", function () {
  // Selects marked data-autosubmit submit their form on change (e.g. the procedure picker).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  // A POST form is sent once: a double tap must not take the step twice (the second
  // would only meet "此案件已被他人更新").
  document.querySelectorAll("form[method=post]").forEach(function (f) {
    f.addEventListener("submit", function () {
      setTimeout(function () {
        f.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
  // A table wider than its box scrolls inside it: the keyboard must reach it too (WCAG
  // 2.1.1), so a wrapper that scrolls becomes a tab stop.
  function scrollStops() {
    document.querySelectorAll(".scroll-x").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) { el.setAttribute("tabindex", "0"); }
      else { el.removeAttribute("tabindex"); }
    });
  }
  scrollStops();
  window.addEventListener("resize", scrollStops);
  // Forms marked data-confirm ask before submitting (e.g. rejecting a filing).
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
});
