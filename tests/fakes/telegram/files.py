"""Files: ``sendDocument`` with an upload, an ``attach://`` part or a known file id."""

from __future__ import annotations

from .checks import CAPTION_LIMIT, formatted_text, reply_markup, reply_target, target_chat
from .objects import JSONDict, Params, StoredFile, bad_request
from .state import TelegramState


class Files(TelegramState):
    """The ``sendDocument`` method and the files it stored."""

    def _api_send_document(self, p: Params) -> JSONDict:
        chat = target_chat(self, p, writing=True)
        stored = self._document(p)
        caption: str | None = None
        caption_entities: list[JSONDict] = []
        if p.has("caption") and p.string("caption"):
            caption, caption_entities = formatted_text(
                self, p, "caption", "caption_entities", CAPTION_LIMIT
            )
        message = self._store(
            chat,
            self.bot,
            document=stored,
            caption=caption,
            caption_entities=caption_entities,
            reply_markup=reply_markup(p),
            reply_to=reply_target(chat, p),
        )
        return message.to_json()

    def _document(self, p: Params) -> StoredFile:
        value = p.string("document")
        upload = p.files.get("document")
        if value and value.startswith("attach://"):
            upload = p.files.get(value.removeprefix("attach://"))
        if upload is not None:
            number = len(self.files) + 1
            stored = StoredFile(
                file_id=f"BQACAgIAAxkBAAI{number:08d}",
                file_unique_id=f"AgAD{number:06d}",
                filename=upload.filename,
                mime_type=upload.content_type,
                data=upload.data,
            )
            self.files[stored.file_id] = stored
            return stored
        if value and value in self.files:
            return self.files[value]
        raise bad_request("wrong file identifier/HTTP URL specified")
