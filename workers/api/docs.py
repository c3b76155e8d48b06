"""/docs: Swagger UI from the platform's own static assets (`/swagger-ui/`, copied from the npm
package swagger-ui-dist by scripts/copy_swagger_ui.mjs), started by `/docs.js`: no CDN, no
inline script, so the HTML CSP holds here too.

No `from __future__ import annotations`: FastAPI reads the route's signature at import, and
would evaluate (compile) string annotations.
"""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>AcmeToCasino Edge · API docs</title>
  <link rel="stylesheet" href="/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/docs.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui() -> HTMLResponse:
    return HTMLResponse(PAGE)
