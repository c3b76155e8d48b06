import pytest

from casino.errors import InvalidDocument
from casino.kyc import MAX_DOCUMENT_BYTES, KycStatus, check_document, status_after_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_documents_are_typed_by_their_magic_bytes_not_their_name():
    assert check_document(PNG) == "image/png"
    assert check_document(b"%PDF-1.7 ...") == "application/pdf"
    assert check_document(b"\xff\xd8\xff\xe0 jpeg") == "image/jpeg"


@pytest.mark.parametrize("content", [b"", b"MZ\x90\x00 exe", b"<html>", b"GIF89a"])
def test_other_content_is_refused(content):
    with pytest.raises(InvalidDocument):
        check_document(content)


def test_documents_over_five_megabytes_are_refused():
    with pytest.raises(InvalidDocument):
        check_document(PNG + b"\x00" * MAX_DOCUMENT_BYTES)


def test_an_upload_puts_a_player_in_review_unless_already_verified():
    assert status_after_upload(KycStatus.NONE) is KycStatus.PENDING
    assert status_after_upload(KycStatus.REJECTED) is KycStatus.PENDING
    assert status_after_upload(KycStatus.VERIFIED) is KycStatus.VERIFIED
