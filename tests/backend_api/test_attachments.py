"""Attaching documents to a request: type by content, size, identity and per-request limits."""

from __future__ import annotations

import hashlib
import re
import struct
import zlib

import pytest
from sqlalchemy import select

from backend_api.requests.models import Attachment
from nlu.identifiers import verhoeff_check_digit
from tests.backend_api.api_helpers import assert_error, complete, file_request
from tests.backend_api.citizens import ALI, MOBILE, SARA

ATTACH = "/api/v1/requests/attachments"


def pdf_bytes(text: str = "scan of birth certificate") -> bytes:
    """A small but well-formed PDF document."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A small, valid grey-scale PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def attach(
    client,
    headers,
    tracking_code,
    content,
    *,
    name="madarek.pdf",
    content_type="application/pdf",
    **identity,
):
    identity = identity or {"national_code": ALI}
    return client.post(
        ATTACH,
        data={"tracking_code": tracking_code, **identity},
        files={"file": (name, content, content_type)},
        headers=headers,
    )


@pytest.fixture
def code(client, assistant) -> str:
    """The tracking code of a freshly filed request."""
    return file_request(client, assistant)["tracking_code"]


def stored(app) -> list[Attachment]:
    with app.state.session_factory() as session:
        return list(session.scalars(select(Attachment).order_by(Attachment.id)))


def test_a_pdf_is_attached_and_shown_in_the_request(client, app, assistant, settings, code):
    content = pdf_bytes()
    response = attach(client, assistant, code, content, name="shenasnameh.pdf")
    assert response.status_code == 201, response.text
    attachment = response.json()
    assert (attachment["filename"], attachment["content_type"], attachment["size"]) == (
        "shenasnameh.pdf",
        "application/pdf",
        len(content),
    )
    view = client.post(
        "/api/v1/requests/lookup",
        json={"tracking_code": code, "national_code": ALI},
        headers=assistant,
    ).json()
    assert [a["id"] for a in view["attachments"]] == [attachment["id"]]
    [row] = stored(app)
    assert row.sha256 == hashlib.sha256(content).hexdigest()
    assert (settings.attachments_dir / row.stored_name).read_bytes() == content


def test_a_png_is_attached_with_the_mobile_as_proof(client, assistant, code):
    response = attach(
        client,
        assistant,
        code,
        png_bytes(),
        name="عکس کارت ملی.png",
        content_type="image/png",
        mobile=MOBILE,
    )
    assert response.status_code == 201, response.text
    assert (response.json()["filename"], response.json()["content_type"]) == (
        "عکس کارت ملی.png",
        "image/png",
    )


def test_a_jpeg_is_accepted(client, assistant, code):
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
    response = attach(client, assistant, code, jpeg, name="scan.jpg", content_type="image/jpeg")
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (png_bytes(), "madarek.pdf", "application/pdf"),  # declared PDF, really a PNG
        (pdf_bytes(), "photo.png", "image/png"),  # declared PNG, really a PDF
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "madarek.pdf", "application/pdf"),
        (b"<html><script>alert(1)</script></html>", "page.html", "text/html"),
        ("متن سادهٔ فارسی".encode(), "note.txt", "text/plain"),
    ],
)
def test_a_file_whose_content_does_not_match_its_type_is_refused(
    client, app, assistant, code, content, name, content_type
):
    response = attach(client, assistant, code, content, name=name, content_type=content_type)
    error = assert_error(response, 415, "attachment_type_not_allowed")
    assert "PDF" in error["message"]
    assert stored(app) == []


def test_a_file_over_the_limit_is_refused(client, app, assistant, settings, code):
    too_big = pdf_bytes() + b"%" + b"0" * settings.max_attachment_bytes
    assert_error(attach(client, assistant, code, too_big), 413, "attachment_too_large")
    assert stored(app) == []


def test_a_file_of_exactly_the_limit_is_accepted(client, assistant, settings, code):
    content = pdf_bytes()
    content += b"%" * (settings.max_attachment_bytes - len(content))
    assert attach(client, assistant, code, content).status_code == 201


def test_the_size_error_states_the_real_limit(client, assistant, settings, code):
    too_big = pdf_bytes() + b"0" * settings.max_attachment_bytes
    error = assert_error(attach(client, assistant, code, too_big), 413, "attachment_too_large")
    assert not re.search(r"بیش از [0۰] ", error["message"]), error["message"]


def test_an_empty_file_is_refused(client, assistant, code):
    error = assert_error(attach(client, assistant, code, b""), 422, "attachment_empty")
    assert "خالی" in error["message"]


def test_a_wrong_identity_is_a_404(client, app, assistant, code):
    wrong = attach(client, assistant, code, pdf_bytes(), national_code=SARA)
    assert_error(wrong, 404, "request_not_found")
    unknown_code = "200000000" + verhoeff_check_digit("200000000")  # valid, never filed
    unknown = attach(client, assistant, unknown_code, pdf_bytes())
    assert_error(unknown, 404, "request_not_found")
    assert stored(app) == []


def test_a_missing_or_invalid_proof_is_refused(client, assistant, code):
    assert_error(attach(client, assistant, "12345", pdf_bytes()), 422, "invalid_tracking_code")
    no_identity = client.post(
        ATTACH,
        data={"tracking_code": code},
        files={"file": ("a.pdf", pdf_bytes(), "application/pdf")},
        headers=assistant,
    )
    assert_error(no_identity, 422, "identity_required")
    no_file = client.post(
        ATTACH, data={"tracking_code": code, "national_code": ALI}, headers=assistant
    )
    assert_error(no_file, 422, "missing")


def test_more_than_the_per_request_limit_is_refused(client, assistant, settings, code):
    for number in range(settings.max_attachments_per_request):
        response = attach(
            client, assistant, code, pdf_bytes(f"page {number}"), name=f"p{number}.pdf"
        )
        assert response.status_code == 201, response.text
    extra = attach(client, assistant, code, pdf_bytes("one too many"))
    error = assert_error(extra, 409, "too_many_attachments")
    assert str(settings.max_attachments_per_request) in error["message"]
    other = file_request(client, assistant)["tracking_code"]
    assert (
        attach(client, assistant, other, pdf_bytes()).status_code == 201
    )  # the limit is per request


def test_a_closed_request_takes_no_attachments(client, assistant, staff, code):
    complete(client, staff, code)
    assert_error(attach(client, assistant, code, pdf_bytes()), 409, "request_closed")


def test_a_path_in_the_file_name_is_dropped(client, app, assistant, settings, code):
    response = attach(client, assistant, code, pdf_bytes(), name="../../../etc/cron.d/evil.pdf")
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == "evil.pdf"
    [row] = stored(app)
    assert (settings.attachments_dir / row.stored_name).is_file()
    assert re.fullmatch(r"[0-9a-f]{32}", row.stored_name)
