"""How we start Debian's Chromium under Playwright (never a downloaded browser)."""

from __future__ import annotations

import os

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def log_in(page, user, password: str = "password123") -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")


# Playwright's init scripts run outside the page's CSP; this one reports every violation
# (the `securitypolicyviolation` event) on the console, next to Chromium's own "Refused to..." lines.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def watch_csp(context) -> list[str]:
    """Collect the Content-Security-Policy violations of every page in `context` (a list to assert empty)."""
    violations: list[str] = []
    context.add_init_script(_CSP_LISTENER)

    def on_console(message) -> None:
        text = message.text
        if message.type == "error" and ("CSP violation" in text or "Content Security Policy" in text):
            violations.append(f"{message.page.url if message.page else '?'}: {text}")

    context.on("console", on_console)
    return violations


def wedge(page, code: str) -> None:
    """A USB scanner: the code's characters a few milliseconds apart, then Enter, nothing focused
    (once the page's scripts run: keys typed while a page is still loading reach no script)."""
    page.wait_for_load_state("load")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
