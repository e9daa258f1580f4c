"""Who may see a ticket's submitter and photo: the deciding chain, and whoever entered it."""

from ..auth.access import in_scope
from ..registry.identity import mask_number

# The roles that decide a ticket; a village operator only for the villages in their scope.
DISTRICT_DECIDERS = ("dinsos_admin", "superadmin")
# Staff who follow tickets but take no decision: never the submitter of an objection.
BYSTANDERS = ("pendamping", "auditor")


def in_deciding_chain(user, ticket) -> bool:
    """Return whether the user is the village operator of the ticket's village or Dinsos."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role in DISTRICT_DECIDERS:
        return True
    return user.role == "operator_desa" and in_scope(user, ticket.village_code)


def may_see_submitter(user, ticket) -> bool:
    """Return whether the user may see who submitted the ticket."""
    if in_deciding_chain(user, ticket):
        return True
    if ticket.kind == "sanggah_lain" and getattr(user, "role", None) in BYSTANDERS:
        # An objection names a neighbour: only those who decide on it learn who objected.
        return False
    return ticket.entered_by_id is not None and ticket.entered_by_id == getattr(user, "id", None)


def may_see_photo(user, ticket) -> bool:
    """Return whether the user may see the house photo: the deciding chain only."""
    return in_deciding_chain(user, ticket)


def submitter_label(user, ticket) -> str | None:
    """The submitter as "name (masked NIK)" for those allowed, else None."""
    if not may_see_submitter(user, ticket):
        return None
    person = ticket.submitter_person
    if person is None:
        return "-"
    return f"{person.name} ({mask_number(person.nik)})"
