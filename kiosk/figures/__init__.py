"""The kiosk's figures, computed in one place and returned as plain data: numbers and strings in
dataclasses and dicts, never ORM objects, so that a page, a PDF, a frozen snapshot or JSON can take
them as they are.

- satisfaction: slips collected, averages and the share satisfied, for any scope;
- tally: the closing tally of a fair (its page and PDF are made in kiosk.tally.report).

The scoreboard (大比拼) and the half-yearly disclosure figures will live here too.

Imports point down only: figures read the models (and the driver, for the booth queue's figures);
models, services and views import figures, never the other way round.
"""
