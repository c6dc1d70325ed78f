"""Drives Debian's headless Chromium through Playwright and records what a page asked for."""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import ConsoleMessage, Locator, Page, Request, async_playwright

CHROMIUM = "/usr/bin/chromium"
"""Debian's Chromium (`apt-get install chromium`; `make test` installs it). Never downloaded."""

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

# CodeMirror 5 keeps its editor object on the element GraphiQL renders it in.
_EDITOR_TEXT = "element => element.querySelector('.CodeMirror').CodeMirror.getValue()"
_SET_EDITOR_TEXT = (
    "(element, text) => element.querySelector('.CodeMirror').CodeMirror.setValue(text)"
)


@dataclass
class PageVisit:
    """One page open in Chromium, with every request it made and every console error."""

    page: Page
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def hosts(self) -> set[str]:
        """The host names of every request the page made so far."""
        return {urlsplit(url).hostname or url for url in self.requests}

    async def wait_for(self, selector: str, timeout_ms: float = 10_000) -> Locator:
        """The first element matching `selector`, once it is visible."""
        locator = self.page.locator(selector).first
        await locator.wait_for(state="visible", timeout=timeout_ms)
        return locator

    # GraphiQL's editors and result pane, by role rather than by markup.

    def query_editor(self) -> Locator:
        return self.page.locator(".graphiql-query-editor").first

    def variables_editor(self) -> Locator:
        # The variables and headers editors share a panel; GraphiQL hides the idle one.
        return self.page.locator(".graphiql-editor-tool > .graphiql-editor").nth(0)

    def headers_editor(self) -> Locator:
        return self.page.locator(".graphiql-editor-tool > .graphiql-editor").nth(1)

    def result_pane(self) -> Locator:
        return self.page.locator(".graphiql-response").first

    async def editor_text(self, editor: Locator) -> str:
        """The whole text of a GraphiQL (CodeMirror) editor, scrolled out of view or not."""
        return str(await editor.evaluate(_EDITOR_TEXT))

    async def type_into(self, editor: Locator, text: str) -> None:
        """Replace the text of a GraphiQL editor, as if the user had typed it."""
        await editor.evaluate(_SET_EDITOR_TEXT, text)

    async def tab_titles(self) -> list[str]:
        """The titles of GraphiQL's tabs, in order."""
        return await self.page.locator(".graphiql-tab-button").all_inner_texts()

    async def open_tab(self, title: str) -> None:
        """Make the tab titled `title` the active one, as a click on it does."""
        exactly = re.compile(f"^{re.escape(title)}$")
        await self.page.locator(".graphiql-tab-button").filter(has_text=exactly).first.click()
        active = self.page.locator(".graphiql-tab-active .graphiql-tab-button")
        await active.filter(has_text=exactly).wait_for()

    async def run(self) -> None:
        """Press GraphiQL's run (execute) button."""
        await self.page.locator(".graphiql-execute-button").click()

    async def result_text(self) -> str:
        return await self.editor_text(self.result_pane())

    async def wait_for_result(self, expected: str, timeout_ms: float = 10_000) -> str:
        """The result pane's text once it contains `expected`."""
        await self.page.wait_for_function(
            """expected => {
                const pane = document.querySelector('.graphiql-response .CodeMirror');
                return pane !== null && pane.CodeMirror.getValue().includes(expected);
            }""",
            arg=expected,
            timeout=timeout_ms,
        )
        return await self.result_text()

    async def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(path))


@asynccontextmanager
async def open_page(
    url: str, *, width: int = 1280, height: int = 800, timeout_ms: float = 15_000
) -> AsyncIterator[PageVisit]:
    """Open `url` in a fresh headless Chromium and yield the visit until the block ends."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=list(CHROMIUM_ARGS), headless=True
        )
        try:
            context = await browser.new_context(viewport={"width": width, "height": height})
            context.set_default_timeout(timeout_ms)
            page = await context.new_page()
            visit = PageVisit(page)

            def on_request(request: Request) -> None:
                visit.requests.append(request.url)

            def on_request_failed(request: Request) -> None:
                visit.failed_requests.append(f"{request.url}: {request.failure}")

            def on_console(message: ConsoleMessage) -> None:
                if message.type == "error":
                    visit.console_errors.append(message.text)

            page.on("request", on_request)
            page.on("requestfailed", on_request_failed)
            page.on("console", on_console)
            page.on("pageerror", lambda error: visit.console_errors.append(str(error)))
            await page.goto(url, wait_until="load")
            yield visit
        finally:
            await browser.close()
