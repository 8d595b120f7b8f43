"""Legal deadlines the applicant must meet (hạn phải đăng ký), apart from the processing time of the agency.

A record states such a duty in running text, e.g. khai tử (1.000656): "Trong thời hạn 15 ngày kể từ ngày có người
chết thì vợ, chồng … có trách nhiệm đi đăng ký khai tử" (Luật Hộ tịch 2014, art. 33), khai sinh (1.001193): "Trong
thời hạn 60 ngày kể từ ngày sinh con, cha hoặc mẹ có trách nhiệm đăng ký khai sinh cho con" (art. 15). Most
"trong thời hạn N ngày" sentences are the agency's own steps ("kể từ ngày nhận đủ hồ sơ, Ủy ban nhân dân … có văn
bản"), so a sentence counts only when it puts a duty to file (có trách nhiệm / phải + đăng ký, nộp, khai,
thông báo) on someone who is not an agency, counted from an event that is not the agency receiving papers.

    duties(record)   # ["Trong thời hạn 15 ngày kể từ ngày có người chết thì … có trách nhiệm đi đăng ký khai tử"]
"""

from __future__ import annotations

import re

# A sentence is a run between ".", ";" and line ends; it counts when it states a time limit. (One regex doing both
# retried every start position of every sentence without a limit: quadratic, minutes over the whole catalog.)
_SENTENCE_RE = re.compile(r"[^.;\n]+")
_LIMIT_RE = re.compile(r"(?:thời hạn|chậm nhất|trong vòng)\s+\d+\s+(?:ngày|tháng|năm)", re.I)
_DUTY_RE = re.compile(
    r"(?:có trách nhiệm|phải)\s+(?:đi\s+|làm\s+thủ tục\s+)?(?:đăng ký|nộp|khai|thông báo|làm thủ tục|báo cáo)", re.I
)
# Counted from the agency receiving something: the agency's processing time, not the applicant's duty.
_RECEIVED_RE = re.compile(
    r"kể từ (?:ngày|khi|thời điểm)\s+(?:tiếp nhận|nhận)\b|kể từ ngày\s+(?:cơ quan|ủy ban|ubnd)",
    re.I,
)
# Who carries the duty: the words just before "có trách nhiệm" / "phải".
_AGENCY_RE = re.compile(
    r"(ủy ban|ubnd|cơ quan|công an|ngân hàng nhà nước|sở |bộ |cục |phòng |tòa án|chủ tịch|công chức|"
    r"bảo hiểm xã hội|người có thẩm quyền|cán bộ|ban chỉ huy|người giải quyết|thủ trưởng|người đứng đầu|"
    r"chi cục|trung tâm|hội đồng|ban quản lý|hải quan)",
    re.I,
)
_SOURCE_FIELDS = ("conditions", "applicants")


def _texts(record: dict) -> list[str]:
    texts = [record.get(f) or "" for f in _SOURCE_FIELDS]
    texts += record.get("steps") or []
    for group in record.get("documents") or []:
        texts.append(group.get("case") or "")
        texts += [item.get("name") or "" for item in group.get("items") or []]
    texts += [channel.get("note") or "" for channel in record.get("channels") or []]
    texts += [str(v) for v in (record.get("raw") or {}).values()]
    return texts


def _is_duty(sentence: str) -> bool:
    duty = _DUTY_RE.search(sentence)
    if not duty or _RECEIVED_RE.search(sentence):
        return False
    actor = sentence[max(0, duty.start() - 60) : duty.start()]
    actor = re.split(r"[,:]| thì ", actor)[-1]
    return not _AGENCY_RE.search(actor)


def duties(record: dict) -> list[str]:
    """The record's sentences that set a deadline on the applicant, in record order, without repeats."""
    found: list[str] = []
    for text in _texts(record):
        for match in _SENTENCE_RE.finditer(text):
            if not _LIMIT_RE.search(match.group(0)):
                continue
            sentence = " ".join(match.group(0).split()).strip(" -+*:")
            sentence = re.sub(r"^(?:Bước\s*\d+\s*[:.)-]\s*)", "", sentence)
            if _is_duty(sentence) and sentence not in found:
                found.append(sentence[:1].upper() + sentence[1:])
    return found
