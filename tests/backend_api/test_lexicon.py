"""Admins extend the synonym lexicon through the API; the search uses it without a retrain."""

from __future__ import annotations

import pytest

from tests.backend_api.api_helpers import PASSPORT, assert_error, audit

SYNONYMS = "/api/v1/admin/synonyms"


def decision(client, question: str) -> dict:
    response = client.get("/api/v1/search", params={"q": question})
    assert response.status_code == 200, response.text
    return response.json()["decision"]


def test_the_base_lexicon_is_listed(client, admin):
    entries = client.get(SYNONYMS, headers=admin).json()
    base = {e["phrase"]: e for e in entries if e["source"] == "base"}
    assert base["پاسپورت"]["meaning"] == "گذرنامه"


@pytest.mark.usefixtures("checks_every_search")
def test_a_new_synonym_is_used_by_the_next_search(client, admin):
    # a made-up local name: no word of the catalogue, no typo close enough to repair
    question = "هزینه زرتک چقدره"
    assert decision(client, question)["outcome"] == "unknown"
    response = client.post(SYNONYMS, headers=admin, json={"phrase": "زرتک", "meaning": "گذرنامه"})
    assert response.status_code == 201, response.text
    assert response.json() == {"phrase": "زرتک", "meaning": "گذرنامه", "source": "admin"}
    client.app.state.search_index.wait()
    after = decision(client, question)
    assert (after["outcome"], after["service_code"]) == ("answer", PASSPORT)
    assert audit(client, admin, entity="synonym")[0]["entity_id"] == "زرتک"
    response = client.delete(SYNONYMS, headers=admin, params={"phrase": "زرتک"})
    assert response.status_code == 204


def test_only_admins_curate_and_unknown_phrases_are_refused(client, admin, assistant):
    body = {"phrase": "پاس", "meaning": "گذرنامه"}
    assert client.post(SYNONYMS, headers=assistant, json=body).status_code == 403
    assert client.post(SYNONYMS, json=body).status_code == 401
    response = client.delete(SYNONYMS, headers=admin, params={"phrase": "ناموجود"})
    assert_error(response, 404, "synonym_not_found")
