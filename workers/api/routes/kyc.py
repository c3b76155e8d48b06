"""/v1/kyc: a player's identity documents."""

from fastapi import APIRouter

from .. import kyc
from ..schemas import KycDocumentIn, KycDocumentOut
from ..security import PlayerDep, ServicesDep

router = APIRouter(prefix="/v1/kyc", tags=["compliance"])


@router.post("/documents", status_code=201, response_model=KycDocumentOut)
async def upload_document(
    body: KycDocumentIn, caller: PlayerDep, services: ServicesDep
) -> KycDocumentOut:
    content = kyc.decode_document(body.content_base64)
    result = await kyc.upload(services, caller.subject, body.doc_type, body.filename, content)
    return KycDocumentOut(**result)
