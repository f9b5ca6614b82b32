"""bench-corpus: a realistic archive of N originals for benchmarks.

PDF, DOCX and TXT in realistic proportions (45/40/15), 2-10 pages each, made of
real Vietnamese sentences recombined from the sample documents (and the real
corpus when it is there), with varied organs, numbers, dates, citations,
signatures, distribution lists, report templates, and ~2% broken files.
Deterministic: the same N and seed give the same bytes.
"""
from __future__ import annotations

import io
import multiprocessing as mp
import random
import re
from functools import lru_cache
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
PROVINCES = ["Hà Tĩnh", "Bắc Kạn", "Bình Định", "Nghệ An", "Thanh Hóa", "Quảng Nam", "Lâm Đồng", "Cà Mau",
             "Đắk Lắk", "Lào Cai", "Hải Dương", "Phú Thọ", "Sơn La", "An Giang", "Bến Tre", "Quảng Ninh"]
MINISTRIES = ["Bộ Xây dựng", "Bộ Tài chính", "Bộ Y tế", "Bộ Nội vụ", "Bộ Tư pháp", "Bộ Công Thương",
              "Bộ Giáo dục và Đào tạo", "Bộ Lao động - Thương binh và Xã hội"]
TYPES = [("HƯỚNG DẪN", "HD"), ("KẾ HOẠCH", "KH"), ("QUYẾT ĐỊNH", "QĐ"), ("BÁO CÁO", "BC"), ("THÔNG BÁO", "TB")]
SIGNERS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Châu", "Phạm Thu Dung", "Hoàng Văn Em", "Vũ Thị Giang",
           "Đặng Quốc Huy", "Bùi Thị Lan", "Đỗ Mạnh Khôi", "Ngô Thị Mai"]
CITED = ["Quyết định số {n}/QĐ-TTg ngày {d}/{m}/{y} của Thủ tướng Chính phủ",
         "Nghị quyết số {n}-NQ/TW ngày {d}/{m}/{y} của Ban Chấp hành Trung ương",
         "Kế hoạch số {n}/KH-UBND ngày {d}/{m}/{y} của UBND tỉnh",
         "Thông tư số {n}/{y}/TT-BTC ngày {d}/{m}/{y} của Bộ Tài chính",
         "Chỉ thị số {n}-CT/TU ngày {d}/{m}/{y} của Ban Thường vụ Tỉnh ủy",
         "Luật Bình đẳng giới", "Thông tư số 191/2009/TT-BTC ngày 01/10/2009 của Bộ Tài chính",
         "Quyết định số 1696/QĐ-TTg ngày 02/10/2015 của Thủ tướng Chính phủ"]


@lru_cache(maxsize=None)
def cited_pool(size: int = 400) -> tuple[str, ...]:
    r = random.Random(7)
    return tuple(r.choice(CITED).format(n=r.randint(1, 2999), d=r.randint(1, 28), m=r.randint(1, 12),
                                        y=r.randint(2005, 2024)) for _ in range(size))


@lru_cache(maxsize=None)
def sentence_pool() -> tuple[str, ...]:
    """Body sentences from the seeds (and the real corpus, when present)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((PROJECT / "tests" / "fixtures" / "seeds").glob("*.txt"))]
    corpus = PROJECT.parent / "shared" / "corpus" / "vn-legal-real"
    if corpus.is_dir():
        texts += [p.read_text(encoding="utf-8")[:20000] for p in sorted(corpus.glob("*.md"))[:120]]
    out = []
    for text in texts:
        text = text.replace("ƣ", "ư").replace("**", "")
        for s in re.split(r"(?<=[.;])\s+", re.sub(r"\s+", " ", text)):
            s = s.strip()
            if 60 <= len(s) <= 400 and not re.search(r"[|#<>\[\]]|http|\.{4}", s) and s[0].isupper():
                out.append(s)
    return tuple(sorted(set(out)))


def make_document(i: int, seed: int) -> dict:
    r = random.Random(seed * 1_000_003 + i)
    national = r.random() < 0.25
    year = r.randint(2012, 2025)
    type_name, code = r.choice(TYPES)
    if national:
        organ, parent, place = r.choice(MINISTRIES), None, "Hà Nội"
        issuer = "B" + "".join(w[0] for w in organ.split()[1:] if w[0].isupper())   # Bộ Xây dựng -> BXD
    else:
        province = r.choice(PROVINCES)
        if r.random() < 0.5:
            organ, parent, issuer = "BAN VÌ SỰ TIẾN BỘ CỦA PHỤ NỮ", f"UBND TỈNH {province.upper()}", "BVSTBCPN"
        else:
            organ, parent, issuer = f"ỦY BAN NHÂN DÂN TỈNH {province.upper()}", None, "UBND"
        place = province
    number = f"{r.randint(1, 3999):02d}/{code}-{issuer}"
    day, month = r.randint(1, 28), r.randint(1, 12)
    pages = r.randint(2, 10)
    pool = sentence_pool()
    body = []
    for section in range(1, r.randint(3, 7)):
        body.append(f"{section}. {r.choice(pool)[:120].rstrip(' ,;.')}")
        for _ in range(r.randint(3, 9)):
            s = r.choice(pool)
            if r.random() < 0.3:
                # letters cite a limited set of documents again and again
                s = s.rstrip(".") + " theo " + r.choice(cited_pool()) + "."
            body.append("- " + s)
    while sum(len(x) for x in body) < pages * 2600:
        body.append("- " + r.choice(pool))
    body.append(f"Báo cáo sơ kết 6 tháng trước ngày 15/6, báo cáo tổng kết năm trước ngày 15/12/{year}.")
    return {"id": i, "organ": organ, "parent": parent, "number": number, "place": place,
            "date": f"ngày {day:02d} tháng {month:02d} năm {year}", "type": type_name,
            "subject": f"Về việc {r.choice(pool)[:90].rstrip(' ,;.').lower()}", "body": body,
            "signer": r.choice(SIGNERS), "authority": r.choice(["KT. GIÁM ĐỐC", "TM. ỦY BAN NHÂN DÂN", "TRƯỞNG BAN"]),
            "position": r.choice(["PHÓ GIÁM ĐỐC", "CHỦ TỊCH", "PHÓ TRƯỞNG BAN"]),
            "format": r.choices(["pdf", "docx", "txt"], weights=[45, 40, 15])[0],
            "broken": r.random() < 0.02}


def as_lines(doc: dict) -> list[tuple[str, str]]:
    """(left, right) rows: the Decree 30 header, then body lines."""
    rows = [((doc["parent"] or ""), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            (doc["organ"], "Độc lập - Tự do - Hạnh phúc"),
            (f"Số: {doc['number']}", f"{doc['place']}, {doc['date']}"), ("", ""),
            (doc["type"], ""), (doc["subject"], ""), ("", "")]
    rows = [(a, b) for a, b in rows if a or b] + [("", "")]
    rows += [(line, "") for line in doc["body"]]
    rows += [("Nơi nhận:", doc["authority"]), ("- Như trên;", doc["position"]), ("- Lưu: VT.", ""),
             ("", doc["signer"])]
    return rows


def write_txt(doc: dict) -> bytes:
    return "\n".join(f"{a}\t{b}" if b else a for a, b in as_lines(doc)).encode("utf-8")


def write_docx(doc: dict) -> bytes:
    import docx

    from .publish.template import deterministic_zip
    d = docx.Document()
    header = d.add_table(rows=0, cols=2)
    rows = as_lines(doc)
    for a, b in rows[:4]:
        cells = header.add_row().cells
        cells[0].text, cells[1].text = a, b
    for a, _ in rows[4:-4]:
        d.add_paragraph(a)
    sig = d.add_table(rows=0, cols=2)
    for a, b in rows[-4:]:
        cells = sig.add_row().cells
        cells[0].text, cells[1].text = a, b
    d.core_properties.author = ""
    import datetime as dt
    d.core_properties.created = d.core_properties.modified = dt.datetime(2020, 1, 1)
    return deterministic_zip(d)             # same input, same bytes


_FONTS = None


def _fonts():
    global _FONTS
    if _FONTS is None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
        base = Path("/usr/share/fonts/truetype/dejavu")
        pdfmetrics.registerFont(TTFont("Serif", str(base / "DejaVuSerif.ttf")))
        pdfmetrics.registerFont(TTFont("Serif-Bold", str(base / "DejaVuSerif-Bold.ttf")))
        _FONTS = True


def write_pdf(doc: dict) -> bytes:
    import textwrap

    from reportlab import rl_config
    rl_config.invariant = 1
    from reportlab.pdfgen import canvas
    _fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), invariant=1)
    y = 800
    rows = as_lines(doc)
    for n, (a, b) in enumerate(rows):
        bold = n < 6 and (a.isupper() or n in (1, 4))
        wrapped = textwrap.wrap(a, 95) or [""] if n >= 6 else [a]
        for k, part in enumerate(wrapped):
            if y < 60:
                c.showPage()
                y = 800
            c.setFont("Serif-Bold" if bold else "Serif", 11)
            c.drawString(70, y, part)
            if b and k == 0:
                c.drawString(330, y, b)
            y -= 16
    c.save()
    return buf.getvalue()


def _one(args) -> tuple[str, bytes]:
    i, seed = args
    doc = make_document(i, seed)
    name = f"{i:05d}_{doc['number'].replace('/', '-')}"
    if doc["format"] == "pdf":
        data, ext = write_pdf(doc), ".pdf"
    elif doc["format"] == "docx":
        data, ext = write_docx(doc), ".docx"
    else:
        data, ext = write_txt(doc), ".txt"
    if doc["broken"]:
        r = random.Random(i)
        data = r.choice([data[: len(data) // 3], b"", r.randbytes(2048)])
    return name + ext, data


def generate(out: Path, n: int, seed: int = 1, jobs: int = 2, log=None) -> int:
    out.mkdir(parents=True, exist_ok=True)
    log = log or (lambda msg: None)
    with mp.get_context("fork").Pool(jobs) as pool:
        for k, (name, data) in enumerate(pool.imap(_one, [(i, seed) for i in range(n)], chunksize=16), 1):
            (out / name).write_bytes(data)
            if k % max(1, n // 20) == 0:
                log(f"{k}/{n}")
    return n
