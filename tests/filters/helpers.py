"""Shared test data for the filter tests."""

import polars as pl


def pair(question="How much donepezil should my mom take?", source=None, chosen=None, rejected=None, id="p1"):
    return {
        "id": id,
        "question": question,
        "source_answer": source if source is not None else "Donepezil is usually started at 5 mg once daily at bedtime. The dose may be raised to 10 mg after 4 to 6 weeks.",
        "chosen": chosen if chosen is not None else (
            "It's completely understandable to have questions about this. Doctors usually start donepezil at 5 mg "
            "once a day at bedtime. After 4 to 6 weeks, they may raise it to 10 mg."),
        "rejected": rejected if rejected is not None else (
            "Administer donepezil 5 mg once daily at bedtime. Dosage escalation to 10 mg is indicated after 4 to 6 "
            "weeks contingent upon tolerability and must be supervised by the prescribing physician."),
    }


def frame(*rows) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema={k: pl.Utf8 for k in rows[0]})
