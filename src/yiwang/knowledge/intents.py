"""意图识别 What a message to the assistant asks for: rules and keyword scores, no model.

Each intent has cue words with weights; the message's score for an intent is the sum of the weights
of the cues it contains (a case number counts for ``progress``).  The best score wins when it
reaches :data:`THRESHOLD`; otherwise the intent is ``question`` (look it up in the knowledge base).
What remains after the cue and filler words are removed is the ``topic`` (e.g. the item to look up).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from yiwang.catalog.search import normalise


class Intent(StrEnum):
    GREETING = "greeting"  # 问候
    HUMAN = "human"  # 转人工
    COMPLAINT = "complaint"  # 投诉/举报
    PROGRESS = "progress"  # 办件进度
    MATERIALS = "materials"  # 所需材料
    HOWTO = "howto"  # 如何办理
    QUESTION = "question"  # 其他问题: search the knowledge base
    THANKS = "thanks"  # 感谢/再见


CUES: dict[Intent, dict[str, int]] = {
    Intent.HUMAN: {"转人工": 10, "人工客服": 10, "人工服务": 10, "人工": 6, "找客服": 6, "真人": 6},
    Intent.COMPLAINT: {"投诉": 6, "举报": 6, "不满意": 5, "态度差": 5, "太慢": 3, "差评": 4, "刁难": 5},
    Intent.PROGRESS: {
        "进度": 5,
        "办到哪": 6,
        "到哪一步": 6,
        "查询办件": 6,
        "办件查询": 6,
        "办件状态": 6,
        "审批到": 4,
        "我的办件": 5,
        "什么时候办好": 5,
        "办好了吗": 5,
    },
    Intent.MATERIALS: {
        "材料": 5,
        "需要带什么": 6,
        "要带什么": 6,
        "带什么": 4,
        "准备什么": 5,
        "需要什么": 4,
        "要什么": 3,
        "证件": 2,
    },
    Intent.HOWTO: {
        "怎么办理": 5,
        "如何办理": 5,
        "怎么办": 4,
        "怎样办": 4,
        "办理": 3,
        "如何": 2,
        "怎么": 2,
        "申请": 2,
        "在哪办": 4,
        "去哪办": 4,
        "流程": 2,
    },
    Intent.GREETING: {"你好": 4, "您好": 4, "在吗": 4, "hello": 4, "hi": 3, "嗨": 3, "早上好": 4, "哈喽": 4},
    Intent.THANKS: {"谢谢": 4, "感谢": 4, "再见": 4, "拜拜": 4, "好的": 2},
}
THRESHOLD = 3
# Ties go to the earlier intent: asking for a person beats everything, greetings only win alone.
PRIORITY = [
    Intent.HUMAN,
    Intent.COMPLAINT,
    Intent.PROGRESS,
    Intent.MATERIALS,
    Intent.HOWTO,
    Intent.GREETING,
    Intent.THANKS,
]
FILLERS = (
    "请问",
    "我想",
    "我要",
    "想要",
    "需要",
    "一下",
    "的",
    "吗",
    "呢",
    "啊",
    "呀",
    "了",
    "？",
    "?",
    "，",
    ",",
    "。",
    "！",
    "!",
    "我",
    "要",
    "想",
    "帮",
    "去",
    "哪些",
    "什么",
    "些",
)
# 办件编号: the 31-character implementation code + yyyyMMdd + a 4-digit serial (also shorter local forms).
CASE_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])([0-9A-Z]{8,31}20\d{6}\d{4})(?![0-9A-Za-z])")


@dataclass(frozen=True)
class Parsed:
    intent: Intent
    score: int
    topic: str  # the message without cue and filler words (what to look up)
    case_number: str = ""


def parse(message: str) -> Parsed:
    """Recognise the intent of one message (never raises; any text is a valid message)."""
    raw = (message or "")[:2000]
    number_match = CASE_NUMBER_RE.search(raw.upper())
    text = normalise(raw)
    scores: dict[Intent, int] = {}
    for intent, cues in CUES.items():
        score = 0
        matched: list[str] = []
        for cue in sorted(cues, key=len, reverse=True):
            if cue in text and not any(cue in longer for longer in matched):
                score += cues[cue]
                matched.append(cue)
        scores[intent] = score
    if number_match:
        scores[Intent.PROGRESS] += 10
    best = max(PRIORITY, key=lambda intent: (scores[intent], -PRIORITY.index(intent)))
    topic = text
    if number_match:
        topic = topic.replace(number_match.group(1).lower(), " ")
    for cues in CUES.values():
        for cue in sorted(cues, key=len, reverse=True):
            topic = topic.replace(cue, " ")
    for filler in FILLERS:
        topic = topic.replace(filler, " ")
    topic = " ".join(topic.split())
    if scores[best] < THRESHOLD:
        return Parsed(Intent.QUESTION, 0, text.strip(), "")
    if best in (Intent.GREETING, Intent.THANKS) and len(topic) >= 4:
        # "你好，营业执照怎么办" is a question with a greeting in front.
        others = [i for i in PRIORITY if i not in (Intent.GREETING, Intent.THANKS) and scores[i] >= THRESHOLD]
        if others:
            best = others[0]
        else:
            return Parsed(Intent.QUESTION, 0, topic, "")
    return Parsed(best, scores[best], topic, number_match.group(1) if number_match else "")
