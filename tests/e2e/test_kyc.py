"""KYC: document upload (content checked by magic bytes), the operator queue and decisions."""

from __future__ import annotations

import uuid

import pytest

from .support import (
    assert_problem,
    assert_rfc3339_utc,
    jpeg_bytes,
    kyc_document,
    pdf_bytes,
    png_bytes,
)

FIVE_MB = 5 * 1024 * 1024


def me(client, p) -> dict:
    r = client.get("/v1/players/me", headers=p.headers)
    assert r.status_code == 200, r.text
    return r.json()


def pending_entry(client, operator, player_id: str) -> dict | None:
    r = client.get("/v1/ops/kyc", params={"status": "pending"}, headers=operator.headers)
    assert r.status_code == 200, r.text
    players = r.json()["players"]
    assert all(entry["kyc_status"] == "pending" for entry in players), players
    return next((entry for entry in players if entry["player_id"] == player_id), None)


# ---------------------------------------------------------------- upload


def test_uploading_a_png_makes_the_player_pending(client, player, upload_document):
    p = player()
    r = upload_document(p)
    assert r.status_code == 201, r.text
    body = r.json()
    assert isinstance(body["document_id"], str) and body["document_id"]
    assert body["kyc_status"] == "pending"
    assert me(client, p)["kyc_status"] == "pending"


@pytest.mark.parametrize(
    ("data", "filename", "content_type", "doc_type"),
    [
        (jpeg_bytes(), "selfie.jpg", "image/jpeg", "selfie"),
        (pdf_bytes(), "bill.pdf", "application/pdf", "proof_of_address"),
        (png_bytes(), "back.png", "image/png", "id_back"),
    ],
    ids=["jpeg-selfie", "pdf-proof-of-address", "png-id-back"],
)
def test_jpeg_pdf_and_png_documents_of_every_type_are_accepted(
    player, upload_document, data, filename, content_type, doc_type
):
    r = upload_document(
        player(), data, doc_type=doc_type, filename=filename, content_type=content_type
    )
    assert r.status_code == 201, r.text
    assert r.json()["kyc_status"] == "pending"


def test_the_file_type_is_judged_by_content_not_by_the_declared_type(player, upload_document):
    r = upload_document(player(), png_bytes(), filename="scan.pdf", content_type="application/pdf")
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"just some text, not an identity document\n", "text/plain"),
        (b"plain text pretending to be a picture", "image/png"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64, "image/jpeg"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "image/svg+xml"),
        (b"PK\x03\x04" + b"\x00" * 40, "application/pdf"),
        (b"\x89PN", "image/png"),
    ],
    ids=["text", "text-as-png", "exe-as-jpeg", "gif", "svg", "zip-as-pdf", "truncated-png-magic"],
)
def test_any_other_file_is_refused_as_an_invalid_document(
    client, player, upload_document, data, content_type
):
    p = player()
    r = upload_document(p, data, content_type=content_type)
    assert_problem(r, 422, "invalid_document")
    assert me(client, p)["kyc_status"] == "none"


def test_an_empty_file_is_refused(client, player, upload_document):
    p = player()
    assert_problem(upload_document(p, b""), 422)
    assert me(client, p)["kyc_status"] == "none"


def test_a_document_just_under_five_megabytes_is_accepted(player, upload_document):
    data = png_bytes() + b"\x00" * (4_900_000 - len(png_bytes()))
    r = upload_document(player(), data)
    assert r.status_code == 201, f"{r.status_code} {r.text[:300]}"


def test_a_document_over_five_megabytes_is_refused(client, player, upload_document):
    p = player()
    data = png_bytes() + b"\x00" * (FIVE_MB + 1 - len(png_bytes()))
    assert_problem(upload_document(p, data), 422, "invalid_document")
    assert me(client, p)["kyc_status"] == "none"


def test_invalid_base64_is_refused(client, player):
    p = player()
    body = kyc_document() | {"content_base64": "this is *not* base64!!"}
    assert_problem(client.post("/v1/kyc/documents", json=body, headers=p.headers), 422)
    assert me(client, p)["kyc_status"] == "none"


@pytest.mark.parametrize("doc_type", ["passport_photo", "", "ID_FRONT"])
def test_an_unknown_doc_type_is_refused(client, player, upload_document, doc_type):
    p = player()
    assert_problem(upload_document(p, doc_type=doc_type), 422)
    assert me(client, p)["kyc_status"] == "none"


def test_an_upload_missing_a_field_is_a_validation_error(client, player):
    p = player()
    body = kyc_document()
    del body["content_base64"]
    r = client.post("/v1/kyc/documents", json=body, headers=p.headers)
    assert_problem(r, 422, "validation_error")


def test_uploading_needs_a_token(client):
    assert_problem(client.post("/v1/kyc/documents", json=kyc_document()), 401, "invalid_token")


# ---------------------------------------------------------------- the operator queue


def test_the_pending_queue_lists_the_player_with_their_documents(
    client, operator, player, upload_document
):
    p = player(full_name="Joana Pereira")
    first = upload_document(p, png_bytes(), doc_type="id_front", filename="front.png")
    second = upload_document(
        p, pdf_bytes(), doc_type="proof_of_address", filename="bill.pdf",
        content_type="application/pdf",
    )  # fmt: skip
    assert first.status_code == 201 and second.status_code == 201
    entry = pending_entry(client, operator, p.player_id)
    assert entry is not None, "the player is not in the pending queue"
    assert entry["email"] == p.email
    assert entry["full_name"] == "Joana Pereira"
    assert entry["kyc_status"] == "pending"
    assert_rfc3339_utc(entry["submitted_at"])
    documents = {d["document_id"]: d for d in entry["documents"]}
    assert set(documents) == {first.json()["document_id"], second.json()["document_id"]}
    front = documents[first.json()["document_id"]]
    assert front["doc_type"] == "id_front"
    assert front["filename"] == "front.png"
    assert front["content_type"] == "image/png"
    assert front["size"] == len(png_bytes())
    bill = documents[second.json()["document_id"]]
    assert bill["doc_type"] == "proof_of_address" and bill["size"] == len(pdf_bytes())


def test_a_player_without_documents_is_not_pending(client, operator, player):
    p = player()
    assert pending_entry(client, operator, p.player_id) is None


def test_a_player_cannot_read_the_kyc_queue(client, player):
    p = player()
    assert_problem(client.get("/v1/ops/kyc?status=pending", headers=p.headers), 403, "forbidden")
    assert_problem(client.get("/v1/ops/kyc?status=pending"), 401, "invalid_token")


# ---------------------------------------------------------------- decisions


def test_approval_needs_an_identity_document_and_a_selfie(client, player, upload_document, decide):
    """The finding: KYC could be approved with no document on file."""
    p = player()
    assert_problem(decide(p.player_id, "approve", "nothing here"), 409, "documents_missing")
    assert upload_document(p, doc_type="proof_of_address").status_code == 201
    assert_problem(decide(p.player_id, "approve"), 409, "documents_missing")
    assert upload_document(p, doc_type="selfie").status_code == 201
    assert_problem(decide(p.player_id, "approve"), 409, "documents_missing")
    assert upload_document(p, doc_type="id_back").status_code == 201
    assert decide(p.player_id, "approve").status_code == 200
    assert me(client, p)["kyc_status"] == "verified"


def test_approval_verifies_the_player_and_leaves_the_queue(
    client, operator, player, upload_documents, decide
):
    p = player()
    upload_documents(p)
    r = decide(p.player_id, "approve", "all good")
    assert r.status_code == 200, r.text
    assert r.json() == {"player_id": p.player_id, "kyc_status": "verified"}
    assert me(client, p)["kyc_status"] == "verified"
    assert pending_entry(client, operator, p.player_id) is None


def test_approval_without_a_reason_is_accepted(client, player, upload_documents, decide):
    p = player()
    upload_documents(p)
    r = decide(p.player_id, "approve")
    assert r.status_code == 200, r.text
    assert me(client, p)["kyc_status"] == "verified"


def test_rejection_needs_a_reason(client, player, upload_document, decide):
    p = player()
    assert upload_document(p).status_code == 201
    assert_problem(decide(p.player_id, "reject"), 422)
    assert_problem(decide(p.player_id, "reject", ""), 422)
    assert_problem(decide(p.player_id, "reject", "   "), 422)
    assert me(client, p)["kyc_status"] == "pending"


def test_a_rejected_player_can_upload_again_and_is_pending_again(
    client, operator, player, upload_document, decide
):
    p = player()
    assert upload_document(p).status_code == 201
    r = decide(p.player_id, "reject", "photo is blurred")
    assert r.status_code == 200, r.text
    assert r.json() == {"player_id": p.player_id, "kyc_status": "rejected"}
    assert me(client, p)["kyc_status"] == "rejected"
    assert pending_entry(client, operator, p.player_id) is None
    again = upload_document(p, jpeg_bytes(), filename="new.jpg", content_type="image/jpeg")
    assert again.status_code == 201, again.text
    assert again.json()["kyc_status"] == "pending"
    assert me(client, p)["kyc_status"] == "pending"
    assert pending_entry(client, operator, p.player_id) is not None


def test_a_rejected_player_cannot_withdraw(player, upload_document, decide, deposit, withdraw):
    p = player()
    assert upload_document(p).status_code == 201
    assert decide(p.player_id, "reject", "document expired").status_code == 200
    assert deposit(p, 1_000).status_code == 201
    assert_problem(withdraw(p, 100), 403, "kyc_required")


def test_a_decision_on_an_unknown_player_is_not_found(decide):
    assert_problem(decide(str(uuid.uuid4()), "approve", "x"), 404, "not_found")


@pytest.mark.parametrize("decision", ["maybe", "APPROVE", ""])
def test_an_unknown_decision_is_a_validation_error(player, upload_document, decide, decision):
    p = player()
    assert upload_document(p).status_code == 201
    assert_problem(decide(p.player_id, decision, "reason"), 422, "validation_error")


def test_a_player_cannot_decide_kyc_even_for_themselves(client, player, upload_document):
    p = player()
    assert upload_document(p).status_code == 201
    r = client.post(
        f"/v1/ops/kyc/{p.player_id}/decision",
        json={"decision": "approve", "reason": "me"},
        headers=p.headers,
    )
    assert_problem(r, 403, "forbidden")
    assert me(client, p)["kyc_status"] == "pending"
