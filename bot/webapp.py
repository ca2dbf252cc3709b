"""The form's web server (a Telegram Mini App), run by the bot in its own event loop beside polling.

``GET /`` serves the page (with its script and style); ``POST api/form``, ``api/check`` and ``api/save``
answer it. Every API call carries Telegram's signed initData (``Authorization: tma <initData>``) and is
refused (403, with the reason in the person's language) unless it verifies (``bot.initdata``) and names
an active contact of a department taking part. Each call is handled in a unit of work, as an update is:
a save's answers and the chat's confirmation commit together before the page hears they are saved.
"""

from __future__ import annotations

import functools
import importlib.resources
import itertools
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.config import WebappTable
from bot.guard import MSG_REFUSAL, contact_of
from bot.initdata import FORGED, MISSING, STALE, InitDataError, WebAppUser, claimed_language, verify
from bot.runtime import Runtime, Unit
from storage import StorageError
from storage.records import CONTACT, Contact
from workflows import form
from workflows.i18n import LANGS, normalise_lang, t
from workflows.session import ReportSession

log = logging.getLogger(__name__)
STATIC = importlib.resources.files("bot") / "webapp_static"
MAX_BODY = 1 << 20  # twenty narratives of the chat's longest, and then some
MAX_VALUES = 5000  # more than any template has fields
FORM_REFUSALS = {
    MISSING: "Open this form with its button in the chat with the bot.",
    FORGED: "This form was not opened from Telegram for this bot. Please open it again from the chat.",
    STALE: "This form was opened too long ago. Please open it again from the chat.",
}
MSG_FORM_BAD_REQUEST = "The form sent something the bot cannot read. Please reload the form."
MSG_FORM_CLOSED = "The report this form was opened for is no longer being collected."
MSG_FORM_WHICH = "Several reports are open: open the form from the message of the report you want to fill in."
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
PAGE_POLICY = (  # the page runs its own script only, and talks to this server only
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)


class Refused(Exception):
    """An API call that cannot be served: its HTTP status and the reason, in the person's language."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status, self.text = status, text


def _static(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def page(template: str) -> str:
    """The page with its words in both languages embedded (it picks one before the first API answer)."""
    texts = json.dumps({lang: form.page_texts(lang) for lang in LANGS}, ensure_ascii=False)
    return template.replace("__TEXTS__", texts.replace("<", "\\u003c"))  # no "</script>" in the data


class FormServer:
    """The form's HTTP server: start(), then stop(); ``url`` is where it listens."""

    def __init__(self, runtime: Runtime, token: str, config: WebappTable) -> None:
        self.runtime, self.services = runtime, runtime.services
        self.token, self.config = token, config
        self._runner: web.AppRunner | None = None
        self._causes = itertools.count(1)
        self._page = page(_static("index.html"))
        self._assets = {
            "form.js": (_static("form.js"), "text/javascript"),
            "form.css": (_static("form.css"), "text/css"),
        }
        self.app = web.Application(client_max_size=MAX_BODY)
        self.app.router.add_get("/", self._index)
        for name in self._assets:
            self.app.router.add_get(f"/{name}", self._asset)
        self.app.router.add_post("/api/form", self._form)
        self.app.router.add_post("/api/check", self._check)
        self.app.router.add_post("/api/save", self._save)

    @property
    def url(self) -> str:
        """``http://host:port/`` as bound (the port the system chose, when configured as 0)."""
        host, port = self._runner.addresses[0][:2]
        return f"http://{host}:{port}/"

    async def start(self) -> None:
        """Listen on the configured host and port (OSError when it cannot)."""
        runner = web.AppRunner(self.app)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.config.listen_host, self.config.listen_port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info("the form listens on %s (public address %s)", self.url, self.config.public_url)
        if self.config.button_url is None:
            log.warning(
                "webapp.public_url is not https: Telegram opens Mini Apps over HTTPS only, so no button "
                "offers the form"
            )

    async def stop(self) -> None:
        """Stop listening; calls in progress finish first."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # The page ---------------------------------------------------------------------------------------
    async def _index(self, request: web.Request) -> web.Response:
        headers = {**SECURITY_HEADERS, "Content-Security-Policy": PAGE_POLICY}
        return web.Response(text=self._page, content_type="text/html", headers=headers)

    async def _asset(self, request: web.Request) -> web.Response:
        text, kind = self._assets[request.path.rsplit("/", 1)[-1]]
        return web.Response(text=text, content_type=kind, headers=SECURITY_HEADERS)

    # The API ----------------------------------------------------------------------------------------
    async def _form(self, request: web.Request) -> web.Response:
        return await self._serve(request, "form", _view)

    async def _check(self, request: web.Request) -> web.Response:
        return await self._serve(request, "check", _check)

    async def _save(self, request: web.Request) -> web.Response:
        return await self._serve(request, "save", _save)

    async def _serve(
        self, request: web.Request, action: str, handle: Callable[[Unit, Contact, ReportSession, dict], dict]
    ) -> web.Response:
        """Verify the caller, then run ``handle`` in a unit of work; every failure is a clear JSON answer."""
        header = request.headers.get("Authorization", "")
        init_data = header[len("tma ") :] if header.startswith("tma ") else ""
        lang = normalise_lang(claimed_language(init_data))
        try:
            try:
                user = verify(init_data, self.token, self.services.now())
            except InitDataError as exc:
                log.info("form %s refused: initData %s", action, exc.reason)
                raise Refused(403, t(lang, FORM_REFUSALS.get(exc.reason, FORM_REFUSALS[FORGED]))) from None
            body = await self._body(request, lang)
            async with self.runtime.unit(f"form:{user.id}:{next(self._causes)}") as unit:
                contact, session = self._open(user, body.get("cycle"), lang)
                lang = contact.lang
                answer = handle(unit, contact, session, body)
            return _json(answer)
        except Refused as exc:
            return _json({"error": exc.text}, exc.status)
        except StorageError as exc:  # the disk, not a bug: nothing of the save was kept
            log.error("form %s not stored: %s", action, exc)
            text = t(lang, "Not saved: the server could not store your answer. Please try again later.")
            return _json({"error": text}, 503)
        except Exception:
            log.exception("form %s failed; its writes were undone", action)
            text = t(lang, "Sorry, something went wrong. Your saved answers are safe; please try again.")
            return _json({"error": text}, 500)

    async def _body(self, request: web.Request, lang: str) -> dict[str, Any]:
        """The call's JSON: the cycle, the values as typed and the versions they were shown at."""
        try:
            body = await request.json() if request.can_read_body else {}
        except web.HTTPRequestEntityTooLarge:
            raise Refused(413, t(lang, MSG_FORM_BAD_REQUEST)) from None
        except (ValueError, UnicodeDecodeError):
            raise Refused(400, t(lang, MSG_FORM_BAD_REQUEST)) from None
        if not isinstance(body, dict):
            raise Refused(400, t(lang, MSG_FORM_BAD_REQUEST))
        values, seen, cycle = body.get("values", {}), body.get("seen", {}), body.get("cycle")
        if (
            not isinstance(cycle, str | None)
            or not isinstance(values, dict)
            or not isinstance(seen, dict)
            or len(values) > MAX_VALUES
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in values.items())
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in seen.values())
        ):
            raise Refused(400, t(lang, MSG_FORM_BAD_REQUEST))
        return {"cycle": cycle, "values": values, "seen": seen}

    def _open(self, user: WebAppUser, wanted: str | None, lang: str) -> tuple[Contact, ReportSession]:
        """The contact behind a verified user, and the report they are filling in; else Refused."""
        services = self.services
        contact = contact_of(services.store, user.id)
        if contact is None or not contact.active:
            log.info("form refused: user %s is not a contact", user.id)
            raise Refused(403, t(lang, MSG_REFUSAL))
        if contact.role != CONTACT:
            raise Refused(403, t(contact.lang, "This is for department contacts."))
        department = services.store.get_department(contact.department_id or "")
        if department is None or not department.active:
            raise Refused(
                403,
                t(
                    contact.lang,
                    "Your department no longer takes part in the report. Please ask the coordinator.",
                ),
            )
        cycles = {c.id: c for c in services.cycles_for(contact)}
        chosen = services.store.get_chat(contact.address).cycle_id
        if wanted:
            cycle = cycles.get(wanted)
            if cycle is None:
                raise Refused(404, t(contact.lang, MSG_FORM_CLOSED))
        elif len(cycles) == 1 or chosen in cycles:
            cycle = cycles.get(chosen) or next(iter(cycles.values()))
        elif not cycles:
            raise Refused(
                404,
                t(
                    contact.lang,
                    "No report is being collected right now. You will get a message when the next one opens.",
                ),
            )
        else:
            raise Refused(409, t(contact.lang, MSG_FORM_WHICH))
        return contact, services.session(cycle)


def _json(data: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(
        data, status=status, headers=SECURITY_HEADERS, dumps=functools.partial(json.dumps, ensure_ascii=False)
    )


def _view(unit: Unit, contact: Contact, session: ReportSession, body: dict[str, Any]) -> dict[str, Any]:
    """What the form shows."""
    return form.view(session, contact, contact.lang)


def _check(unit: Unit, contact: Contact, session: ReportSession, body: dict[str, Any]) -> dict[str, Any]:
    """What the values typed so far would do (nothing is written)."""
    return form.check(session, contact, body["values"], body["seen"], contact.lang)


def _save(unit: Unit, contact: Contact, session: ReportSession, body: dict[str, Any]) -> dict[str, Any]:
    """Save the values; the chat's note goes to the outbox in the same unit of work."""
    answer, told = form.save(session, contact, body["values"], body["seen"], unit.now, contact.lang)
    unit.send(contact.address, told)
    return answer
