"""FAQs follow their service: retiring a service hides its FAQs from search, replacing it (which
re-activates it) brings them back; FAQs of other services and general ones stay."""

from __future__ import annotations

import pytest

from tests.backend_api.api_helpers import NATIONAL_CARD, PASSPORT

SEARCH = "/api/v1/search"
SERVICE = f"/api/v1/catalogue/services/{PASSPORT}"
QUESTION = "هزینهٔ صدور گذرنامه چقدر است؟"


def hit_ids(client, question: str) -> list[str]:
    response = client.get(SEARCH, params={"q": question, "limit": 10})
    assert response.status_code == 200, response.text
    return [hit["id"] for hit in response.json()["hits"]]


@pytest.fixture
def live(client, checks_every_search):
    """The client, with the search index checking the kb version on every query."""
    return client


def test_the_faqs_of_a_retired_service_are_not_searchable(live, admin):
    card = {
        k: v
        for k, v in live.get(SERVICE).json().items()
        if k not in ("agency_name", "cluster_name", "active")
    }
    assert hit_ids(live, QUESTION)[0] == "faq:passport-cost"
    answer = live.get("/api/v1/search", params={"q": "مدارک کارت ملی"}).json()["decision"]
    assert (answer["service_code"], answer["parts"][0]["field"]) == (NATIONAL_CARD, "documents")

    response = live.delete(f"/api/v1/admin/services/{PASSPORT}", headers=admin)
    assert response.status_code == 204
    found = hit_ids(live, QUESTION)
    assert "faq:passport-cost" not in found and f"service:{PASSPORT}" not in found
    assert "faq:passport-cost" not in hit_ids(live, "قيمت گذرنامه")
    # another service's FAQ is untouched
    answer = live.get("/api/v1/search", params={"q": "مدارک کارت ملی"}).json()["decision"]
    assert (answer["service_code"], answer["parts"][0]["field"]) == (NATIONAL_CARD, "documents")

    response = live.put(f"/api/v1/admin/services/{PASSPORT}", json=card, headers=admin)
    assert response.status_code == 200, response.text
    assert hit_ids(live, QUESTION)[0] == "faq:passport-cost"
