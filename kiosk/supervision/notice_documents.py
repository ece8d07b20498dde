"""A supervision notice (督办单) on paper: the number, the department, the items with their colour
when it was issued and the department's replies so far, the organisers' words, and the signature
blocks (制表人, 审核人, date) with space for the seal. Chinese whatever the organiser reads: the paper
goes to a city department, as the handover lists do. Output is (filename, mimetype, bytes) through
kiosk.core.pdf (the bundled font, our own files only)."""
from flask import render_template
from flask_babel import force_locale

from kiosk.core.pdf import render_pdf
from kiosk.core.timeutil import local_time
from kiosk.supervision.colours import ColourRules, behind_words
from kiosk.supervision.models import SupervisionNotice

PDF_CSS = """
@page { size: A4 landscape; margin: 14mm 12mm 16mm;
        @bottom-left { content: string(noticeno); font-size: 8.5pt; color: #555; }
        @bottom-center { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; font-size: 9pt; } }
body { font-size: 10pt; line-height: 1.45; color: #111; }
h1 { font-size: 20pt; margin: 0; letter-spacing: 0.4em; text-align: center; }
.number { text-align: center; font-size: 11pt; margin: 2pt 0 8pt; string-set: noticeno content(); }
p { margin: 3pt 0; }
.to { font-size: 11pt; }
.words { border: 0.6pt solid #888; padding: 4pt 6pt; margin: 6pt 0; white-space: pre-wrap; }
table.items { width: 100%; border-collapse: collapse; table-layout: fixed; margin-top: 6pt; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
table.items th, table.items td { border: 0.6pt solid #888; padding: 2.5pt 3pt; vertical-align: top;
                                 overflow-wrap: anywhere; }
table.items th { background: #eee; font-size: 9pt; }
table.items td { font-size: 8.5pt; }
td.num { text-align: right; }
.colour { font-weight: bold; white-space: nowrap; }
.colour-red { color: #a11a12; } .colour-yellow { color: #7a5200; } .colour-blue { color: #1a4f8f; }
th.n { width: 4%; } th.ticket { width: 11%; } th.company { width: 12%; } th.need { width: 18%; }
th.unit { width: 10%; } th.due { width: 7%; } th.state { width: 10%; } /* the reply: what is left */
.key { font-size: 8pt; color: #333; margin-top: 5pt; }
.key span { margin-right: 8pt; }
.end { text-align: right; font-size: 9pt; }
.blocks { display: flex; justify-content: space-between; align-items: flex-end; margin-top: 10pt;
          page-break-inside: avoid; }
.signatures { border-collapse: collapse; }
.signatures td { font-size: 10.5pt; padding: 7pt 4pt 0 0; vertical-align: bottom; }
.signatures td.blank { width: 36mm; border-bottom: 0.6pt solid #555; }
.seal { width: 36mm; height: 36mm; border: 0.8pt dashed #888; border-radius: 50%; display: flex;
        align-items: center; justify-content: center; text-align: center; font-size: 9.5pt; color: #555; }
"""


def notice_pdf(notice: SupervisionNotice) -> tuple[str, str, bytes]:
    with force_locale("zh_CN"):
        rules = ColourRules.on(notice.issued_on)  # its words as they were on the day it went out
        reasons = {entry.id: "、".join(behind_words(entry.reasons, rules)) for entry in notice.items}
        html = render_template(
            "supervision/notice_pdf.html", notice=notice, reasons=reasons,
            definitions={colour: str(text) for colour, text in rules.definitions().items()},
            issued_at=local_time(notice.issued_at, "%Y-%m-%d %H:%M"))
    return f"supervision-{notice.year}-{notice.seq}.pdf", "application/pdf", render_pdf(html, PDF_CSS)
