"""Small evidence files made in code, for the demo's finished item and the tests: a PNG drawn with
Pillow (a photo's stand-in) and a one-page PDF written by hand (an approval letter's)."""
import io

from PIL import Image, ImageDraw


def sample_png(width: int = 480, height: int = 320, text: str = "Site check 2026-06-20") -> bytes:
    """A picture of a connected line: sky, ground, a pole and a cable, with a caption."""
    image = Image.new("RGB", (width, height), (186, 214, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 2 // 3, width, height), fill=(120, 160, 90))
    for x in (width // 4, width * 3 // 4):
        draw.rectangle((x - 5, height // 4, x + 5, height * 2 // 3), fill=(90, 90, 90))
    draw.line((width // 4, height // 4 + 8, width * 3 // 4, height // 4 + 8), fill=(30, 30, 30), width=3)
    draw.text((12, height - 28), text, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def sample_jpeg(width: int = 640, height: int = 480) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(sample_png(width, height))).save(out, "JPEG", quality=80)
    return out.getvalue()


def sample_pdf(lines: tuple[str, ...] = ("Approval letter", "No. 2026-12", "Land supply approved.")) -> bytes:
    """A valid one-page PDF (A4, Helvetica, ASCII text), its cross-reference table counted exactly."""
    text = "BT /F1 18 Tf 72 760 Td 24 TL " + " ".join(f"({_escape(line)}) '" for line in lines) + " ET"
    stream = text.encode("ascii")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def attach_samples(item, actor=None) -> list:
    """The demo's evidence: a photo (PNG) and an approval letter (PDF) on the item's latest 办结, as
    if the department had attached them when it finished it. Nothing when it was never finished."""
    import io

    from kiosk.ledger import evidence
    from kiosk.service_requests.models import EventKind

    done = [event for event in item.events if event.kind is EventKind.done]
    if not done:
        return []
    files = [evidence.check_one("现场照片.png", io.BytesIO(sample_png())),
             evidence.check_one("批复文件.pdf", io.BytesIO(sample_pdf()))]
    return evidence.keep(item, done[-1], files, actor if actor is not None else done[-1].actor)


def on_the_demo(month) -> None:
    """The demo's last month (kiosk.demo): its item finished and awaiting confirmation (story
    "done") carries a photo and a PDF, on its page and on its company's tracking page."""
    finished = next((item for story, item in month.plans if story == "done"), None)
    if finished is not None:
        attach_samples(finished)
