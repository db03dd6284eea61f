"""What the browser tests share: waiting on a condition (never on a fixed time), and finding a choice
option by what it says (options are shuffled per paper, and their values are displayed positions)."""
from __future__ import annotations

import re
import time


def wait_for(condition, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def option(page, position: int, text: str):
    """The label of the option of slot `position` showing `text`."""
    return page.locator(f"#q-{position} label.form-check-label", has_text=re.compile(rf"(^|\W){re.escape(text)}(\W|$)"))


def option_input(page, position: int, text: str):
    return page.locator("#" + option(page, position, text).get_attribute("for"))
