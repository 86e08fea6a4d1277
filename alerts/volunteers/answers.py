"""What volunteers answer to an alert: "I can help", "I am nearby now", "Not available".

An answer is stored per case and volunteer (the last one counts) with the distance ring of the
alert's fan-out row, never the volunteer's point, and only while the case is active. It comes
from the alert's Telegram buttons (alerts.bot.answers: the answer counts for the chat the
button was pressed in, and only on the alert message the service sent to that chat, so a
forwarded copy answers for nobody) or from the signed links of the alert's e-mail
(`answer_links`: a GET shows a confirmation page, the POST records, since mail scanners open
links). Staff see the counts per ring (`counts`), never who answered.
"""

from __future__ import annotations

from dataclasses import dataclass

from alerts.db.database import Database
from alerts.i18n import N_

# The answers, in the order the buttons and links offer them, and what each says.
ANSWERS = {
    "help": N_("I can help"),
    "nearby": N_("I am nearby now"),
    "unavailable": N_("Not available"),
}
# The distance rings staff see the answers in, nearest first.
RINGS = {
    "0-2": N_("under 2 km"),
    "2-5": N_("2 to 5 km"),
    "5-10": N_("5 to 10 km"),
    "10-25": N_("10 to 25 km"),
    "25+": N_("over 25 km"),
}
# What the volunteer is told, by outcome of `record`.
THANKS = {
    "help": N_("Thank you: we noted that you can help. The case managers see it."),
    "nearby": N_("Thank you: we noted that you are nearby now. The case managers see it."),
    "unavailable": N_("Thank you: we noted that you are not available."),
}
CLOSED = N_("This appeal has ended: answers are no longer needed. Thank you.")
NOT_YOURS = N_("This button only works on the alert we sent you.")


@dataclass(frozen=True, kw_only=True)
class Counts:
    """The answers to one case: for each ring (nearest first), the count of each answer."""

    rings: dict[str, dict[str, int]]

    @property
    def total(self) -> int:
        return sum(sum(by_answer.values()) for by_answer in self.rings.values())

    def of(self, answer: str) -> int:
        return sum(by_answer[answer] for by_answer in self.rings.values())

    def as_json(self) -> dict[str, object]:
        return {
            "total": self.total,
            "by_answer": {answer: self.of(answer) for answer in ANSWERS},
            "rings": [{"ring": ring, **counts} for ring, counts in self.rings.items()],
        }


async def record(db: Database, case_id: int, volunteer_id: int, answer: str, channel: str) -> str:
    """Store the answer (the last one counts): 'recorded', 'closed' (the case is no longer
    active: nothing stored) or 'unknown' (no alert of the case reached the volunteer there)."""
    if answer not in ANSWERS:
        raise ValueError(f"not an answer: {answer!r}")
    outcome: str = await db.fetchval("record_answer", case_id, volunteer_id, answer, channel)
    return outcome


async def by_telegram(db: Database, chat_id: int, message_id: int, answer: str) -> str:
    """Store the answer given with a button of message `message_id` in chat `chat_id`: recorded
    only when that message is an alert the service sent to that chat ('unknown' otherwise)."""
    row = await db.fetchrow("telegram_alert_answered", chat_id, str(message_id))
    if row is None:
        return "unknown"
    return await record(db, row["case_id"], row["volunteer_id"], answer, "telegram_dm")


async def current(db: Database, case_id: int, volunteer_id: int) -> str | None:
    """The volunteer's current answer to the case, if any."""
    answer: str | None = await db.fetchval("answer_of", case_id, volunteer_id)
    return answer


async def counts(db: Database, case_id: int) -> Counts:
    """The answers to the case by ring and answer (every ring and answer, zeros included)."""
    rings = {ring: dict.fromkeys(ANSWERS, 0) for ring in RINGS}
    for row in await db.fetch("case_answer_counts", case_id):
        rings[row["ring"]][row["answer"]] = row["n"]
    return Counts(rings=rings)


async def totals(db: Database) -> dict[tuple[str, str], int]:
    """The answers to the active cases by (answer, ring), every pair (for /metrics)."""
    found = {(row["answer"], row["ring"]): int(row["n"]) for row in await db.fetch("answer_totals")}
    return {(a, r): found.get((a, r), 0) for a in ANSWERS for r in RINGS}
