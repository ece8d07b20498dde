"""The handover lists on paper (交办清单): one department's, or every department's in one PDF, each
starting on a page of its own with its pages numbered from 1, so that the stack can be handed out
at the meeting department by department. Chinese whatever the organiser reads: the lists go to the
city's departments, as the posters hang in a Chinese hall. Output is (filename, mimetype, bytes)
through kiosk.core.pdf (the bundled font, our own files only)."""
from flask import render_template
from flask_babel import force_locale

from kiosk.core.pdf import render_pdf
from kiosk.core.timeutil import local_time
from kiosk.fairs.models import Fair
from kiosk.supervision.handover import Printed
from kiosk.supervision.handover_figures import closed_on

PDF_CSS = """
@page { size: A4 landscape; margin: 14mm 12mm 16mm;
        @bottom-left { content: string(listno); font-size: 8.5pt; color: #555; }
        @bottom-right { content: string(unit); font-size: 8.5pt; color: #555; } }
body { font-size: 9.5pt; line-height: 1.4; color: #111; }
section.handover { break-before: page; }
section.handover:first-child { break-before: auto; }
h1 { font-size: 18pt; margin: 0 0 2pt; letter-spacing: 0.2em; text-align: center; }
.number { font-size: 11pt; text-align: center; margin-bottom: 6pt; string-set: listno content(); }
.unit { string-set: unit content(); }
p { margin: 2pt 0; }
.facts { margin: 4pt 0 6pt; }
.facts span { margin-right: 16pt; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; margin-top: 4pt; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
th, td { border: 0.6pt solid #888; padding: 2.5pt 3pt; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eee; font-size: 9pt; word-break: keep-all; }
td { font-size: 8.5pt; }
td.num { text-align: right; }
.ticket-ref { white-space: nowrap; font-weight: bold; }
th.n { width: 4%; } th.ticket { width: 10%; } th.company { width: 13%; } th.need { width: 21%; }
th.plan { width: 21%; } th.unit-col { width: 13%; } th.due { width: 9%; } th.ack { width: 5%; }
small.no { font-size: 6.5pt; color: #444; }
.instructions { font-size: 9pt; color: #333; margin: 6pt 0 0; }
.end { font-size: 9pt; margin: 4pt 0 0; text-align: right; }
.signatures { margin-top: 14pt; page-break-inside: avoid; width: 100%; border-collapse: collapse; }
.signatures td { border: none; font-size: 10.5pt; padding: 10pt 4pt 4pt; width: 33%; }
.seal { color: #555; font-size: 9pt; }
"""

#: the page numbers: a department's list alone says how many pages it has; in the PDF of every
#: list, each list's pages are numbered from 1 (a page group per list) and its end is marked
ONE_LIST = '@page { @bottom-center { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; font-size: 9pt; } }'
PAGE_GROUP = """@page {{ @bottom-center {{ content: "第 " counter(page) " 页"; font-size: 9pt; }} }}
@page :nth(1 of list-{id}) {{ counter-reset: page 1; }}
section.list-{id} {{ page: list-{id}; }}"""


def handover_pdf(fair: Fair, printed: list[Printed], printed_at) -> tuple[str, str, bytes]:
    """The lists as printed now (kiosk.supervision.handover.record_print's answer)."""
    with force_locale("zh_CN"):
        html = render_template("supervision/handover_pdf.html", fair=fair, printed=printed, closed_on=closed_on(fair),
                               printed_at=local_time(printed_at, "%Y-%m-%d %H:%M"))
    if len(printed) == 1:
        css, name = ONE_LIST, f"handover-{fair.id}-{printed[0].department.id}.pdf"
    else:
        css, name = "\n".join(PAGE_GROUP.format(id=p.list.id) for p in printed), f"handover-{fair.id}-all.pdf"
    return name, "application/pdf", render_pdf(html, PDF_CSS + css)
