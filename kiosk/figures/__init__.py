"""The fair's figures, returned as plain data: numbers and strings in dataclasses and dicts, never
ORM objects, so that a page, a PDF, a frozen snapshot or JSON can take them as they are.

- satisfaction: slips collected, averages and the share satisfied, for any scope;
- tally: the closing tally of a fair (its page and PDF are made in kiosk.tally.report);
- hall: the hall screen's latest outcomes; charts: the bar charts' geometry; periods: months,
  quarters and half-years.

The ledger's figures are kiosk.ledger.figures, the scoreboard's and the disclosure's
kiosk.scoreboard.figures and kiosk.scoreboard.disclosure, each beside the models it reads, made the
same way. Figures read models only (make lint's contracts); pages, services and documents import
them, never the other way round.
"""
