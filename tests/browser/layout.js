// What a reader would call a broken layout, measured in the page:
//  - the page scrolls sideways (document wider than the window);
//  - text squeezed into a column narrower than three characters, wrapping (one character a line);
//  - an element spilling out of its card (over the sidebar or off the screen).
// Scroll containers (overflow auto/scroll: the state diagram, wide tables) are allowed
// to hold wider content.
() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth + 1) {
    problems.push(`page scrolls sideways: ${root.scrollWidth}px in a ${window.innerWidth}px window`);
  }
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.classList.length) s += "." + [...el.classList].join(".");
    const text = (el.innerText || el.textContent || "").trim().replace(/\s+/g, " ");
    return `${s} «${text.slice(0, 30)}»`;
  };
  const visible = (el) => {
    const st = getComputedStyle(el);
    if (st.visibility === "hidden" || st.display === "none") return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const inScroller = (el, stop) => {
    for (let p = el.parentElement; p && p !== stop; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox === "auto" || ox === "scroll") return true;
    }
    return false;
  };
  const ownText = (el) => [...el.childNodes]
    .filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join("").trim();
  const squeezed = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest("svg, script, style, .sr-only, [hidden]")) continue;
    const text = ownText(el);
    if ([...text].length < 4 || !visible(el)) continue;
    const st = getComputedStyle(el);
    const fs = parseFloat(st.fontSize) || 16;
    const lh = parseFloat(st.lineHeight) || 1.6 * fs;
    const r = el.getBoundingClientRect();
    // Narrower than three characters and wrapped: a character or two a line.
    if (r.width < 3 * fs && r.height > 1.6 * lh) {
      squeezed.push(`${describe(el)} is ${Math.round(r.width)}px wide, ${Math.round(r.height)}px high`);
    }
  }
  problems.push(...squeezed.slice(0, 5).map((s) => "squeezed text: " + s));
  const spills = [];
  for (const card of document.querySelectorAll(".card, main, header.top")) {
    if (!visible(card)) continue;
    const cr = card.getBoundingClientRect();
    for (const el of card.querySelectorAll("*")) {
      if (el.closest("svg") && el.tagName.toLowerCase() !== "svg") continue;
      if (!visible(el) || inScroller(el, card)) continue;
      const r = el.getBoundingClientRect();
      if (r.right > cr.right + 2 || r.left < cr.left - 2) {
        spills.push(`${describe(el)} spills out of ${describe(card).slice(0, 40)} `
                    + `(${Math.round(r.left)}–${Math.round(r.right)} vs ${Math.round(cr.left)}–${Math.round(cr.right)})`);
      }
    }
  }
  problems.push(...spills.slice(0, 5).map((s) => "spills: " + s));
  return problems;
}
