from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.tickets.classification import MAX_KEYWORDS, classify, clean_keywords
from yiwang.tickets.reads import similar_tickets

from .helpers import complaint


@given(st.lists(st.text(max_size=50), max_size=40))
@settings(max_examples=200, deadline=None)
def test_clean_keywords_is_bounded_distinct_and_clean(words):
    out = clean_keywords(words)
    assert len(out) <= MAX_KEYWORDS
    assert len(out) == len(set(out))
    for word in out:
        assert 2 <= len(word) <= 40
        assert word == word.strip().lower()
        assert any(ch.isalpha() for ch in word)
    assert clean_keywords(out) == out  # idempotent


@pytest.mark.django_db
def test_classify_suggests_category_and_tags(world):
    found = classify("投诉：超市卖过期食品，商家态度恶劣")
    assert found.category == "complaint"
    assert "食品安全" in found.tags
    assert "服务态度" in found.tags
    assert classify("请问居住证怎么办理，需要什么材料").category == "consultation"
    assert classify("").keywords == []


@pytest.mark.django_db
def test_similar_tickets_share_keywords(world):
    first = complaint(world)
    complaint(world, title="户口迁移", content="请问户口迁移需要什么材料", category="consultation")
    second = complaint(world, actor=world.citizen2)
    hints = similar_tickets(second.keywords, region_code="340104", exclude_id=second.pk)
    assert hints[0] == first
