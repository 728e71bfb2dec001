"""What a page must pass at every size: axe-core (served from npm like the other vendor
files) with no serious or critical violation, no page wider than the window, touch targets
of at least 44 px on tablets and phones, and no attribute left saying "None"."""

from __future__ import annotations

import re

SIZES = {
    "desktop": {"width": 1280, "height": 900},
    "tablet": {"width": 820, "height": 1180},
    "phone": {"width": 390, "height": 844},
}
TOUCH_SIZES = ("tablet", "phone")
TOUCH_MIN = 44
AXE_URL = "/vendor/axe-core/axe.min.js"

# Attributes Jinja or WTForms rendered from a Python None/False instead of leaving out.
LEFTOVER = re.compile(r'\s[\w:-]+="(?:None|False)"')

_AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.impact} ${v.id} (${v.help}): ` + v.nodes.slice(0, 4).map(n => n.target.join(" ")).join(" | "));
}"""

_NEXT_FRAME = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
_WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"

# Controls a finger must hit. Links inside running text (a sentence, a definition) are exempt,
# as WCAG's target-size rule exempts inline targets.
_SMALL_TARGETS = """(min) => {
  const selector = "button, input:not([type=hidden]), select, textarea, summary, [role=button], " +
                   "nav a, th a, td a, .row-actions a, .form-actions a, .head-actions a, .filters a";
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    let box = el.getBoundingClientRect();
    if (!box.width || !box.height || style.visibility === "hidden") continue;
    if (el.closest("p, dd, .feed-text, .visually-hidden, .skip-link")) continue;
    if (el.type === "checkbox" || el.type === "radio") box = (el.closest("label") || el).getBoundingClientRect();
    if (box.width < min - 0.5 || box.height < min - 0.5) {
      const name = (el.getAttribute("aria-label") || el.textContent || el.name || el.id || "").trim().slice(0, 30);
      small.push(`${el.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""


def load_axe(page) -> None:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_URL)


def audit(page, size: str) -> list[str]:
    """Everything wrong with the page as shown now at `size`, one line each (empty when fine)."""
    where = f"{page.url.split('/', 3)[-1] or '/'} @{size}"
    problems = [f"{where}: leftover attribute {m.strip()}" for m in set(LEFTOVER.findall(page.content()))]
    scroll_width, inner_width = page.evaluate(_WIDTH)
    if scroll_width > inner_width:
        problems.append(f"{where}: page is {scroll_width} px wide in a {inner_width} px window")
    if size in TOUCH_SIZES:
        problems += [
            f"{where}: touch target under {TOUCH_MIN} px: {t}" for t in page.evaluate(_SMALL_TARGETS, TOUCH_MIN)
        ]
    load_axe(page)
    problems += [f"{where}: axe {v}" for v in page.evaluate(_AXE_RUN)]
    return problems


def audit_at_every_size(page) -> list[str]:
    """Audit the current page at desktop, tablet and phone widths (the window is resized, as a
    tablet turned or a desktop window narrowed would be; media queries apply at once)."""
    problems = []
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.evaluate(_NEXT_FRAME)  # resize listeners (app.js marks wide tables) have run
        problems += audit(page, size)
    page.set_viewport_size(SIZES["desktop"])
    return problems
