"""The API's documentation page (Swagger UI), without inline script.

FastAPI's own /docs page starts Swagger UI from an inline script, which the project's
Content-Security-Policy refuses (shared/security_headers.py); this page starts it from a script
file served beside it, and its policy allows the CDN that serves Swagger UI, for this page only.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from shared.security_headers import security_headers

CDN = "https://cdn.jsdelivr.net"
SWAGGER = f"{CDN}/npm/swagger-ui-dist@5"
HEADERS = security_headers(cdn=[CDN])

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Dastyar backend — API</title>
<link rel="stylesheet" href="{SWAGGER}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{SWAGGER}/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script>
</body>
</html>
"""

START = """SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]
});
"""

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def docs() -> HTMLResponse:
    """The Swagger UI page."""
    return HTMLResponse(PAGE, headers=HEADERS)


@router.get("/docs/start.js")
def start() -> Response:
    """The script that starts Swagger UI on the page."""
    return Response(START, media_type="text/javascript; charset=utf-8")
