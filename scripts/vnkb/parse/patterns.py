"""Regular expressions of the Decree 30 layout, in one place."""
from __future__ import annotations

import re

NATIONAL_MOTTO = re.compile(r"^(?:cong hoa xa hoi chu nghia viet nam|doc lap\s*[-–]\s*tu do\s*[-–]\s*hanh phuc"
                            r"|dang cong san viet nam)")  # matched on folded text
NUMBER_LINE = re.compile(r"^(?:Số|SỐ|Sô|Số hiệu)\s*[:.]?\s*(?P<rest>.*)$")
# "880/QĐ-UBND", "01 /HD-BVSTBCPN", "191/2009/TT-BTC", "26-NQ/TW"
NUMBER = re.compile(r"(?P<num>\d{1,5}[a-zA-Z]?)\s*(?P<sep>[/-])\s*(?P<notation>[A-ZĐa-zđ0-9][\wĐđ&.\-/]*[\wĐđ])")
DATE_WORDS = re.compile(r"ngày\s*(?P<d>\d{1,2})\s*tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>\d{4})", re.IGNORECASE)
DATE_SLASH = re.compile(r"ngày\s*(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*/\s*(?P<y>\d{4})", re.IGNORECASE)
PLACE_DATE = re.compile(r"^(?P<place>[^\d,;:()]{2,40}?)\s*,\s*ngày\b", re.IGNORECASE)
SUBJECT_LETTER = re.compile(r"^(?:V/v|V/V|v/v|Về việc|V/v\.)\s*:?\s*")
RECIPIENTS = re.compile(r"^Kính\s+gửi\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
DISTRIBUTION = re.compile(r"^Nơi\s+nhận\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
AUTHORITY = re.compile(r"^(?:TM|KT|TL|TUQ|Q|T/M|K/T|T/L)\s*\.\s*\S")
SIGNED_MARK = re.compile(r"^\(?\s*(?:đã ký|Đã ký|ĐÃ KÝ|ký,? (?:tên,? )?đóng dấu|Ký,? (?:tên,? )?đóng dấu|ký và ghi rõ họ tên|Ký tên|Chữ ký.*)\s*\)?\.?$")
BULLET = re.compile(r"^[-+•–*]\s*")
LEGAL_BASIS = re.compile(r"^Căn\s+cứ\b")
YEAR_IN_TEXT = re.compile(r"\bnăm\s+((?:19|20)\d{2})\b")
# A Vietnamese personal name: 2-5 capitalised syllables, nothing else.
PERSON_NAME = re.compile(r"^(?:[A-ZĐÀ-Ỹ][a-zà-ỹđ]{0,7})(?:\s+[A-ZĐÀ-Ỹ][a-zà-ỹđ]{0,7}){1,4}$")
# The marker group only ever holds [A-Za-z0-9. ] and Vietnamese letters of the
# words Phần/Chương/Mục/Điều: it is written into Markdown headings unescaped.
HEADING = re.compile(r"^(?P<marker>(?:PHẦN|Phần|CHƯƠNG|Chương|MỤC|Mục)\s+[IVXLC\d]+\.?|[IVXLC]+\.|\d+(?:\.\d+)*\.?(?=\s)|Điều\s+\d+\.?)\s*(?P<title>.*)$")
