"""The exam page's question cards, made once per process for the untouched question.

At a synchronized start every examinee opens a paper on which nothing has been answered yet, and
the card of an untouched question is the same on every paper that draws it with the same display
order and points: only its position, its number and the attempt differ. So the card is rendered
once with stand-ins for those three, kept here, and each page fills them in with three string
replacements instead of running the templates again. A card that holds an answer, a flag, a save
or a report is rendered for its attempt every time.

The kept cards are a cache: a process that starts without them renders them again, and no other
server needs them. Cards are keyed by the question version (versions never change: a re-imported
question is a new version, so it never reuses an old card), RENDER_VERSION, the display order, the
points and the language.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

# Numbers no paper reaches, so they occur in a card only where the template wrote them.
POSITION = "987654321"
NUMBER = "987654322"
ATTEMPT = "987654323"
STAND_INS = ("98765432",)  # a question whose own text holds this is never kept: the filling would change it
MAX_CARDS = 4096  # about 3 KB each


class CardStore:
    """The process's kept cards: an LRU dictionary behind a lock (gunicorn threads share it)."""

    def __init__(self, capacity: int = MAX_CARDS) -> None:
        self.capacity = capacity
        self._cards: OrderedDict[tuple, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        with self._lock:
            card = self._cards.get(key)
            if card is not None:
                self._cards.move_to_end(key)
            return card

    def put(self, key: tuple, card: str) -> None:
        with self._lock:
            self._cards[key] = card
            self._cards.move_to_end(key)
            while len(self._cards) > self.capacity:
                self._cards.popitem(last=False)

    def __len__(self) -> int:
        return len(self._cards)


def app_store() -> CardStore:
    """The application's kept cards (one per app: a test's app, with its own database, has its own)."""
    store = current_app.extensions.get("examengine_question_cards")
    return store if store is not None else current_app.extensions.setdefault("examengine_question_cards", CardStore())


class QuestionCards:
    """The template's access to kept cards for one exam page (`cards` in attempts/attempt.html)."""

    POSITION, NUMBER, ATTEMPT = POSITION, NUMBER, ATTEMPT

    def __init__(self, attempt_id: int, store: CardStore | None = None, enabled: bool | None = None) -> None:
        self.attempt_id = str(attempt_id)
        self.store = store if store is not None else app_store()
        self.locale = str(get_locale())
        if enabled is None:
            enabled = current_app.config.get("EXAMENGINE_CARD_CACHE", True) and not current_app.debug
        self.enabled = enabled  # off while developing: templates reload, kept cards would not

    def reuse(self, slots, has_report) -> None:
        """Give each untouched slot whose card is kept that card, filled in (`slot.kept_card`), before
        the page renders: the slots left without one are the only ones whose questions are read."""
        for number, slot in enumerate(slots, start=1):
            if self._reusable(slot, has_report(slot.position)):
                card = self.store.get(self._key(slot))
                if card is not None:
                    slot.kept_card = self._fill(card, slot, number)

    def keepable(self, slot, has_report: bool) -> bool:
        """Whether to render this slot's card with stand-ins and keep it (asked when `kept` had none)."""
        return self._reusable(slot, has_report) and not any(stand_in in repr(slot.context) for stand_in in STAND_INS)

    def stand_in(self, slot):
        """The slot as any paper would hold it, with the stand-ins for its position and field name."""
        return slot.stand_in(POSITION)

    def keep(self, slot, number: int, card: Markup) -> Markup:
        """Keep `card` (the card of `stand_in(slot)`) and return it filled in for this slot."""
        text = str(card)
        self.store.put(self._key(slot), text)
        return self._fill(text, slot, number)

    def _reusable(self, slot, has_report: bool) -> bool:
        return self.enabled and slot.fresh_key is not None and not has_report

    def _key(self, slot) -> tuple:
        return (*slot.fresh_key, self.locale)

    def _fill(self, card: str, slot, number: int) -> Markup:
        filled = card.replace(POSITION, str(slot.position)).replace(NUMBER, str(number))
        return Markup(filled.replace(ATTEMPT, self.attempt_id))
