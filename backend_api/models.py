"""Import every domain's tables so metadata (and Alembic) sees them all."""

from backend_api.audit.models import AuditEntry
from backend_api.catalogue.models import Agency, Cluster, KnowledgeBaseState, Service
from backend_api.citizens.models import MobileProof
from backend_api.console.models import ConsoleSession, IgnoreRule, LoginFailures, Referral
from backend_api.db import Base
from backend_api.faq.models import Faq
from backend_api.feedback.models import Complaint, Rating
from backend_api.handoff.models import Handoff
from backend_api.lexicon.models import Synonym
from backend_api.notifications.models import OutboxMessage
from backend_api.org.models import Membership, Post
from backend_api.requests.models import Attachment, RequestEvent, ServiceRequest
from backend_api.unresolved.models import UnresolvedQuestion
from backend_api.users.models import User

__all__ = [
    "Agency",
    "Attachment",
    "AuditEntry",
    "Base",
    "Cluster",
    "Complaint",
    "ConsoleSession",
    "Faq",
    "Handoff",
    "IgnoreRule",
    "KnowledgeBaseState",
    "LoginFailures",
    "Membership",
    "MobileProof",
    "OutboxMessage",
    "Post",
    "Rating",
    "Referral",
    "RequestEvent",
    "Service",
    "ServiceRequest",
    "Synonym",
    "UnresolvedQuestion",
    "User",
]
