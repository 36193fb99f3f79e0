"""Button presses: the bot answers each press once with ``answerCallbackQuery``."""

from __future__ import annotations

from .objects import Params, bad_request
from .records import CallbackAnswer
from .state import TelegramState


class Callbacks(TelegramState):
    """The ``answerCallbackQuery`` method."""

    def _api_answer_callback_query(self, p: Params) -> bool:
        query = self.callback_queries.get(p.string("callback_query_id") or "")
        if query is None or query.answer is not None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        query.answer = CallbackAnswer(
            text=p.string("text"),
            show_alert=p.boolean("show_alert"),
            url=p.string("url"),
            cache_time=p.integer("cache_time", 0) or 0,
            at=self._now(),
        )
        return True
