"""Telegram: direct messages to volunteers and posts in regional channels, through
python-telegram-bot on the aiohttp transport.

The photo is the case photo of the consent-filtered view (a JPEG), not the rendered square PNG:
the caption already carries the text in the volunteer's language, so one image serves every
language (one upload per revision instead of four), it exists the moment the case is approved
(the materials may still be rendering, and the first message must leave within a few hundred
milliseconds), and it is a fraction of the PNG's size. It is uploaded once per case revision
and then sent by its `file_id`, cached in the database for every dispatcher process.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote_plus, urlencode

import telegram
from telegram import InputMediaPhoto, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    TelegramError,
)

from alerts.cases.consent import PublicView
from alerts.channels.base import (
    ChannelError,
    Deferred,
    Job,
    Limits,
    Published,
    RetryAfter,
    SendResult,
    WithdrawResult,
)
from alerts.channels.tg_errors import GONE, NOT_MODIFIED, MessageGone, says, translate
from alerts.channels.tg_files import FileIds, FileKey
from alerts.channels.tg_request import AiohttpRequest, EncodedForm
from alerts.channels.tg_texts import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    answer_keyboard,
    answer_keyboard_json,
    ending_notice,
    fitted,
    neutral_jpeg,
    neutral_notice,
    replaced_notice,
)
from alerts.config import Settings
from alerts.db.database import Database
from alerts.i18n import N_, in_language

# python-telegram-bot 22 warns on every RetryAfter unless it may hand out timedeltas (it reads
# the variable at each call, so setting it at import is early enough).
os.environ.setdefault("PTB_TIMEDELTA", "true")

log = logging.getLogger(__name__)

# Telegram lets a bot delete its messages for 48 hours; keep a margin for clocks and queues.
DELETE_WINDOW = timedelta(hours=47, minutes=50)


def make_bot(settings: Settings, pool_size: int = 256) -> telegram.Bot:
    """A Bot for the configured API (Telegram or the sandbox) on the aiohttp transport."""
    # python-telegram-bot logs each call at DEBUG with its URL (the token) and its parameters
    # (chat ids): never let those through, whatever the service's log level.
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLogger().level))
    return telegram.Bot(
        settings.telegram_bot_token,
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
        request=AiohttpRequest(connection_pool_size=pool_size),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    )


@contextlib.asynccontextmanager
async def telegram_channels(settings: Settings, db: Database) -> AsyncIterator[list[Any]]:
    """The direct-message and regional-channel channels on one bot, open until exit."""
    bot = make_bot(settings)
    try:
        await bot.initialize()
    except TelegramError as err:
        # The requests are ready even when getMe failed; sending retries later. InvalidToken's
        # text holds the token, so only the kind of error is logged.
        log.warning("telegram unreachable", extra={"action": "telegram.init_failed",
                                                   "error": type(err).__name__})  # fmt: skip
    files = FileIds(db)
    rate, paid = settings.telegram_rate, settings.telegram_paid_broadcast
    try:
        yield [
            TelegramChannel(bot, files, name="telegram_dm", rate=rate, paid=paid, opt_out=True),
            TelegramChannel(
                bot, files, name="telegram_channel", rate=rate, paid=paid, per_target=(20, 60.0)
            ),
        ]
    finally:
        await bot.shutdown()


class TelegramChannel:
    """Direct messages (`telegram_dm`) or regional channel posts (`telegram_channel`)."""

    def __init__(
        self,
        bot: telegram.Bot,
        files: FileIds,
        *,
        name: str,
        rate: float,
        paid: bool = False,
        opt_out: bool = False,
        per_target: tuple[int, float] | None = None,
    ) -> None:
        self.name = name
        # Direct messages and channel posts count against the same overall bot limit.
        self.limits = Limits(bucket="telegram", per_second=rate, per_target=per_target)
        self._bot = bot
        self._files = files
        self._paid = paid
        self._opt_out = opt_out
        self._request = bot.request
        self._texts: dict[tuple[int, str, str], tuple[PublicView, str, str]] = {}
        self._footers: dict[str, str] = {}
        # The neutral image is uploaded once; later edits send it by its file_id.
        self._neutral_file_id: str | None = None

    async def send(self, job: Job) -> SendResult:
        """Post the alert, or edit the earlier revision's message to it; replace that message
        instead when it must no longer be forwarded (see `must_replace`)."""
        replacing = must_replace(job)
        try:
            if job.previous_external_id is not None and not replacing:
                with contextlib.suppress(MessageGone):
                    return await self._edit(job)
            result = await self._post(job)
        except TelegramError as err:
            error = translate(err)
            error.withdraw_previous = replacing
            raise error from None
        except ChannelError as err:
            err.withdraw_previous = replacing
            raise
        return replace(result, withdraw_previous=True) if replacing else result

    async def withdraw(self, published: Published) -> WithdrawResult:
        """Delete a message younger than 48 hours; edit an older one to the neutral notice in
        the recipient's language (text or caption), its photo replaced by a neutral image."""
        chat, message_id = published.address, int(published.external_id)
        try:
            if datetime.now(UTC) - published.sent_at < DELETE_WINDOW:
                # Refused when Telegram's clock finds it older after all: neutralised instead.
                with contextlib.suppress(BadRequest):
                    await self._bot.delete_message(chat, message_id)
                    return await self._ending(published, "deleted")
            await self._neutralise(published, chat, message_id)
        except BadRequest as err:
            if says(err, *GONE):
                return await self._ending(published, "already gone")
            if says(err, NOT_MODIFIED):  # an earlier attempt did it, then the worker died
                return WithdrawResult(state="neutralised", reason="neutral notice")
            raise translate(err) from None
        except TelegramError as err:
            raise translate(err) from None
        return WithdrawResult(state="neutralised", reason="neutral notice")

    async def _ending(self, published: Published, how: str) -> WithdrawResult:
        """The alert is deleted; when its case closed, the volunteer then gets the ending
        notice as a new message (a neutralised alert says it in place of the alert)."""
        if published.ending and self._opt_out:
            try:
                await self._bot.send_message(published.address, ending_notice(published.language))
            except (Forbidden, BadRequest):  # blocked the bot, left: the alert is gone all the same
                return WithdrawResult(state="withdrawn", reason=f"{how}, ending notice refused")
            except TelegramError as err:  # for now (network, 429): the withdrawal is retried
                error = translate(err)
                if isinstance(error, RetryAfter):  # this chat's own limit (the alert just went):
                    error.whole_channel = False  # only this ending waits, not the other sends
                raise error from None
            how = f"{how}, ending notice sent"
        return WithdrawResult(state="withdrawn", reason=how)

    # -- sending -------------------------------------------------------------------------------

    def _prepared(self, view: PublicView, lang: str, kind: str, footer: str) -> tuple[str, str]:
        """(the text, the url-encoded form of the message without its chat and photo): made
        once per view (the dispatcher keeps one view per case revision and consent), language
        and kind, since at 1,000 messages a second rendering would cost a core."""
        key = (id(view), lang, kind)
        cached = self._texts.get(key)
        if cached is None or cached[0] is not view:
            if len(self._texts) > 1024:
                self._texts.clear()
            photo = kind == "telegram_caption"
            text = fitted(view, lang, kind, footer, CAPTION_LIMIT if photo else TEXT_LIMIT)
            # The fields as python-telegram-bot would encode them (tests/integration/
            # test_channels.py compares the two).
            fields = {"caption" if photo else "text": text, "parse_mode": ParseMode.HTML.value}
            fields["protect_content"] = "false" if view.forwarding_allowed else "true"
            if self._paid:
                fields["allow_paid_broadcast"] = "true"
            if not photo:
                fields["link_preview_options"] = _NO_PREVIEW_JSON
            if self._opt_out:  # a volunteer's alert: the answer buttons
                fields["reply_markup"] = answer_keyboard_json(lang)
            cached = (view, text, urlencode(fields))
            self._texts[key] = cached
        return cached[1], cached[2]

    def _footer(self, lang: str) -> str:
        footer = self._footers.get(lang)
        if footer is None:
            stop = in_language(lang, N_("No more alerts? Send /stop"))
            footer = f"\n\n<i>{html.escape(stop)}</i>" if self._opt_out else ""
            self._footers[lang] = footer
        return footer

    def _options(self, view: PublicView, lang: str) -> dict[str, Any]:
        options: dict[str, Any] = {
            "parse_mode": ParseMode.HTML,
            "protect_content": not view.forwarding_allowed,
        }
        if self._opt_out:
            options["reply_markup"] = answer_keyboard(lang)
        if self._paid:
            options["allow_paid_broadcast"] = True
        return options

    async def _lean(self, method: str, chat: str, form: str) -> int:
        """Call `method` with a prepared form through python-telegram-bot's request (its errors,
        its JSON), skipping its parameter objects and the `Message` made of the answer: only
        the message id is kept."""
        assert isinstance(self._request, AiohttpRequest)
        data = EncodedForm(f"chat_id={quote_plus(chat)}&{form}")
        result = await self._request.post(f"{self._bot.base_url}/{method}", request_data=data)
        assert isinstance(result, dict)
        return int(result["message_id"])

    async def _post(self, job: Job) -> SendResult:
        view, footer = job.view, self._footer(job.language)
        protected = not view.forwarding_allowed
        lean = isinstance(self._request, AiohttpRequest)
        if view.photo is None:
            text, form = self._prepared(view, job.language, "telegram_message", footer)
            if lean:
                message_id = await self._lean("sendMessage", job.address, form)
            else:
                options = self._options(view, job.language)
                message = await self._bot.send_message(
                    job.address, text, link_preview_options=_NO_PREVIEW, **options
                )
                message_id = message.message_id
            return SendResult(external_id=str(message_id), body=text, media="text",
                              protected=protected)  # fmt: skip
        caption, form = self._prepared(view, job.language, "telegram_caption", footer)
        key = FileKey(case_id=job.case_id, revision=job.revision, material=view.photo.public_id)
        file_id = await self._files.get(key) if lean else None
        if file_id is not None:
            photo = f"photo={quote_plus(file_id)}&{form}"
            message_id = await self._lean("sendPhoto", job.address, photo)
            return SendResult(external_id=str(message_id), body=caption, media="photo",
                              protected=protected)  # fmt: skip
        options = self._options(view, job.language)
        message = await self._photo(job, view, lambda photo: self._bot.send_photo(
            job.address, photo, caption=caption, **options))  # fmt: skip
        return SendResult(external_id=str(message.message_id), body=caption, media="photo",
                          protected=protected)  # fmt: skip

    async def _photo(self, job: Job, view: PublicView, send: Any) -> Message:
        """`send(photo)` by file_id, or with the upload when nobody has uploaded it yet."""
        assert view.photo is not None
        key = FileKey(case_id=job.case_id, revision=job.revision, material=view.photo.public_id)
        file_id = await self._files.get(key)
        if file_id is None:
            async with self._files.first_upload(key) as upload:
                if upload.file_id is None:
                    message = await send(view.photo.jpeg)
                    if isinstance(message, Message) and message.photo:
                        upload.file_id = message.photo[-1].file_id
                    return message
            raise Deferred()  # it waited for the upload: its time slot has gone
        message = await send(file_id)
        return message

    async def _edit(self, job: Job) -> SendResult:
        """The earlier revision's message, edited to this revision (same message id)."""
        assert job.previous_external_id is not None
        view, footer = job.view, self._footer(job.language)
        chat, message_id = job.address, int(job.previous_external_id)
        photo = job.previous_media == "photo"
        kind, limit = (
            ("telegram_caption", CAPTION_LIMIT) if photo else ("telegram_message", TEXT_LIMIT)
        )
        body = fitted(view, job.language, kind, footer, limit)
        # An edit without reply_markup takes the buttons away: they are given again.
        markup = answer_keyboard(job.language) if self._opt_out else None
        try:
            if photo:
                await self._edit_photo(job, view, chat, message_id, body, markup)
            else:
                await self._bot.edit_message_text(
                    body, chat, message_id, parse_mode=ParseMode.HTML,
                    link_preview_options=_NO_PREVIEW, reply_markup=markup,
                )  # fmt: skip
        except BadRequest as err:
            if says(err, *GONE):
                raise MessageGone() from None  # the person deleted it: send the alert anew
            if not says(err, NOT_MODIFIED):
                raise
        return SendResult(
            external_id=job.previous_external_id, body=body, media="photo" if photo else "text",
            replaced_previous=True, protected=job.previous_protected,  # an edit cannot change it
        )  # fmt: skip

    async def _edit_photo(
        self, job: Job, view: PublicView, chat: str, message_id: int, caption: str, markup: Any
    ) -> None:
        def edit(photo: Any) -> Any:
            media = InputMediaPhoto(photo, caption=caption, parse_mode=ParseMode.HTML)
            return self._bot.edit_message_media(media, chat, message_id, reply_markup=markup)

        if view.photo is None:
            # The consent no longer allows the photo: a photo message cannot lose its picture,
            # so the picture becomes a neutral one.
            await edit(neutral_jpeg())
        else:
            await self._photo(job, view, edit)

    async def _neutralise(self, published: Published, chat: str, message_id: int) -> None:
        notice = (
            replaced_notice if published.replaced
            else ending_notice if published.ending and self._opt_out else neutral_notice
        )(published.language)  # fmt: skip
        if published.media != "photo":
            await self._bot.edit_message_text(notice, chat, message_id)
            return
        media = InputMediaPhoto(self._neutral_file_id or neutral_jpeg(), caption=notice)
        edited = await self._bot.edit_message_media(media, chat, message_id)
        if self._neutral_file_id is None and isinstance(edited, Message) and edited.photo:
            self._neutral_file_id = edited.photo[-1].file_id


_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_NO_PREVIEW_JSON = json.dumps(_NO_PREVIEW.to_dict())


def must_replace(job: Job) -> bool:
    """True when the earlier message the job would edit may be forwarded and the consent no
    longer allows it: the Bot API's edits (editMessageText, editMessageCaption,
    editMessageMedia) take no `protect_content`, so the alert is sent again, protected, and the
    earlier message taken back (alerts.outbox.claims). Sent first, withdrawn after: the
    volunteer never stays without the alert, and the earlier message goes through the
    withdrawal lanes (deleted within 48 hours, else neutralised; retried; rate-limited)."""
    return (
        job.previous_external_id is not None
        and not job.view.forwarding_allowed
        and job.previous_protected is not True
    )
