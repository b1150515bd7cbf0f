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
  // After a refusal the reason sits at the top of the refused form: bring it into view
  // and put the keyboard on the first field to correct (or on the reason).
  var refused = document.querySelector(".refusal, .has-error");
  if (refused) {
    var form = refused.closest("form") || refused;
    form.scrollIntoView({block: "start"});
    var bad = form.querySelector("[aria-invalid=true]") || form.querySelector(".refusal");
    if (bad) { bad.focus({preventScroll: true}); }
  }
  // Fields with a length limit count what is typed against it.
  document.querySelectorAll("[data-counter]").forEach(function (el) {
    var out = document.getElementById(el.getAttribute("data-counter"));
    var max = parseInt(el.getAttribute("maxlength"), 10);
    function count() { out.textContent = (out.getAttribute("data-template") || "{n} / {max}")
      .replace("{n}", Array.from(el.value).length).replace("{max}", max); }
    el.addEventListener("input", count);
    count();
  });
  // A file larger than the server accepts is named at once, before it is uploaded.
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (el) {
    var max = parseInt(el.getAttribute("data-max-bytes"), 10);
    el.addEventListener("change", function () {
      var big = Array.from(el.files).filter(function (f) { return f.size > max; });
      el.setCustomValidity(big.length ? big.map(function (f) { return f.name; }).join("、") : "");
      if (big.length) { el.reportValidity(); }
    });
  });
  // Forms marked data-confirm ask before submitting (e.g. rejecting a filing).
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
});
