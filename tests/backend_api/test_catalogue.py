"""Browsing the service catalogue and curating it as an admin, with audit and kb versions."""

from __future__ import annotations

import pytest

from tests.backend_api.api_helpers import (
    BIRTH_CERTIFICATE,
    NATIONAL_CARD,
    PASSPORT,
    assert_error,
    audit,
    kb_version,
)
from tests.backend_api.citizens import ALI, MOBILE

SERVICES = "/api/v1/catalogue/services"
DUPLICATE_BIRTH_CERTIFICATE = "10101000003"


def new_card(**overrides) -> dict:
    card = {
        "code": DUPLICATE_BIRTH_CERTIFICATE,
        "title": "صدور المثنی شناسنامه",
        "aliases": ["شناسنامه گمشده", "المثنی"],
        "agency": "sabt-ahval",
        "cluster": "identity",
        "description": "صدور المثنی برای شناسنامهٔ مفقود، سرقت‌شده یا فرسوده.",
        "audience": "دارندگان شناسنامهٔ مفقود یا فرسوده",
        "prerequisites": [],
        "documents": ["اصل کارت ملی", "دو قطعه عکس"],
        "cost": {"kind": "fixed", "amount": 1_500_000, "currency": "IRR", "note": ""},
        "processing_time": {"min_days": 1, "max_days": 10, "note": ""},
        "channels": {
            "url": "https://www.sabteahval.ir/almosana",
            "offices": ["ادارات ثبت احوال"],
            "phone": "۱۵۱۵",
        },
        "steps": ["ثبت درخواست", "مراجعه به اداره", "دریافت شناسنامه"],
        "inquiries": [],
        "legal_basis": ["قانون ثبت احوال"],
        "electronic": "partial",
        "revised": "2025-03-01",
    }
    card.update(overrides)
    return card


def codes(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json()["items"]]


# --- public browsing ---------------------------------------------------------------------------


def test_all_active_services_are_listed_in_code_order(client):
    page = client.get(SERVICES).json()
    assert page["total"] == 3
    assert [s["code"] for s in page["items"]] == [NATIONAL_CARD, BIRTH_CERTIFICATE, PASSPORT]
    first = page["items"][0]
    assert first["title"] == "صدور کارت ملی هوشمند"
    assert (first["agency_name"], first["cluster_name"]) == (
        "سازمان ثبت احوال کشور",
        "هویت و ثبت احوال",
    )


def test_browse_by_cluster(client):
    assert codes(client.get(SERVICES, params={"cluster": "identity"})) == [
        NATIONAL_CARD,
        BIRTH_CERTIFICATE,
    ]
    assert codes(client.get(SERVICES, params={"cluster": "passport"})) == [PASSPORT]


def test_browse_by_agency(client):
    assert codes(client.get(SERVICES, params={"agency": "passport-police"})) == [PASSPORT]
    both = client.get(SERVICES, params={"agency": "sabt-ahval", "cluster": "passport"})
    assert codes(both) == []


def test_text_filter_finds_words_of_the_title(client):
    assert codes(client.get(SERVICES, params={"q": "کارت ملی"})) == [NATIONAL_CARD]
    assert codes(client.get(SERVICES, params={"q": "نوزاد"})) == [BIRTH_CERTIFICATE]
    assert codes(client.get(SERVICES, params={"q": "گواهینامه رانندگی"})) == []


def test_text_filter_finds_a_service_by_its_alias(client):
    assert codes(client.get(SERVICES, params={"q": "پاسپورت"})) == [PASSPORT]


def test_pagination_reports_the_total(client):
    first = client.get(SERVICES, params={"limit": 2, "offset": 0}).json()
    second = client.get(SERVICES, params={"limit": 2, "offset": 2}).json()
    assert (first["total"], first["limit"], first["offset"]) == (3, 2, 0)
    assert len(first["items"]) == 2
    assert (second["total"], len(second["items"])) == (3, 1)
    assert {s["code"] for s in first["items"] + second["items"]} == {
        PASSPORT,
        NATIONAL_CARD,
        BIRTH_CERTIFICATE,
    }
    past_the_end = client.get(SERVICES, params={"offset": 10}).json()
    assert (past_the_end["total"], past_the_end["items"]) == (3, [])


def test_bad_paging_values_are_refused(client):
    assert_error(client.get(SERVICES, params={"limit": 0}), 422, "greater_than_equal")
    assert_error(client.get(SERVICES, params={"limit": 1000}), 422, "less_than_equal")
    assert_error(client.get(SERVICES, params={"offset": "اول"}), 422, "int_parsing")


def test_an_unknown_cluster_or_agency_is_404(client):
    error = assert_error(
        client.get(SERVICES, params={"cluster": "space-travel"}), 404, "cluster_not_found"
    )
    assert "خوشه" in error["message"]
    assert_error(client.get(SERVICES, params={"agency": "nasa"}), 404, "agency_not_found")


def test_agencies_and_clusters_are_listed(client):
    agencies = client.get("/api/v1/catalogue/agencies").json()
    assert [(a["number"], a["code"]) for a in agencies] == [
        ("101", "sabt-ahval"),
        ("102", "passport-police"),
    ]
    assert agencies[1]["name"] == "پلیس مهاجرت و گذرنامه فراجا"
    clusters = client.get("/api/v1/catalogue/clusters").json()
    assert {c["code"]: c["name"] for c in clusters} == {
        "passport": "گذرنامه و سفر",
        "identity": "هویت و ثبت احوال",
    }


def test_a_service_card_has_every_field_a_citizen_needs(client):
    response = client.get(f"{SERVICES}/{PASSPORT}")
    assert response.status_code == 200, response.text
    card = response.json()
    assert card["title"] == "صدور گذرنامهٔ عادی"
    assert card["aliases"] == ["پاسپورت", "گذرنامه"]
    assert (card["agency"], card["agency_name"]) == (
        "passport-police",
        "پلیس مهاجرت و گذرنامه فراجا",
    )
    assert (card["cluster"], card["cluster_name"]) == ("passport", "گذرنامه و سفر")
    assert card["cost"] == {"kind": "fixed", "amount": 5_200_000, "currency": "IRR", "note": ""}
    assert card["processing_time"] == {"min_days": 7, "max_days": 14, "note": ""}
    assert card["channels"] == {
        "url": "https://epolice.ir/passport",
        "offices": ["دفاتر پلیس +۱۰"],
        "phone": "۱۱۰",
    }
    assert card["documents"] == ["اصل شناسنامه", "اصل کارت ملی"]
    assert card["prerequisites"] == ["نداشتن ممنوعیت خروج"]
    assert card["steps"] == ["ثبت درخواست", "پرداخت هزینه", "دریافت گذرنامه"]
    assert card["legal_basis"] == ["قانون گذرنامه مصوب ۱۳۵۱"]
    assert (card["electronic"], card["revised"], card["active"]) == ("partial", "2025-01-10", True)


def test_variable_and_free_costs_are_explained(client):
    national_card = client.get(f"{SERVICES}/{NATIONAL_CARD}").json()
    assert national_card["cost"]["kind"] == "variable"
    assert national_card["cost"]["amount"] is None
    assert national_card["cost"]["note"] == "بسته به نوع کارت و کارمزد دفتر"
    birth = client.get(f"{SERVICES}/{BIRTH_CERTIFICATE}").json()
    assert (birth["cost"]["kind"], birth["cost"]["amount"]) == ("free", None)


def test_an_unknown_service_card_is_404(client):
    error = assert_error(client.get(f"{SERVICES}/99999999999"), 404, "service_not_found")
    assert "خدمت" in error["message"]


# --- admin curation ----------------------------------------------------------------------------


def test_admin_adds_a_service(client, admin):
    before = kb_version(client)
    response = client.post("/api/v1/admin/services", json=new_card(), headers=admin)
    assert response.status_code == 201, response.text
    assert response.json()["agency_name"] == "سازمان ثبت احوال کشور"
    assert kb_version(client) == before + 1
    card = client.get(f"{SERVICES}/{DUPLICATE_BIRTH_CERTIFICATE}").json()
    assert card["cost"]["amount"] == 1_500_000
    assert codes(client.get(SERVICES, params={"cluster": "identity"})) == [
        NATIONAL_CARD,
        BIRTH_CERTIFICATE,
        DUPLICATE_BIRTH_CERTIFICATE,
    ]
    entry = audit(client, admin, entity="service")[0]
    assert (entry["action"], entry["entity_id"], entry["actor"]) == (
        "create",
        DUPLICATE_BIRTH_CERTIFICATE,
        "admin",
    )
    assert entry["before"] is None
    assert entry["after"]["title"] == "صدور المثنی شناسنامه"


def test_adding_an_existing_service_is_a_conflict(client, admin):
    response = client.post("/api/v1/admin/services", json=new_card(code=PASSPORT), headers=admin)
    assert_error(response, 409, "service_exists")


def test_a_service_of_an_unknown_agency_or_cluster_is_refused(client, admin):
    unknown_agency = client.post(
        "/api/v1/admin/services", json=new_card(agency="nasa"), headers=admin
    )
    assert_error(unknown_agency, 404, "agency_not_found")
    unknown_cluster = client.post(
        "/api/v1/admin/services", json=new_card(cluster="space"), headers=admin
    )
    assert_error(unknown_cluster, 404, "cluster_not_found")


@pytest.mark.parametrize(
    "change",
    [
        {"cost": {"kind": "fixed"}},  # a fixed cost needs its amount
        {"cost": {"kind": "variable", "note": " "}},  # a variable cost needs an explanation
        {"processing_time": {"min_days": 10, "max_days": 2}},
        {"code": "123"},
        {"documents": []},
        {"electronic": "sometimes"},
        {"channels": {"url": "epolice.ir"}},
        {"owner": "someone"},
    ],
)
def test_an_inconsistent_card_is_refused(client, admin, change):
    response = client.post("/api/v1/admin/services", json=new_card(**change), headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"]


def test_admin_replaces_a_service_card(client, admin):
    before = kb_version(client)
    card = client.get(f"{SERVICES}/{PASSPORT}").json()
    changed = new_card(
        code=PASSPORT,
        agency="passport-police",
        cluster="passport",
        title=card["title"],
        cost={"kind": "fixed", "amount": 6_000_000, "currency": "IRR", "note": "نرخ سال ۱۴۰۴"},
    )
    response = client.put(f"/api/v1/admin/services/{PASSPORT}", json=changed, headers=admin)
    assert response.status_code == 200, response.text
    assert client.get(f"{SERVICES}/{PASSPORT}").json()["cost"]["amount"] == 6_000_000
    assert kb_version(client) == before + 1
    entry = audit(client, admin, entity="service")[0]
    assert (entry["action"], entry["entity_id"]) == ("update", PASSPORT)
    assert entry["before"]["cost"]["amount"] == 5_200_000
    assert entry["after"]["cost"]["amount"] == 6_000_000
    assert entry["after"]["cost"]["note"] == "نرخ سال ۱۴۰۴"


def test_replacing_needs_matching_codes_and_an_existing_service(client, admin):
    mismatch = client.put(f"/api/v1/admin/services/{PASSPORT}", json=new_card(), headers=admin)
    assert_error(mismatch, 422, "service_code_mismatch")
    missing = client.put(
        f"/api/v1/admin/services/{DUPLICATE_BIRTH_CERTIFICATE}", json=new_card(), headers=admin
    )
    assert_error(missing, 404, "service_not_found")


@pytest.mark.usefixtures("checks_every_search")
def test_a_retired_service_disappears_for_the_public(client, admin):
    assert any(
        h["id"] == f"service:{BIRTH_CERTIFICATE}"
        for h in client.get("/api/v1/search", params={"q": "شناسنامه نوزاد"}).json()["hits"]
    )
    before = kb_version(client)
    response = client.delete(f"/api/v1/admin/services/{BIRTH_CERTIFICATE}", headers=admin)
    assert response.status_code == 204
    assert kb_version(client) == before + 1
    assert_error(client.get(f"{SERVICES}/{BIRTH_CERTIFICATE}"), 404, "service_not_found")
    assert codes(client.get(SERVICES, params={"cluster": "identity"})) == [NATIONAL_CARD]
    hits = client.get("/api/v1/search", params={"q": "شناسنامه نوزاد"}).json()["hits"]
    assert f"service:{BIRTH_CERTIFICATE}" not in [h["id"] for h in hits]
    entry = audit(client, admin, entity="service")[0]
    assert (entry["action"], entry["entity_id"]) == ("retire", BIRTH_CERTIFICATE)
    assert (entry["before"], entry["after"]) == ({"active": True}, {"active": False})
    assert_error(
        client.delete(f"/api/v1/admin/services/{BIRTH_CERTIFICATE}", headers=admin),
        404,
        "service_not_found",
    )


def test_replacing_a_retired_service_brings_it_back(client, admin):
    client.delete(f"/api/v1/admin/services/{BIRTH_CERTIFICATE}", headers=admin)
    card = {
        k: v
        for k, v in client.get(f"{SERVICES}/{NATIONAL_CARD}").json().items()
        if k not in ("agency_name", "cluster_name", "active")
    }
    card.update(code=BIRTH_CERTIFICATE, title="ثبت ولادت و صدور شناسنامهٔ نوزاد")
    response = client.put(f"/api/v1/admin/services/{BIRTH_CERTIFICATE}", json=card, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["active"] is True
    assert client.get(f"{SERVICES}/{BIRTH_CERTIFICATE}").status_code == 200


def test_filing_a_request_for_a_retired_service_is_refused(client, admin, assistant):
    client.delete(f"/api/v1/admin/services/{PASSPORT}", headers=admin)
    body = {
        "service_code": PASSPORT,
        "full_name": "علی رضایی",
        "national_code": ALI,
        "mobile": MOBILE,
    }
    assert_error(
        client.post("/api/v1/requests", json=body, headers=assistant), 404, "service_not_found"
    )


def test_admin_creates_and_updates_an_agency(client, admin):
    before = kb_version(client)
    body = {
        "code": "tax",
        "number": "112",
        "name": "سازمان امور مالیاتی کشور",
        "website": "https://www.intamedia.ir",
        "phone": "۱۵۲۶",
    }
    response = client.put("/api/v1/admin/agencies/tax", json=body, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json() == body
    renamed = {**body, "name": "سازمان امور مالیاتی"}
    assert client.put("/api/v1/admin/agencies/tax", json=renamed, headers=admin).status_code == 200
    assert kb_version(client) == before + 2
    listed = {a["code"]: a["name"] for a in client.get("/api/v1/catalogue/agencies").json()}
    assert listed["tax"] == "سازمان امور مالیاتی"
    update, create = audit(client, admin, entity="agency")[:2]
    assert (create["action"], create["before"], create["after"]["number"]) == (
        "upsert",
        None,
        "112",
    )
    assert update["before"]["name"] == "سازمان امور مالیاتی کشور"
    assert update["after"]["name"] == "سازمان امور مالیاتی"


def test_an_agency_number_belongs_to_one_agency(client, admin):
    body = {"code": "tax", "number": "102", "name": "سازمان امور مالیاتی کشور"}
    response = client.put("/api/v1/admin/agencies/tax", json=body, headers=admin)
    assert_error(response, 409, "agency_number_taken")


def test_an_agency_code_must_match_the_address(client, admin):
    body = {"code": "tax", "number": "112", "name": "سازمان امور مالیاتی کشور"}
    response = client.put("/api/v1/admin/agencies/customs", json=body, headers=admin)
    assert_error(response, 422, "code_mismatch")


def test_admin_creates_and_renames_a_cluster(client, admin):
    before = kb_version(client)
    body = {"code": "health", "name": "سلامت و بیمه"}
    assert client.put("/api/v1/admin/clusters/health", json=body, headers=admin).status_code == 200
    renamed = {"code": "identity", "name": "هویت، ثبت احوال و اسناد"}
    response = client.put("/api/v1/admin/clusters/identity", json=renamed, headers=admin)
    assert response.status_code == 200, response.text
    assert kb_version(client) == before + 2
    clusters = {c["code"]: c["name"] for c in client.get("/api/v1/catalogue/clusters").json()}
    assert clusters == {
        "passport": "گذرنامه و سفر",
        "identity": "هویت، ثبت احوال و اسناد",
        "health": "سلامت و بیمه",
    }
    assert client.get(f"{SERVICES}/{NATIONAL_CARD}").json()["cluster_name"] == renamed["name"]
    rename, create = audit(client, admin, entity="cluster")[:2]
    assert (create["entity_id"], create["before"], create["after"]) == ("health", None, body)
    assert rename["before"] == {"code": "identity", "name": "هویت و ثبت احوال"}
    assert rename["after"] == renamed
    mismatch = client.put("/api/v1/admin/clusters/health", json=renamed, headers=admin)
    assert_error(mismatch, 422, "code_mismatch")


def test_every_admin_change_is_audited_and_moves_the_kb_version(client, admin):
    changes = [
        (
            "PUT",
            "/api/v1/admin/agencies/tax",
            {"code": "tax", "number": "112", "name": "سازمان امور مالیاتی کشور"},
        ),
        ("PUT", "/api/v1/admin/clusters/tax-cluster", {"code": "tax-cluster", "name": "مالیات"}),
        ("POST", "/api/v1/admin/services", new_card()),
        (
            "PUT",
            f"/api/v1/admin/services/{DUPLICATE_BIRTH_CERTIFICATE}",
            new_card(title="صدور المثنی شناسنامهٔ مفقودی"),
        ),
        ("DELETE", f"/api/v1/admin/services/{DUPLICATE_BIRTH_CERTIFICATE}", None),
    ]
    versions = [kb_version(client)]
    for method, path, body in changes:
        response = client.request(method, path, json=body, headers=admin)
        assert response.status_code in (200, 201, 204), response.text
        versions.append(kb_version(client))
    assert versions == list(range(versions[0], versions[0] + len(changes) + 1))
    entries = audit(client, admin, actor="admin")
    assert [(e["entity"], e["action"]) for e in entries] == [
        ("service", "retire"),
        ("service", "update"),
        ("service", "create"),
        ("cluster", "upsert"),
        ("agency", "upsert"),
    ]
    assert all(e["after"] is not None for e in entries)
    assert entries[1]["before"]["title"] == "صدور المثنی شناسنامه"
    assert entries[1]["after"]["title"] == "صدور المثنی شناسنامهٔ مفقودی"


def test_a_refused_change_leaves_no_trace(client, admin):
    before = kb_version(client)
    client.post("/api/v1/admin/services", json=new_card(code=PASSPORT), headers=admin)
    client.put(
        "/api/v1/admin/agencies/tax",
        json={"code": "tax", "number": "102", "name": "مالیات"},
        headers=admin,
    )
    assert kb_version(client) == before
    assert audit(client, admin, actor="admin") == []
