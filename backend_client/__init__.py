"""The typed async client of the backend API, shared by the action server, the gateway and tests.

Its own package, outside ``backend_api``, because it must import in the Rasa env too: httpx only,
no FastAPI, SQLAlchemy or pydantic.
"""

from backend_client.client import BackendClient
from backend_client.errors import BackendError, BackendRejected, BackendUnavailable, NotFoundError
from backend_client.results import SearchHit, SearchResult

__all__ = [
    "BackendClient",
    "BackendError",
    "BackendRejected",
    "BackendUnavailable",
    "NotFoundError",
    "SearchHit",
    "SearchResult",
]
